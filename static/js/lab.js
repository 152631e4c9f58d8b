// A lab session page: the countdown (with its T-5 min warning) and "Run in terminal" buttons
// that type a step's code block into the session's terminal (static/js/terminal.js).
(() => {
  "use strict";
  const strings = Object.fromEntries(
    [...document.querySelectorAll("#lab-strings li")].map((li) => [li.dataset.key, li.textContent]),
  );

  function format(seconds) {
    const m = Math.floor(seconds / 60);
    const s = String(seconds % 60).padStart(2, "0");
    return `${m}:${s}`;
  }

  let deadline = null;
  function tick() {
    const countdown = document.getElementById("countdown");
    if (!countdown) return;
    if (countdown.dataset.bound !== "true") {
      deadline = Date.now() + Number(countdown.dataset.secondsLeft) * 1000;
      countdown.dataset.bound = "true";
    }
    const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    countdown.textContent = format(left);
    const warning = document.getElementById("time-warning");
    if (warning) warning.hidden = left > Number(countdown.dataset.warnBelow);
  }
  setInterval(tick, 1000);
  tick();

  function addRunButtons(root) {
    if (!document.getElementById("terminal-page")) return;
    for (const block of root.querySelectorAll(".lab-text pre")) {
      if (block.dataset.runnable) continue;
      block.dataset.runnable = "true";
      const button = document.createElement("button");
      button.type = "button";
      button.className = "run-in-terminal";
      button.textContent = strings.run;
      button.addEventListener("click", () => {
        const text = block.querySelector("code")?.textContent ?? block.textContent;
        document.dispatchEvent(new CustomEvent("dockboard:type", { detail: text.endsWith("\n") ? text : `${text}\n` }));
      });
      block.after(button);
    }
  }
  addRunButtons(document);
  document.body.addEventListener("htmx:afterSwap", (event) => addRunButtons(event.target));

  // Told at once when the session changes under the page (an instructor's reset, extension or
  // end, the class's end): the status is asked for again, as its poll would a little later.
  const live = document.getElementById("session-status")?.dataset.live;
  if (live) {
    const url = new URL(live, window.location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const connect = () => {
      const socket = new WebSocket(url);
      socket.addEventListener("message", () => {
        const status = document.getElementById("session-status");
        if (status) htmx.trigger(status, "changed");
      });
      socket.addEventListener("close", () => setTimeout(connect, 3000));
    };
    connect();
  }
})();
