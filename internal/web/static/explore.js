// The explorer (/explore): a source, a pipeline built with the pipeline
// editor, and the tiles POST /api/v1/previews renders of it, each with its
// caption and its labels drawn (labels.js). Every change asks for new tiles
// after a short pause; an answer to an older request is dropped. Re-roll
// changes only the seed; extremes renders one op at the two ends of its
// drawn parameters (extremes.js); "use" copies the pipeline and the curl of
// a job and of a batch, and links the home page's dataset tab with the
// pipeline filled in.
import { mount, parsePipeline as parsed, showPipeline as show } from "/static/pipeline-editor.js";
import { draw } from "/static/labels.js";
import { at, extremes, randomOps } from "/static/extremes.js";

const $ = (id) => document.getElementById(id);
const catalogue = JSON.parse($("catalogue").textContent);
const start = JSON.parse($("explore-start").textContent);
const byName = new Map(catalogue.ops.map((o) => [o.name, o]));
const SIZE = 384; // the tiles' longest side: sharp in a grid cell on a 2× screen

const els = {
  url: $("explore-url"), show: $("explore-show"), file: $("explore-image"), labels: $("explore-labels"), mask: $("explore-mask"),
  preset: $("explore-preset"), variants: $("explore-variants"), seed: $("explore-seed"), text: $("explore-pipeline"),
  grid: $("explore-grid"), status: $("explore-status"), error: $("explore-error"), original: $("explore-original"),
  originalImg: $("explore-original-img"), originalSize: $("explore-original-size"), reroll: $("explore-reroll"),
  extremeStep: $("explore-extreme-step"), extremes: $("explore-extremes"), dataset: $("explore-dataset"),
  copied: $("explore-copied"), peek: $("explore-peek"), peekText: $("explore-peek-text"),
};

let source = null; // {url} | {job, labels, mask} | {file, upload}
let mask = null; // a mask file chosen: {file, href, upload}
let seq = 0; // the latest request; answers to earlier ones are dropped
let timer = 0;
let inflight = null;

const initial = parsed(els.text.value) ?? catalogue.presets[els.preset.value] ?? [];
els.text.value = show(initial);
const editor = mount($("explore-editor"), {
  ops: catalogue.ops,
  pipeline: initial,
  label: "Pipeline",
  onChange(p) {
    els.text.value = show(p);
    els.preset.value = "";
    changed();
  },
});
$("explore-editor").hidden = false;

function pipeline() {
  return editor.get();
}

function changed(delay = 350) {
  stepsForExtremes();
  describeUse();
  clearTimeout(timer);
  timer = setTimeout(() => render(), delay);
}

els.preset.addEventListener("change", () => {
  if (!els.preset.value) return;
  const p = catalogue.presets[els.preset.value];
  editor.set(p);
  els.text.value = show(p);
  changed(0);
});
els.text.addEventListener("input", () => {
  const p = parsed(els.text.value.trim() || "[]");
  if (!p) return;
  editor.set(p);
  els.preset.value = "";
  changed();
});
for (const el of [els.variants, els.seed, els.labels]) el.addEventListener("input", () => changed());
els.reroll.addEventListener("click", () => {
  els.seed.value = String(Math.floor(Math.random() * 1e9));
  changed(0);
});
els.show.addEventListener("click", () => useURL());
els.url.addEventListener("keydown", (e) => {
  if (e.key === "Enter") {
    e.preventDefault();
    useURL();
  }
});
els.file.addEventListener("change", () => {
  const file = els.file.files[0];
  if (!file) return;
  source = { file, name: file.name };
  els.url.value = "";
  showOriginal(URL.createObjectURL(file), `the original image, ${file.name}`);
  changed(0);
});
els.mask.addEventListener("change", () => {
  if (mask) URL.revokeObjectURL(mask.href);
  const file = els.mask.files[0];
  mask = file ? { file, href: URL.createObjectURL(file), upload: null } : null;
  changed(0);
});
els.extremes.addEventListener("click", () => showExtremes());
for (const b of document.querySelectorAll("[data-copy]")) b.addEventListener("click", () => copy(b));

function useURL() {
  const u = els.url.value.trim();
  if (!u) return;
  source = { url: u };
  showOriginal(u, "the original image");
  changed(0);
}

