// The pipeline editor: a control for every parameter of every step, made
// from the operations catalogue (GET /api/v1/ops), reading and writing the
// pipeline JSON the API takes. No dependencies, no build step.
//
//   import { mount } from "/static/pipeline-editor.js";
//   const editor = mount(el, { ops, pipeline, onChange, label });
//   editor.get()          // the pipeline as it stands, a list of steps
//   editor.set(pipeline)  // shows another pipeline (onChange is not called)
//   editor.markStep(i)    // outlines step i (0-based) as the one in error; -1 clears
//   parsePipeline(text)   // the pipeline a JSON text holds, or null
//   showPipeline(p)       // a pipeline as JSON text, one step a line
//
// ops is the catalogue's list ({name, group, description, params: [{name,
// type, default, min, max, enum, required, description}]}); a pipeline is a
// list of steps such as {"op": "rotate", "degrees": [-20, 20], "p": 0.5}.
// A parameter a step leaves out shows its default; changing it writes it.
// Ranges are two-handled sliders (or one handle for a fixed number), choices
// selects, booleans checkboxes; one_of and some_of take their steps as JSON.

let editors = 0;

// parsePipeline is the pipeline (a list) text holds as JSON, or null.
export function parsePipeline(text) {
  try {
    const p = JSON.parse(text);
    return Array.isArray(p) ? p : null;
  } catch {
    return null;
  }
}

// showPipeline writes a pipeline one step a line, "" when it has none.
export function showPipeline(p) {
  if (!p || p.length === 0) return "";
  return `[\n${p.map((s) => `  ${JSON.stringify(s)}`).join(",\n")}\n]`;
}

