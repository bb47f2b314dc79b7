// Keeps a job or batch page live: polls its JSON until it ends and redraws
// the #live element from the page whenever the JSON changes.
(function () {
  const live = document.getElementById("live");
  if (!live) return;
  const ended = (s) => s === "done" || s === "failed";
  let last = null;
  async function poll() {
    if (ended(live.dataset.status)) return;
    try {
      const r = await fetch(live.dataset.api, { headers: { Accept: "application/json" } });
      if (r.ok) {
        const j = await r.json();
        const state = JSON.stringify([j.status, (j.variants || []).length, j.counts || null]);
        if (state !== last) {
          last = state;
          const page = await fetch(location.pathname, { headers: { Accept: "text/html" } });
          const doc = new DOMParser().parseFromString(await page.text(), "text/html");
          const fresh = doc.getElementById("live");
          if (fresh) {
            live.innerHTML = fresh.innerHTML;
            Object.assign(live.dataset, fresh.dataset);
          }
        }
      }
    } catch (e) { /* try again on the next tick */ }
    setTimeout(poll, 700);
  }
  setTimeout(poll, 200);
})();