function showOriginal(src, alt) {
  els.original.hidden = false;
  els.originalImg.src = src;
  els.originalImg.alt = alt;
  els.originalSize.textContent = "";
  els.original.querySelector(".frame").querySelectorAll(".labels-svg, .labels-mask").forEach((e) => e.remove());
  $("explore-job-note").hidden = !source?.job;
}

// labels is what the tiles draw: the labels field's, else the job's.
function labels() {
  const text = els.labels.value.trim();
  if (text) return { text, value: parsedObject(text) };
  return null;
}

// request is a preview's body: JSON while the image and the mask are
// named by URL, job or the ids of earlier uploads; a form with the files
// until then.
function request(steps, variants, seed) {
  const body = { variants, seed, size: SIZE, pipeline: steps };
  const l = labels();
  if (l) body.labels = l.value ?? l.text;
  const src = source.url ? { url: source.url } : source.job ? { job_id: source.job } : source.upload ? { upload: source.upload } : null;
  if (src && (!mask || mask.upload)) {
    body.source = mask ? { ...src, mask_upload: mask.upload } : src;
    return { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } };
  }
  const form = new FormData();
  if (src) for (const [k, v] of Object.entries(src)) form.append(`source_${k}`, v);
  else form.append("image", source.file);
  if (mask?.upload) form.append("source_mask_upload", mask.upload);
  else if (mask) form.append("mask", mask.file);
  for (const [k, v] of Object.entries(body)) form.append(k, typeof v === "string" ? v : JSON.stringify(v));
  return { body: form };
}

// ask POSTs one preview; null when a later request superseded it.
async function ask(my, steps, variants, seed, signal) {
  const req = request(steps, variants, seed);
  const r = await fetch("/api/v1/previews", { method: "POST", signal, ...req });
  if (my !== seq) return null;
  let data = {};
  try {
    data = await r.json();
  } catch {
    // not JSON: a proxy's page
  }
  if (my !== seq) return null;
  if (r.status === 404 && ((source.upload && !source.job) || mask?.upload)) {
    // a kept upload expired: send the files again
    if (source.file) source.upload = null;
    if (mask) mask.upload = null;
    return ask(my, steps, variants, seed, signal);
  }
  if (r.status === 401) {
    throw new Error("Previews need this augment's token: log in (the link at the top), then come back.");
  }
  if (!r.ok) {
    const e = new Error(data.error?.message ?? `The server answered ${r.status}.`);
    e.field = data.error?.field;
    throw e;
  }
  if (data.source?.upload && source.file) source.upload = data.source.upload;
  if (data.source?.mask_upload && mask?.file) mask.upload = data.source.mask_upload;
  return data;
}

async function run(what, jobs) {
  if (!source) {
    els.status.textContent = "Choose an image to begin: a URL, a file, or a job's.";
    return;
  }
  const my = ++seq;
  inflight?.abort();
  inflight = new AbortController();
  els.grid.setAttribute("aria-busy", "true");
  els.status.textContent = `Rendering ${what}…`;
  peek(`Rendering ${what}…`, true);
  const t0 = performance.now();
  let answers;
  try {
    answers = await Promise.all(jobs.map((j) => ask(my, j.steps, j.variants, j.seed, inflight.signal)));
  } catch (e) {
    if (my !== seq || e.name === "AbortError") return;
    els.grid.setAttribute("aria-busy", "false");
    els.error.textContent = e.message;
    els.error.hidden = false;
    els.status.textContent = "No new tiles: see the message.";
    peek("No new tiles: see why ↓", false);
    const step = /step (\d+)/.exec(e.message);
    editor.markStep(step && jobs.length === 1 ? Number(step[1]) - 1 : -1);
    return;
  }
  if (answers.some((a) => a === null)) return;
  els.error.hidden = true;
  editor.markStep(-1);
  els.grid.setAttribute("aria-busy", "false");
  const src = answers[0].source;
  els.originalSize.textContent = `${src.width}×${src.height} ${src.format}${src.name ? ` · ${src.name}` : ""}`;
  drawOriginalLabels(src);
  const tiles = answers.flatMap((a, n) => a.variants.map((v) => ({ ...v, note: jobs[n].note })));
  showTiles(tiles);
  const ms = Math.round(performance.now() - t0);
  els.status.textContent = `${tiles.length} tile${tiles.length === 1 ? "" : "s"} of ${what}, seed ${jobs[0].seed}, in ${ms} ms.`;
  peek(`${tiles.length} new tile${tiles.length === 1 ? "" : "s"}: see all ↓`, false, tiles);
}

