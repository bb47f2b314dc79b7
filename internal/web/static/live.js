// Keeps a job or batch page live. It follows the server's events for it
// (data-events: the job's or batch's JSON, sent each time it changes) and on
// each one fetches the page again and patches #live in place with Idiomorph:
// what changed is updated, the rest stays as it is, so loaded images do not
// flicker and an opened <details> stays open. Where the event stream fails it
// polls the JSON (data-api) slowly instead.
(function () {
  const live = document.getElementById("live");
  if (!live) return;
  const ended = (s) => s === "done" || s === "failed";
  if (ended(live.dataset.status)) return;
  const overlay = (node) => node.classList?.contains("labels-svg") || node.classList?.contains("labels-mask");
  const callbacks = {
    beforeAttributeUpdated: (name, el) => !(name === "open" && el.tagName === "DETAILS"),
    // labels drawn in the page (job.js) are in no fetched page: keep them,
    // and keep controls marked data-keep (the label toggles) as they are set
    beforeNodeRemoved: (node) => !overlay(node),
    beforeNodeMorphed: (old) => !(old.dataset && "keep" in old.dataset),
  };

  let busy = false, again = false;
  async function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    try {
      do {
        again = false;
        const r = await fetch(live.dataset.page, { headers: { Accept: "text/html" } });
        if (!r.ok) break;
        const fresh = new DOMParser().parseFromString(await r.text(), "text/html").getElementById("live");
        if (fresh) {
          Idiomorph.morph(live, fresh, { callbacks });
          document.dispatchEvent(new CustomEvent("live:morphed"));
        }
      } while (again);
    } catch (e) { /* the next change or poll tries again */ }
    busy = false;
  }

  let last = null;
  function seen(json) {
    if (json === last) return;
    last = json;
    refresh();
  }

  function poll() {
    if (ended(live.dataset.status)) return;
    fetch(live.dataset.api, { headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.text() : null))
      .then((t) => t && seen(t))
      .catch(() => {})
      .finally(() => setTimeout(poll, 3000));
  }

  if (!window.EventSource) { poll(); return; }
  const events = new EventSource(live.dataset.events);
  let failures = 0;
  function onEvent(e) {
    failures = 0;
    seen(e.data);
    if (ended(JSON.parse(e.data).status)) events.close();
  }
  events.addEventListener("job", onEvent);
  events.addEventListener("batch", onEvent);
  // NOTE: EventSource reconnects by itself after a dropped stream; a stream
  // refused, or failing three times running, gives way to the poll.
  events.onerror = () => {
    if (events.readyState === EventSource.CLOSED || ++failures >= 3) {
      events.close();
      poll();
    }
  };
})();
