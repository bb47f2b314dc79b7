"""The app augment replaces, for `make bench` to race against: GET /?url=IMAGE
answers that image after one random op (a rotation by 0-360 degrees, a
horizontal flip, a vertical flip, or nothing) as a JPEG, and stores nothing.
Flask and Pillow from Debian (python3-flask, python3-pil). Usage: PORT."""
import io, random, sys, urllib.request
from flask import Flask, request, send_file
from PIL import Image, ImageOps

app = Flask(__name__)
fetch = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no proxies: the bench serves from 127.0.0.1


@app.get("/")
def augment():
    with fetch.open(request.args["url"], timeout=30) as r:
        img = Image.open(io.BytesIO(r.read())).convert("RGB")
    op = random.choice([lambda i: i.rotate(random.uniform(0, 360)), ImageOps.mirror, ImageOps.flip, lambda i: i])
    out = io.BytesIO()
    op(img).save(out, "JPEG", quality=90)  # augment's default JPEG quality, so both encode the same
    return send_file(io.BytesIO(out.getvalue()), mimetype="image/jpeg")


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]), threaded=True)
