// A live page: its websocket (htmx's ws extension) swaps in what changed. While a list's socket
// is down the page says so and polls; swaps keep the boxes ticked and the focus in place.
(() => {
  const live = document.querySelector("[ws-connect]");
  if (!live) return;
  const notice = document.getElementById("live-notice");
  const filters = document.getElementById("filters");
  let socket = null;
  let polling = null;
  let kept = null;
  let leaving = false; // a second assign would abort the first navigation

  function poll() {
    const table = live.dataset.liveTable && document.querySelector(live.dataset.liveTable);
    if (table) htmx.trigger(table, "poll");
  }

  function sendFilters() {
    if (!socket || !filters || !live.dataset.liveTable) return;
    const wanted = Object.fromEntries(new FormData(filters));
    socket.send(JSON.stringify({ state: wanted.state || "", q: wanted.q || "", sort: wanted.sort || "" }));
  }

  live.addEventListener("htmx:wsOpen", (event) => {
    socket = event.detail.socketWrapper;
    live.dataset.connected = "true";
    if (notice) notice.hidden = true;
    clearInterval(polling);
    polling = null;
    sendFilters();
  });
  live.addEventListener("htmx:wsClose", () => {
    socket = null;
    live.dataset.connected = "false";
    if (notice) notice.hidden = false;
    if (!polling && live.dataset.liveTable) polling = setInterval(poll, Number(live.dataset.pollMs || 2000));
  });

  // A search swaps the table over HTTP; the socket then follows the new filters.
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (live.dataset.liveTable && event.target.id === live.dataset.liveTable.slice(1)) sendFilters();
  });

  live.addEventListener("htmx:wsBeforeMessage", () => {
    const focused = document.activeElement;
    const row = focused && focused.closest("tr[id]");
    kept = {
      ticked: new Set(Array.from(live.querySelectorAll("input[name=ids]:checked"), (box) => box.value)),
      focus: row ? { row: row.id, name: focused.name, value: focused.value, tag: focused.tagName } : null,
    };
  });
  live.addEventListener("htmx:wsAfterMessage", () => {
    const next = live.querySelector("[data-next-url]");
    if (next && !leaving) { // the pull's follow-up is done: go on, once
      leaving = true;
      window.location.assign(next.dataset.nextUrl);
    }
    if (!kept) return;
    for (const box of live.querySelectorAll("input[name=ids]")) box.checked = kept.ticked.has(box.value);
    const focus = kept.focus;
    if (focus && !document.activeElement?.closest("tr[id]")) {
      const row = document.getElementById(focus.row);
      const again = row && Array.from(row.querySelectorAll(focus.tag)).find(
        (element) => element.name === focus.name && element.value === focus.value);
      if (again) again.focus();
    }
    kept = null;
  });
})();
