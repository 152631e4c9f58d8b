"""One method for the browser echo, used for Dockboard and its peer alike (bench/terminal_peer.py)
and for each of Dockboard's renderers (bench/terminal_browser.py).

The probe, in every frame of a page, times from the key's keydown event to the frame that shows
the echo: the first drawing after the echo arrived (a DOM row of xterm.js's DOM renderer, or a
glyph on a canvas or in WebGL), and then the task after that frame, when its pixels are painted.
It also notes when the echo arrived at the page (the first websocket message after the key), and
when a command's output ends (its END-2 marker). It reads no page's code: install it before the
page loads (Playwright's add_init_script, DevTools' Page.addScriptToEvaluateOnNewDocument)."""

import random
import time
from collections.abc import Callable

from terminal import percentiles

PROBE = """(() => {
  const top = window.top;  // both pages' frames are of one origin
  const now = () => performance.timeOrigin + performance.now();
  const state = () => top.__echo || (top.__echo = { pending: null, now });
  window.addEventListener("keydown", (event) => {
    if (event.key === "Enter") state().enterAt = performance.timeOrigin + event.timeStamp;
    if (event.key.length !== 1) return;
    let resolve;
    const done = new Promise((settle) => { resolve = settle; });
    state().pending = { key: performance.timeOrigin + event.timeStamp, arrived: null, resolve };
    state().done = done;
  }, true);
  const decoder = new TextDecoder();
  let tail = "";
  function marked(text, at) {
    const joined = tail + text;
    tail = joined.includes("END-2") ? "" : joined.slice(-4);  // split between two messages
    if (!tail) state().endAt = at;
  }
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (message) => {
        const data = message.data, at = now();
        if (data instanceof Blob) data.text().then((text) => marked(text, at));  // Cockpit's
        else marked(typeof data === "string" ? data : decoder.decode(data), at);
        const pending = state().pending;
        if (pending && pending.arrived === null) pending.arrived = now();
      });
    }
  };
  function drawn() {
    state().drawnAt = now();
    const pending = state().pending;
    if (!pending || pending.arrived === null || pending.drawn) return;
    pending.drawn = now();
    const channel = new MessageChannel();  // a task queued now runs once the frame is painted
    channel.port1.onmessage = () => {
      state().pending = null;
      pending.resolve([pending.arrived - pending.key, pending.drawn - pending.key,
                       now() - pending.key]);
    };
    channel.port2.postMessage(null);
  }
  const hooks = [
    [window.CanvasRenderingContext2D, ["drawImage", "fillText"]],
    [window.WebGL2RenderingContext, ["drawArrays", "drawElements", "drawArraysInstanced",
                                     "drawElementsInstanced"]],
  ];
  for (const [kind, names] of hooks) {
    for (const name of names) {
      const native = kind && kind.prototype[name];
      if (!native) continue;
      kind.prototype[name] = function (...args) {
        if (!this.canvas.classList.contains("xterm-cursor-layer")) drawn();  // not the blink
        return native.apply(this, args);
      };
    }
  }
  new MutationObserver((records) => {
    if (records.some((r) => (r.target.nodeType === 1 ? r.target : r.target.parentElement)
        ?.closest?.(".xterm-rows"))) drawn();
  }).observe(document, { subtree: true, childList: true, characterData: true });
})();"""


def echo_figures(echo: Callable[[], list[float]], keys: int, gaps: tuple[float, float]) -> str:
    """``keys`` echoes, ``gaps`` seconds apart at random; ``echo`` presses a key and answers the
    probe's [arrived, drawn, painted] milliseconds."""
    arrived, drawn, painted = [], [], []
    for _ in range(keys):
        time.sleep(random.uniform(*gaps))
        for samples, ms in zip((arrived, drawn, painted), echo(), strict=True):
            samples.append(ms / 1000)
    (p50, p99), (a50, a99), (d50, d99) = map(percentiles, (painted, arrived, drawn))
    return (
        f"p50 {p50:.1f} / p99 {p99:.1f} ms to the pixels (arrived {a50:.1f} / {a99:.1f}, "
        f"drawn {d50:.1f} / {d99:.1f})"
    )