export function mount(el, { ops, pipeline = [], onChange = () => {}, label = "Pipeline" } = {}) {
  const byName = new Map(ops.map((o) => [o.name, o]));
  const prefix = `pe${++editors}`;
  let steps = clone(pipeline);
  let marked = -1;

  el.classList.add("editor");
  el.replaceChildren();
  const list = h("ol", { class: "steps", "aria-label": `${label}: steps` });
  const empty = h("p", { class: "empty" }, "No steps: add one below, or choose a preset.");
  const status = h("p", { class: "sr-only", role: "status", "aria-live": "polite" });
  el.append(list, empty, addRow(), status);
  render();

  function changed() {
    onChange(clone(steps));
  }

  function render(focus) {
    list.replaceChildren(...steps.map((s, i) => stepItem(s, i)));
    empty.hidden = steps.length > 0;
    if (focus) el.querySelector(focus)?.focus();
  }

  function move(i, by) {
    const j = i + by;
    [steps[i], steps[j]] = [steps[j], steps[i]];
    render(`#${prefix}-s${j}-${by < 0 ? "up" : "down"}:not(:disabled), #${prefix}-s${j}-remove`);
    status.textContent = `Step ${i + 1} is now step ${j + 1}.`;
    changed();
  }

  function remove(i) {
    const [gone] = steps.splice(i, 1);
    render(steps.length ? `#${prefix}-s${Math.min(i, steps.length - 1)}-remove` : `#${prefix}-add-op`);
    status.textContent = `Removed step ${i + 1}, ${kindOf(gone)}.`;
    changed();
  }

  function addRow() {
    const select = h("select", { id: `${prefix}-add-op`, "aria-label": "Operation to add" });
    const groups = new Map();
    for (const o of ops) {
      if (o.name === "identity") continue;
      if (!groups.has(o.group)) groups.set(o.group, h("optgroup", { label: o.group }));
      groups.get(o.group).append(h("option", { value: o.name, title: o.description }, o.name));
    }
    select.append(...groups.values());
    const button = h("button", { type: "button", id: `${prefix}-add` }, "Add step");
    button.addEventListener("click", () => {
      steps.push(starter(byName.get(select.value)));
      render();
      status.textContent = `Added step ${steps.length}, ${select.value}.`;
      changed();
    });
    return h("div", { class: "add" }, select, button);
  }

  function stepItem(step, i) {
    const kind = kindOf(step);
    const def = byName.get(kind);
    const li = h("li", { class: "step" + (i === marked ? " invalid" : ""), "data-index": i, "data-op": kind });
    const name = `step ${i + 1} (${kind})`;
    const up = h("button", { type: "button", id: `${prefix}-s${i}-up`, "aria-label": `Move ${name} up`, disabled: i === 0 }, "↑");
    const down = h("button", { type: "button", id: `${prefix}-s${i}-down`, "aria-label": `Move ${name} down`, disabled: i === steps.length - 1 }, "↓");
    const del = h("button", { type: "button", id: `${prefix}-s${i}-remove`, "aria-label": `Remove ${name}` }, "✕");
    up.addEventListener("click", () => move(i, -1));
    down.addEventListener("click", () => move(i, 1));
    del.addEventListener("click", () => remove(i));
    li.append(h("div", { class: "step-head" }, h("span", { class: "step-title" }, `${i + 1}. ${kind}`), up, down, del));
    if (!def) {
      li.append(h("p", { class: "about" }, "Not an operation this augment knows; edit it as JSON."),
        rawControl(JSON.stringify(step), `${name} as JSON`, (v) => (v && typeof v === "object" && !Array.isArray(v) ? v : undefined),
          (v) => { steps[i] = v; changed(); }));
      return li;
    }
    li.append(h("p", { class: "about" }, def.description));
    const params = h("div", { class: "params" });
    for (const p of def.params) params.append(paramRow(step, p, i));
    li.append(params);
    return li;
  }

  function paramRow(step, p, i) {
    const has = Object.hasOwn(step, p.name);
    const row = h("div", { class: "param" + (has ? "" : " default"), "data-param": p.name });
    const what = `${p.name} of step ${i + 1}`;
    const reset = h("button", { type: "button", class: "reset", "aria-label": `Reset ${what} to its default`, hidden: !has || p.required || p.type === "steps" }, "reset");
    const set = (v) => {
      if (v === undefined) delete step[p.name];
      else step[p.name] = v;
      row.classList.toggle("default", v === undefined);
      reset.hidden = v === undefined || p.required;
      changed();
    };
    reset.addEventListener("click", () => {
      delete step[p.name];
      row.replaceWith(paramRow(step, p, i));
      changed();
    });
    const value = has ? step[p.name] : p.default;
    const head = h("div", { class: "param-head" }, h("span", { class: "param-name" }, h("b", {}, p.name), h("small", {}, p.description || "")));
    const body = control(p, value, what, set, head);
    head.append(reset);
    row.append(head, h("div", { class: "control" }, body));
    return row;
  }

  return {
    get: () => clone(steps),
    set(p) {
      steps = clone(Array.isArray(p) ? p : []);
      marked = -1;
      render();
    },
    markStep(i) {
      marked = i;
      render();
    },
  };
}

// control makes the input(s) for one parameter; set receives each new value.
// Switches that change the control itself go in head.
function control(p, value, what, set, head) {
  switch (p.name === "p" ? "probability" : p.type) {
    case "probability":
      return slider({ min: 0, max: 1, step: 0.01 }, value ?? 1, what, set);
    case "range":
    case "int":
      return rangeControl(p, value, what, set, head);
    case "size":
    case "pair": {
      const [a, b] = Array.isArray(value) ? value : [undefined, undefined];
      const opts = p.type === "size" ? { min: 1, max: 8192, step: 1 } : { min: p.min, max: p.max, step: "any" };
      const names = p.type === "size" ? ["width", "height"] : ["x", "y"];
      const x = number(opts, a, `${what}, ${names[0]}`);
      const y = number(opts, b, `${what}, ${names[1]}`);
      const send = () => set(isNum(x.valueAsNumber) && isNum(y.valueAsNumber) ? [x.valueAsNumber, y.valueAsNumber] : undefined);
      x.addEventListener("input", send);
      y.addEventListener("input", send);
      return h("span", { class: "control" }, x, p.type === "size" ? "×" : ",", y);
    }
    case "bool": {
      const box = h("input", { type: "checkbox", "aria-label": what, checked: value === true });
      box.addEventListener("change", () => set(box.checked));
      return box;
    }
    case "enum": {
      const sel = h("select", { "aria-label": what }, ...(p.enum || []).map((v) => h("option", { value: v, selected: v === value }, v)));
      sel.addEventListener("change", () => set(sel.value));
      return sel;
    }
    case "steps":
      return rawControl(JSON.stringify(value ?? []), `${what} as JSON`, (v) => (Array.isArray(v) && v.length ? v : undefined), set);
    default:
      return rawControl(value === undefined ? "" : JSON.stringify(value), `${what} as JSON`, (v) => v, set);
  }
}

