#!/usr/bin/env bash
# Runs Lighthouse (pinned in bench/lighthouse, installed with npm ci on first
# use) against Debian's Chromium, never a browser of its own, and prints one
# line per page: "NAME performance accessibility LCP-ms total-bytes".
# Mobile form factor and throttling, as Lighthouse does by default.
#   scripts/lighthouse.sh home=http://127.0.0.1:8000/ job=http://127.0.0.1:8000/jobs/ID
# Reports are kept in bench/out/lighthouse-NAME.json.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=bench/lighthouse
if [[ ! -x $dir/node_modules/.bin/lighthouse ]]; then
  (cd $dir && npm ci --no-audit --no-fund --silent)
fi
mkdir -p bench/out
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
for arg in "$@"; do
  name=${arg%%=*} url=${arg#*=}
  out=bench/out/lighthouse-$name.json
  $dir/node_modules/.bin/lighthouse "$url" --quiet --output=json --output-path="$out" \
    --only-categories=performance,accessibility \
    --chrome-flags="--headless --no-sandbox --disable-gpu" >/dev/null
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const score = (c) => Math.round(r.categories[c].score * 100);
    const failed = Object.values(r.audits).filter((a) => a.score === 0 && a.scoreDisplayMode === "binary").map((a) => a.id);
    console.log([process.argv[2], score("performance"), score("accessibility"),
      Math.round(r.audits["largest-contentful-paint"].numericValue), r.audits["total-byte-weight"].numericValue,
      failed.join(",") || "-"].join(" "));
  ' "$out" "$name"
done
