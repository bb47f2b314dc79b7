// Polls the job until it ends, redrawing the page when something changes.
(function () {
  const main = document.getElementById("job");
  if (!main) return;
  const ended = (s) => s === "done" || s === "failed";
  async function poll() {
    if (ended(main.dataset.status)) return;
    try {
      const r = await fetch("/api/v1/jobs/" + main.dataset.id, { headers: { Accept: "application/json" } });
      if (r.ok) {
        const job = await r.json();
        if (job.status !== main.dataset.status || String(job.variants.length) !== main.dataset.variants) {
          const page = await fetch(location.pathname, { headers: { Accept: "text/html" } });
          const doc = new DOMParser().parseFromString(await page.text(), "text/html");
          const fresh = doc.getElementById("job");
          if (fresh) {
            main.innerHTML = fresh.innerHTML;
            main.dataset.status = fresh.dataset.status;
            main.dataset.variants = fresh.dataset.variants;
          }
        }
      }
    } catch (e) { /* try again on the next tick */ }
    setTimeout(poll, 700);
  }
  setTimeout(poll, 300);
})();
