// Extremes: one op of a pipeline alone, every parameter drawn per variant at
// the low end of its range, then at the high end. A range is [a, b]; a
// number x of a parameter the catalogue (GET /api/v1/ops) gives a "jitter"
// stands for [max(floor, around − x), around + x] (color_jitter's 0.2:
// factors from [0.8, 1.2]), and a pair [x, y] of one with "into" for such a
// range of each, recorded as the "into" parameter (affine's translate, its
// offset).

// randomOps lists the ops of a pipeline that have extremes, those inside
// one_of and some_of too: {path: "i" or "i.j", label, step}.
export function randomOps(pipeline, byName) {
  const out = [];
  const visit = (s, path, label) => {
    if (s?.op) {
      if (extremes(s, byName.get(s.op))) out.push({ path, label: `${label}, ${s.op}`, step: s });
      return;
    }
    const kind = s?.one_of ? "one_of" : s?.some_of ? "some_of" : "";
    (s?.[kind] ?? []).forEach((c, j) => visit(c, `${path}.${j}`, `${label} › ${kind} ${j + 1}`));
  };
  pipeline.forEach((s, i) => visit(s, String(i), `step ${i + 1}`));
  return out;
}

// at finds the step of randomOps' path in a pipeline.
export function at(pipeline, path) {
  const [i, ...rest] = path.split(".").map(Number);
  let s = pipeline[i];
  for (const j of rest) s = (s?.one_of ?? s?.some_of)?.[j];
  return s;
}

// extremes is {names, low, high}: the step (without p) at the low and at the
// high ends of its drawn parameters, or null when it draws nothing.
export function extremes(step, op) {
  if (!op) return null;
  const { p: _, ...rest } = step;
  const low = { ...rest };
  const high = { ...rest };
  const names = [];
  for (const p of op.params) {
    if (p.name === "p") continue;
    const v = step[p.name] ?? p.default;
    const j = p.jitter;
    if (Array.isArray(v) && v.length === 2 && j?.into) {
      if (step[j.into] !== undefined || (v[0] === 0 && v[1] === 0)) continue; // given: nothing drawn
      low[j.into] = v.map((x) => j.around - x);
      high[j.into] = v.map((x) => j.around + x);
    } else if (Array.isArray(v) && v.length === 2 && typeof v[0] === "number" && (p.type === "range" || p.type === "int")) {
      if (v[0] === v[1]) continue;
      low[p.name] = [v[0], v[0]];
      high[p.name] = [v[1], v[1]];
    } else if (typeof v === "number" && j && v !== 0) {
      const lo = Math.max(j.floor ?? -Infinity, j.around - v);
      low[p.name] = [lo, lo];
      high[p.name] = [j.around + v, j.around + v];
    } else {
      continue;
    }
    names.push(p.name);
  }
  return names.length ? { names, low, high } : null;
}