// peek fills the strip a narrow screen shows while the tiles are out of
// sight: the first tiles small, and what happened.
function peek(text, busy, tiles) {
  els.peek.hidden = false;
  els.peekText.textContent = text;
  els.peek.setAttribute("aria-busy", String(busy));
  if (!tiles) return;
  els.peek.querySelector(".peek-tiles").replaceChildren(
    ...tiles.slice(0, 4).map((t) => Object.assign(document.createElement("img"), { src: t.href, alt: "" })),
  );
}
// the newest of the entries a frame may bring is the grid's state now
new IntersectionObserver((es) => (els.peek.dataset.near = String(es[es.length - 1].isIntersecting))).observe(els.grid);

function render() {
  const n = Math.min(16, Math.max(1, Number(els.variants.value) || 8));
  run("the pipeline", [{ steps: pipeline(), variants: n, seed: seed() }]);
}

function seed() {
  const s = Number(els.seed.value);
  return Number.isInteger(s) && s >= 0 ? s : 0;
}

function showTiles(tiles) {
  for (const f of els.grid.querySelectorAll("figure.tile")) f.remove();
  for (const [k, t] of tiles.entries()) {
    const fig = document.createElement("figure");
    fig.className = "variant tile";
    fig.id = `tile-${k}`;
    fig.dataset.ops = JSON.stringify(t.ops);
    const frame = document.createElement("div");
    frame.className = "frame";
    const img = document.createElement("img");
    img.src = t.href;
    img.width = t.width;
    img.height = t.height;
    img.alt = `tile ${k}: ${t.caption || "unchanged"}`;
    frame.append(img);
    const cap = document.createElement("figcaption");
    const head = document.createElement("strong");
    head.textContent = t.note ? t.note : `#${t.index}`;
    const size = document.createTextNode(` · ${t.full_width}×${t.full_height}`);
    const words = document.createElement("p");
    words.className = "caption";
    words.textContent = t.caption || "unchanged";
    cap.append(head, size, words);
    if (t.labels?.dropped?.length) {
      const d = document.createElement("p");
      d.className = "caption";
      d.textContent = `dropped: ${t.labels.dropped.map((x) => `${x.id} (${x.reason})`).join(", ")}`;
      cap.append(d);
    }
    fig.append(frame, cap);
    els.grid.append(fig);
    if (t.labels) draw(frame, { ...t.labels, mask_href: view(t.labels.mask_href) }, t.full_width, t.full_height);
  }
}

function drawOriginalLabels(src) {
  const l = labels()?.value ?? source.labels;
  const frame = els.original.querySelector(".frame");
  frame.querySelectorAll(".labels-svg, .labels-mask").forEach((e) => e.remove());
  const objects = l && typeof l === "object";
  const maskHref = mask ? mask.href : view(source.mask);
  if (objects || maskHref) {
    draw(frame, { objects: (objects && l.objects) || [], mask_href: maskHref }, src.width, src.height, (objects && l.keypoint_names) || []);
  }
}

// view is a mask's address as drawn: 8 bits a class (a 16-bit mask's
// classes would read as 0 in a browser).
function view(href) {
  return href ? `${href}?view` : undefined;
}

// Extremes: the chosen op alone, every drawn parameter at its low end, then
// at its high end (extremes.js).
function stepsForExtremes() {
  const keep = els.extremeStep.value;
  els.extremeStep.replaceChildren();
  for (const o of randomOps(pipeline(), byName)) els.extremeStep.append(new Option(o.label, o.path));
  if ([...els.extremeStep.options].some((o) => o.value === keep)) els.extremeStep.value = keep;
  const none = els.extremeStep.options.length === 0;
  els.extremes.disabled = none;
  els.extremeStep.disabled = none;
  if (none) els.extremeStep.append(new Option("no step draws anything", ""));
}

function showExtremes() {
  const path = els.extremeStep.value;
  const step = path && at(pipeline(), path);
  const e = step && extremes(step, byName.get(step.op));
  if (!e) return;
  const names = e.names.join(", ");
  const label = els.extremeStep.selectedOptions[0].textContent;
  run(`${label} at the ends of ${names}`, [
    { steps: [e.low], variants: 1, seed: seed(), note: `low ends of ${names}` },
    { steps: [e.high], variants: 1, seed: seed(), note: `high ends of ${names}` },
  ]);
}

