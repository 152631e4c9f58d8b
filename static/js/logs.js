// A followed log keeps the last "Lines" lines on the page (as `docker logs --tail` shows them),
// so that a page left following a chatty container does not grow without end.
document.body.addEventListener("htmx:afterSwap", () => {
  const shown = document.getElementById("log-lines");
  if (!shown) return;
  const lines = shown.querySelectorAll(".log-line");
  const extra = lines.length - Number(shown.dataset.keep || 200);
  for (let i = 0; i < extra; i++) {
    const newline = lines[i].nextSibling;
    if (newline && newline.nodeType === Node.TEXT_NODE) newline.remove();
    lines[i].remove();
  }
});