// rangeControl is a number or a [min, max] range: a checkbox says which, a
// slider with one or two handles and number fields set it.
function rangeControl(p, value, what, set, head) {
  const bounded = isNum(p.min) && isNum(p.max);
  const step = p.type === "int" ? 1 : niceStep(bounded ? p.max - p.min : 10);
  const opts = { min: p.min, max: p.max, step };
  const wrap = h("span", { class: "control" });
  const isRange = h("input", { type: "checkbox", "aria-label": `${what}: draw from a range`, checked: Array.isArray(value) });
  const draw = () => {
    const v = numbers(value);
    const inner = isRange.checked
      ? pair(opts, bounded, v[0], v[v.length - 1], what, (lo, hi) => { value = [lo, hi]; set(value); })
      : bounded
        ? slider(opts, v[0], what, (x) => { value = x; set(x); })
        : single(opts, v[0], what, (x) => { value = x; set(x); });
    wrap.replaceChildren(inner);
  };
  head.append(h("label", { class: "mode" }, isRange, "range"));
  isRange.addEventListener("change", () => {
    const v = numbers(value);
    value = isRange.checked ? [v[0] ?? p.min ?? 0, v[v.length - 1] ?? p.max ?? 0] : v[0];
    draw();
    set(value);
  });
  draw();
  return wrap;
}

// slider is one handle and a number field for a fixed number.
function slider(opts, x, what, set) {
  const range = h("input", { type: "range", class: "single", min: opts.min, max: opts.max, step: opts.step, value: x ?? opts.min, "aria-label": what });
  const box = number(opts, x, `${what}, exact`);
  range.addEventListener("input", () => { box.value = range.value; set(round(+range.value, opts.step)); });
  box.addEventListener("input", () => { if (isNum(box.valueAsNumber)) { range.value = box.value; set(box.valueAsNumber); } });
  return h("span", { class: "control" }, range, box);
}

// single is a number field alone, for a parameter without bounds.
function single(opts, x, what, set) {
  const box = number(opts, x, what);
  box.addEventListener("input", () => set(isNum(box.valueAsNumber) ? box.valueAsNumber : undefined));
  return box;
}

// pair is a [min, max] range: two number fields around a two-handled slider.
function pair(opts, bounded, lo, hi, what, set) {
  const a = number(opts, lo, `${what}, lowest`);
  const b = number(opts, hi, `${what}, highest`);
  const parts = [a];
  let dual;
  if (bounded) {
    dual = twoHandles(opts, lo ?? opts.min, hi ?? opts.max, what, (x, y) => {
      a.value = x;
      b.value = y;
      set(x, y);
    });
    parts.push(dual.el);
  }
  parts.push(b);
  const typed = () => {
    const x = a.valueAsNumber;
    const y = b.valueAsNumber;
    if (!isNum(x) || !isNum(y)) return;
    dual?.show(x, y);
    set(x, y);
  };
  a.addEventListener("input", typed);
  b.addEventListener("input", typed);
  return h("span", { class: "control" }, ...parts);
}