// describeUse fills in the copies and the dataset link.
function describeUse() {
  const p = pipeline();
  const json = JSON.stringify(p);
  const n = Math.min(64, Math.max(1, Number(els.variants.value) || 8));
  const origin = location.origin;
  const q = (s) => `'${s.replaceAll("'", "'\\''")}'`;
  const auth = document.querySelector("main").dataset.auth === "true" ? ` \\\n  -H "Authorization: Bearer $AUGMENT_TOKEN"` : "";
  let job;
  if (source?.file && !source.job) {
    job = `curl -X POST ${origin}/api/v1/jobs${auth} \\\n  -F image=@${q(source.name)} -F variants=${n} -F seed=${seed()} \\\n  -F pipeline=${q(json)}`;
  } else {
    const url = source?.url ?? (source?.job ? source.sourceURL : "") ?? "";
    job = `curl -X POST ${origin}/api/v1/jobs${auth} \\\n  -H 'Content-Type: application/json' \\\n  -d ${q(JSON.stringify({ url: url || "https://example.com/image.jpg", variants: n, seed: seed(), pipeline: p }))}`;
  }
  const one = source?.url ?? source?.sourceURL;
  const urls = one ? [one] : ["https://example.com/a.jpg", "https://example.com/b.jpg"];
  const batch = `curl -X POST ${origin}/api/v1/batches${auth} \\\n  -H 'Content-Type: application/json' \\\n  -d ${q(JSON.stringify({ urls, variants: n, seed: seed(), pipeline: p }))}`;
  $("copy-pipeline").textContent = JSON.stringify(p, null, 2);
  $("copy-job").textContent = job;
  $("copy-batch").textContent = batch;
  els.dataset.href = `/?tab=batch&pipeline=${encodeURIComponent(json)}&seed=${seed()}`;
}

async function copy(button) {
  const pre = $(button.dataset.copy);
  const title = $(`${button.dataset.copy}-title`).textContent;
  try {
    // NOTE: a browser may hold the promise while it asks for permission:
    // after a second the text is selected instead.
    const late = new Promise((_, fail) => setTimeout(() => fail(new Error("no answer")), 1000));
    await Promise.race([navigator.clipboard.writeText(pre.textContent), late]);
    els.copied.textContent = `Copied: ${title}.`;
  } catch {
    const range = document.createRange();
    range.selectNodeContents(pre);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    const ok = document.execCommand?.("copy");
    els.copied.textContent = ok ? `Copied: ${title}.` : `Selected: ${title}; press Ctrl+C (⌘C) to copy it.`;
  }
  button.textContent = "Copied";
  setTimeout(() => (button.textContent = "Copy"), 1500);
}

function parsedObject(text) {
  try {
    const v = JSON.parse(text);
    return v && typeof v === "object" ? v : null;
  } catch {
    return null;
  }
}

// A job's image, labels, pipeline and seed (?job=ID), unless the address
// gives its own; else a URL (?url=).
async function begin() {
  stepsForExtremes();
  describeUse();
  if (start.job) {
    const r = await fetch(`/api/v1/jobs/${encodeURIComponent(start.job)}`);
    if (!r.ok) {
      els.error.textContent = `Job ${start.job} could not be read (${r.status}).`;
      els.error.hidden = false;
      return;
    }
    const j = await r.json();
    source = { job: j.id, labels: j.spec.labels ?? null, mask: j.source.mask_href ?? null, sourceURL: j.source.url };
    if (!start.seedGiven) els.seed.value = String(j.spec.seed);
    if (!new URLSearchParams(location.search).has("pipeline") && !new URLSearchParams(location.search).has("preset")) {
      editor.set(j.spec.pipeline);
      els.text.value = show(j.spec.pipeline);
      els.preset.value = j.spec.preset ?? "";
      if (!els.preset.value) els.preset.value = "";
    }
    if (j.variants?.length) els.variants.value = String(Math.min(16, j.variants.length));
    showOriginal(j.source.href, `the original image${j.source.name ? `, ${j.source.name}` : ""}`);
    changed(0);
  } else if (start.url) {
    useURL();
  }
}

begin();
