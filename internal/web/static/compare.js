// The compare page: side by side or a slider over the two images (its range
// input moves the edge; so does dragging on the images), and the arrow keys
// go to the previous or next variant when no control has them.
const main = document.querySelector("main.compare");
const side = document.getElementById("side");
const slider = document.getElementById("slider");
const range = document.getElementById("slider-range");
const at = document.getElementById("slider-at");

function show(view) {
  side.hidden = view !== "side";
  slider.hidden = view !== "slider";
  range.hidden = view !== "slider";
}

for (const radio of document.querySelectorAll("input[name=view]")) {
  radio.addEventListener("change", () => radio.checked && show(radio.value));
  if (radio.checked) show(radio.value); // a reload may keep the other one checked
}

function move(percent) {
  const p = Math.min(100, Math.max(0, percent));
  slider.style.setProperty("--at", `${p}%`);
  at.value = String(Math.round(p));
}
at.addEventListener("input", () => move(Number(at.value)));
slider.addEventListener("pointerdown", (e) => {
  slider.setPointerCapture(e.pointerId);
  const follow = (ev) => {
    const r = slider.getBoundingClientRect();
    move(((ev.clientX - r.left) / r.width) * 100);
  };
  follow(e);
  slider.addEventListener("pointermove", follow);
  slider.addEventListener("pointerup", () => slider.removeEventListener("pointermove", follow), { once: true });
});

document.addEventListener("keydown", (e) => {
  if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
  if (e.target.closest("input, textarea, select, [contenteditable]")) return;
  const to = e.key === "ArrowLeft" ? main.dataset.prev : e.key === "ArrowRight" ? main.dataset.next : "";
  if (to) {
    e.preventDefault();
    location.href = to;
  }
});