// twoHandles is two range inputs on one track; neither handle passes the other.
function twoHandles(opts, lo, hi, what, set) {
  const fill = h("span", { class: "fill" });
  const a = h("input", { type: "range", min: opts.min, max: opts.max, step: opts.step, value: lo, "aria-label": `${what}, lowest (slider)` });
  const b = h("input", { type: "range", min: opts.min, max: opts.max, step: opts.step, value: hi, "aria-label": `${what}, highest (slider)` });
  const paint = () => {
    const span = opts.max - opts.min || 1;
    fill.style.left = `${((+a.value - opts.min) / span) * 100}%`;
    fill.style.width = `${((+b.value - +a.value) / span) * 100}%`;
  };
  a.addEventListener("input", () => {
    if (+a.value > +b.value) a.value = b.value;
    paint();
    set(round(+a.value, opts.step), round(+b.value, opts.step));
  });
  b.addEventListener("input", () => {
    if (+b.value < +a.value) b.value = a.value;
    paint();
    set(round(+a.value, opts.step), round(+b.value, opts.step));
  });
  paint();
  return {
    el: h("span", { class: "dual" }, fill, a, b),
    show(x, y) {
      a.value = x;
      b.value = y;
      paint();
    },
  };
}

// rawControl edits a value as JSON; accept turns parsed JSON into the value
// to set, or undefined when it is not acceptable.
function rawControl(text, what, accept, set) {
  const area = h("textarea", { rows: 3, spellcheck: "false", "aria-label": what });
  area.value = text;
  const note = h("span", { class: "note", role: "status" });
  area.addEventListener("input", () => {
    let v;
    try {
      v = accept(JSON.parse(area.value));
    } catch {
      v = undefined;
    }
    area.setAttribute("aria-invalid", String(v === undefined));
    note.textContent = v === undefined ? "Not valid here yet: keep typing." : "";
    if (v !== undefined) set(v);
  });
  return h("span", { class: "control" }, area, note);
}

function number(opts, x, what) {
  const box = h("input", { type: "number", min: opts.min, max: opts.max, step: opts.step, "aria-label": what });
  if (isNum(x)) box.value = x;
  return box;
}

// starter is a new step of op o, with what it needs to be valid.
function starter(o) {
  if (o.name === "one_of") return { one_of: [{ op: "hflip" }, { op: "vflip" }] };
  if (o.name === "some_of") return { some_of: [{ op: "hflip" }, { op: "grayscale" }], n: [1, 2] };
  const step = { op: o.name };
  for (const p of o.params) {
    if (!p.required) continue;
    step[p.name] = p.type === "size" ? [224, 224] : p.type === "bool" ? false : p.type === "enum" ? p.enum[0] : (p.min ?? 0);
  }
  return step;
}

function kindOf(step) {
  if (!step || typeof step !== "object") return "?";
  if (step.one_of) return "one_of";
  if (step.some_of) return "some_of";
  return String(step.op ?? "?");
}

// niceStep is a slider step of about a thousandth of the span: 1, 0.1, 0.01…
function niceStep(span) {
  return 10 ** Math.floor(Math.log10(span / 1000) + 1e-9);
}

function round(x, step) {
  if (step === "any" || !step) return x;
  const d = Math.max(0, -Math.floor(Math.log10(step)));
  return Number(x.toFixed(d));
}

function numbers(v) {
  if (Array.isArray(v)) return v.filter(isNum);
  return isNum(v) ? [v] : [];
}

const isNum = (x) => typeof x === "number" && Number.isFinite(x);
const clone = (v) => JSON.parse(JSON.stringify(v ?? []));

// h makes an element: h("button", {type: "button"}, "text", child…). A
// false or null attribute is left out; true sets it empty.
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k === "checked" || k === "selected" || k === "disabled" || k === "hidden") el[k] = Boolean(v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  el.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}
