// Draws labels over an image: boxes, polygons and keypoints (with their
// names) as SVG, and a semantic mask tinted on a canvas, both laid over the
// frame that holds the image and fitted in it as an <img> with object-fit:
// contain is (app.css), in the image's own pixels. Each kind can be hidden by
// a class on an ancestor: hide-boxes, hide-polygons, hide-keypoints,
// hide-mask.
const SVG = "http://www.w3.org/2000/svg";

// colour gives every class (or mask value) its own hue, the same on every page.
export function colour(key, alpha = 1) {
  let h = 0;
  for (const ch of String(key)) h = (h * 31 + ch.codePointAt(0)) % 360;
  return `hsla(${(h * 137) % 360}, 85%, 50%, ${alpha})`;
}

function el(name, attrs, parent) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  parent.appendChild(e);
  return e;
}

function rings(polygon) {
  if (!polygon || polygon.length === 0) return [];
  return typeof polygon[0][0] === "number" ? [polygon] : polygon;
}

// draw overlays labels ({objects, mask_href}) on frame, an element that
// holds the image; width and height are the pixels the labels are in.
export function draw(frame, labels, width, height, keypointNames = []) {
  frame.querySelectorAll(".labels-svg, .labels-mask").forEach((e) => e.remove());
  frame.classList.add("labelled");
  if (labels.mask_href) drawMask(frame, labels.mask_href);
  const svg = el("svg", { class: "labels-svg", viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: "xMidYMid meet", "aria-hidden": "true" }, frame);
  const stroke = Math.max(1, Math.max(width, height) / 300);
  for (const o of labels.objects || []) {
    const c = colour(o.class ?? "");
    const g = el("g", { class: "object", "data-id": o.id ?? "" }, svg);
    const title = el("title", {}, g);
    title.textContent = [o.class, o.id && `#${o.id}`].filter(Boolean).join(" ");
    for (const r of rings(o.polygon)) {
      el("polygon", { class: "polygon", points: r.map((p) => p.join(",")).join(" "), fill: colour(o.class ?? "", 0.25), stroke: c, "stroke-width": stroke }, g);
    }
    if (o.bbox) {
      const [x, y, w, h] = o.bbox;
      el("rect", { class: "box", x, y, width: w, height: h, fill: "none", stroke: c, "stroke-width": stroke * 1.5 }, g);
      if (o.class) {
        const t = el("text", { class: "box-label", x, y: Math.max(y - stroke * 2, stroke * 8), fill: c, "font-size": stroke * 10 }, g);
        t.textContent = o.class;
      }
    }
    (o.keypoints || []).forEach(([x, y, v], i) => {
      if (v === 0) return;
      el("circle", { class: "keypoint", cx: x, cy: y, r: stroke * 2.5, fill: v === 2 ? c : "none", stroke: c, "stroke-width": stroke }, g);
      const name = keypointNames[i];
      if (name) {
        const t = el("text", { class: "keypoint-name", x: x + stroke * 3, y: y - stroke * 3, fill: c, "font-size": stroke * 7 }, g);
        t.textContent = name;
      }
    });
  }
}

// drawMask tints every non-zero class of a one-band PNG mask (a 16-bit one
// comes at 8 bits a class: see the masks' ?view).
async function drawMask(frame, href) {
  const img = new Image();
  img.src = href;
  try {
    await img.decode();
  } catch {
    return;
  }
  const canvas = document.createElement("canvas");
  canvas.className = "labels-mask";
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  ctx.drawImage(img, 0, 0);
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height);
  const px = data.data;
  const cache = new Map();
  for (let i = 0; i < px.length; i += 4) {
    // a gray mask reads back as r = g = b = class: each class its own hue;
    // a palette one as its palette's colour, which it keeps
    const [r, g, b] = [px[i], px[i + 1], px[i + 2]];
    const key = (r << 16) | (g << 8) | b;
    if (key === 0) {
      px[i + 3] = 0;
      continue;
    }
    let rgb = cache.get(key);
    if (!rgb) {
      rgb = r === g && g === b ? tint(r) : [r, g, b];
      cache.set(key, rgb);
    }
    px[i] = rgb[0];
    px[i + 1] = rgb[1];
    px[i + 2] = rgb[2];
    px[i + 3] = 110;
  }
  ctx.putImageData(data, 0, 0);
  frame.querySelectorAll(".labels-mask").forEach((e) => e.remove());
  frame.insertBefore(canvas, frame.querySelector(".labels-svg"));
}

function tint(key) {
  const h = ((key * 137) % 360) / 360;
  // HSL(h, 85%, 50%) to RGB
  const f = (n) => {
    const k = (n + h * 12) % 12;
    return Math.round(255 * (0.5 - 0.425 * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}
