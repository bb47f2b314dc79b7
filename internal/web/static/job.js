// Draws the labels of a job's page over its images (labels.js), each frame
// from its own data-labels, and keeps them drawn as the page fills in: live.js
// patches #live with Idiomorph and then says so ("live:morphed"); a frame
// whose labels are new, or that lost its drawing, is drawn again. The
// checkboxes of .label-toggles hide a kind of label everywhere, through a
// class on <body>, which no patch touches.
import { draw } from "/static/labels.js";

const drawn = new WeakMap(); // frame → the data-labels it shows

function names() {
  try {
    return JSON.parse(document.querySelector("[data-keypoint-names]")?.dataset.keypointNames ?? "[]");
  } catch {
    return [];
  }
}

function drawAll() {
  const keypointNames = names();
  for (const frame of document.querySelectorAll(".frame[data-labels]")) {
    const json = frame.dataset.labels;
    if (drawn.get(frame) === json && frame.querySelector(".labels-svg")) continue;
    try {
      draw(frame, JSON.parse(json), Number(frame.dataset.width), Number(frame.dataset.height), keypointNames);
      drawn.set(frame, json);
    } catch (e) {
      console.error("labels", e);
    }
  }
}

function toggles() {
  for (const box of document.querySelectorAll(".label-toggles input[data-hide]")) {
    document.body.classList.toggle(`hide-${box.dataset.hide}`, !box.checked);
  }
}

// NOTE: one listener on the document, so a box the live patch put in anew
// works too.
document.addEventListener("change", (e) => {
  if (e.target.matches(".label-toggles input[data-hide]")) toggles();
});
toggles(); // a reload may bring back a box left unchecked
drawAll();
document.addEventListener("live:morphed", drawAll);

// "Copy pipeline" puts the job's pipeline (JSON) on the clipboard; where
// the clipboard API is refused (plain HTTP on a LAN name), through a
// selected textarea.
document.addEventListener("click", async (e) => {
  const button = e.target.closest("#copy-pipeline");
  if (!button) return;
  const text = button.dataset.pipeline;
  const said = document.querySelector(".job-actions .copied");
  let ok = false;
  try {
    await navigator.clipboard.writeText(text);
    ok = true;
  } catch {
    const area = Object.assign(document.createElement("textarea"), { value: text });
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.append(area);
    area.select();
    ok = document.execCommand("copy");
    area.remove();
  }
  if (said) said.textContent = ok ? "Pipeline copied." : "Copying was refused; the pipeline is under Spec below.";
});
