// The home page's forms: the pipeline editor beside the preset and the JSON,
// submission with fetch so that a mistake never loses what was typed (the
// message shows beside its field), and, when the token is needed, a trip to
// the login page and back with the form as it was.
import { mount, parsePipeline as parsed, showPipeline as show } from "/static/pipeline-editor.js";

const catalogue = JSON.parse(document.getElementById("catalogue").textContent);
const saved = (form) => `augment:form:${form.id}`;

for (const form of document.querySelectorAll("form[data-page]")) setUp(form);

function setUp(form) {
  const preset = form.querySelector("[data-role=preset]");
  const text = form.querySelector("[data-role=pipeline]");
  const host = form.querySelector("[data-role=editor]");
  restore(form);
  const given = parsed(text.value);
  if (!text.value.trim() && preset.value) text.value = show(catalogue.presets[preset.value]);
  else if (given && preset.value && JSON.stringify(given) !== JSON.stringify(catalogue.presets[preset.value])) preset.value = "";
  const editor = mount(host, {
    ops: catalogue.ops,
    pipeline: parsed(text.value) ?? [],
    label: form.id === "batch-form" ? "Dataset pipeline" : "Pipeline",
    onChange(p) {
      text.value = show(p);
      preset.value = "";
      clearError(form, "pipeline");
    },
  });
  host.hidden = false;

  preset.addEventListener("change", () => {
    if (!preset.value) return; // "custom" keeps the steps shown, to edit them
    const p = catalogue.presets[preset.value];
    editor.set(p);
    text.value = show(p);
    clearError(form, "pipeline");
  });
  text.addEventListener("input", () => {
    const p = parsed(text.value.trim() || "[]");
    if (p) {
      editor.set(p);
      preset.value = "";
      clearError(form, "pipeline");
    }
  });
  form.addEventListener("submit", (e) => submit(e, form, preset, editor));
}

async function submit(e, form, preset, editor) {
  e.preventDefault();
  const body = new FormData(form, e.submitter);
  if (preset.value) body.delete("pipeline"); // the preset's own steps: record the preset's name
  clearErrors(form);
  busy(form, true);
  let r;
  try {
    r = await fetch(form.action, { method: "POST", body, headers: { Accept: "application/json" } });
  } catch {
    busy(form, false);
    showError(form, "", "augment could not be reached: check the connection and try again. The form is as you left it.");
    return;
  }
  if (r.ok && r.redirected) {
    location.assign(r.url);
    return;
  }
  if (r.status === 401) {
    save(form);
    location.assign(`/login?next=${encodeURIComponent(form.dataset.page)}`);
    return;
  }
  let error = {};
  try {
    error = (await r.json()).error ?? {};
  } catch {
    // not JSON: a proxy's page; say what we know
  }
  busy(form, false);
  const retry = r.headers.get("Retry-After");
  let message = error.message ?? `The server answered ${r.status}.`;
  if (retry && !error.message) message += ` Try again in ${retry} seconds.`;
  showError(form, error.field ?? "", message);
  const step = error.field === "pipeline" && /step (\d+)/.exec(message);
  editor.markStep(step ? Number(step[1]) - 1 : -1);
}

// fieldFor is the control an error's field names.
function fieldFor(form, field) {
  const name = { output: "format", quality: "format" }[field] ?? field;
  const el = name && form.elements.namedItem(name);
  return el instanceof Element ? el : null;
}

function showError(form, field, message) {
  const el = fieldFor(form, field);
  if (!el) {
    const general = form.querySelector("[data-role=general-error]");
    general.textContent = message;
    general.className = "error";
    general.hidden = false;
    general.tabIndex = -1;
    general.focus();
    return;
  }
  const p = document.createElement("p");
  p.className = "field-error";
  p.id = `${el.id}-error`;
  p.textContent = message;
  el.setAttribute("aria-invalid", "true");
  el.setAttribute("aria-describedby", p.id);
  if (field === "pipeline") {
    el.closest("details").open = true;
    p.dataset.role = "pipeline-error";
    el.closest("fieldset").append(p);
  } else {
    const folded = el.closest("details");
    if (folded) folded.open = true; // the labels' fields
    el.closest(".field").append(p);
  }
  el.focus();
}

function clearError(form, field) {
  const el = fieldFor(form, field);
  if (!el) return;
  el.removeAttribute("aria-invalid");
  el.removeAttribute("aria-describedby");
  document.getElementById(`${el.id}-error`)?.remove();
}

function clearErrors(form) {
  for (const p of form.querySelectorAll(".field-error")) p.remove();
  for (const el of form.querySelectorAll("[aria-invalid]")) {
    el.removeAttribute("aria-invalid");
    el.removeAttribute("aria-describedby");
  }
  form.querySelector("[data-role=general-error]").hidden = true;
}

function busy(form, on) {
  form.setAttribute("aria-busy", String(on));
  for (const b of form.querySelectorAll("button[type=submit]")) b.disabled = on;
}

// save keeps the form's fields for the trip to the login page; a chosen
// file cannot be kept by a browser, so it only says there was one.
function save(form) {
  const fields = {};
  let file = false;
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === "file") file ||= el.files.length > 0;
    else if (el.type !== "submit") fields[el.name] = el.value;
  }
  sessionStorage.setItem(saved(form), JSON.stringify({ fields, file }));
}

function restore(form) {
  const raw = sessionStorage.getItem(saved(form));
  if (!raw) return;
  sessionStorage.removeItem(saved(form));
  const { fields, file } = JSON.parse(raw);
  for (const [name, value] of Object.entries(fields)) {
    const el = form.elements.namedItem(name);
    if (el && "value" in el) el.value = value;
  }
  document.getElementById(form.id === "batch-form" ? "tab-batch" : "tab-image").checked = true;
  if (fields.pipeline) form.querySelector("details.json").open = true;
  const labels = form.querySelector("details.labels-fields");
  if (labels && (fields.labels || fields.mask_url || fields.label_options)) labels.open = true;
  const note = form.querySelector("[data-role=general-error]");
  note.textContent = file
    ? "Your form is as you left it, but a browser cannot keep a chosen file: choose it again."
    : "Your form is as you left it: send it again.";
  note.className = "notice";
  note.hidden = false;
}
