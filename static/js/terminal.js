// The browser terminal: xterm.js bridged to Dockboard's websocket (see containers/terminal.py).
// Output arrives as binary frames that xterm.js decodes as UTF-8 across frames; input leaves as
// binary frames; what xterm.js has consumed is acknowledged so the server can bound what is in flight.
(() => {
  "use strict";
  const page = document.getElementById("terminal-page");
  if (!page) return;
  const ACK_EVERY = 128 * 1024; // each costs a send; an eighth of the flow window (containers/flow.py)
  const strings = Object.fromEntries(
    [...document.querySelectorAll("#terminal-strings li")].map((li) => [li.dataset.key, li.textContent]),
  );
  const notice = document.getElementById("terminal-notice");
  const noticeText = document.getElementById("terminal-notice-text");
  const reattach = document.getElementById("reattach");
  const startAttach = document.getElementById("start-attach");
  const watchersText = document.getElementById("terminal-watchers-text");
  const takeOver = document.getElementById("take-over");
  const endTakeover = document.getElementById("end-takeover");
  const watching = page.dataset.watch === "true";
  let typing = false; // the server takes this page's keys (a watcher's only in a take-over)
  let watcherNames = [];

  function showWatchers() {
    watchersText.textContent = watcherNames.length
      ? strings["is-watching"].replace("%(names)s", watcherNames.join(", "))
      : "";
    watchersText.hidden = !watcherNames.length;
  }

  // Output frames wait in their connection's queue and go to xterm.js one at a time, so that a
  // skip (Ctrl+C into a flood, see containers/interrupt.py) can drop what is not drawn yet.
  // Ctrl+C holds the queue until the server answers whether it skips. The answer follows what
  // is in flight (up to a megabyte in a flood), which a page parsing on takes in one frame a
  // parse at a time: 50-100 ms later than with parsing held. The server answers each Ctrl+C
  // as it reads it, before any skip, but a loaded one took more than 3 s (a full test run on two
  // cores, twice), and what the page parsed meanwhile was drawn. The wait only guards against a
  // server gone silent on an open socket; a new connection starts with nothing held.
  const INTERRUPT_WAIT = 10000; // ms: then the queue goes on, answered or not
  let output = { frames: [], parsing: false, held: null, hold() {}, release() {} };
  window.paceFrames(window, () => output.parsing || output.frames.length > 0);

  const term = new Terminal({
    cursorBlink: true,
    scrollback: 5000,
    fontSize: 14,
    screenReaderMode: page.dataset.screenReader === "true",
  });
  const fit = new FitAddon.FitAddon();
  term.loadAddon(fit);
  term.open(document.getElementById("terminal"));
  leaveWithF6(term);
  useRenderer(new URLSearchParams(location.search).get("renderer"));
  fit.fit();

  // The terminal keeps Tab and Escape (the shell and vi need them), so a keyboard user leaves
  // it with F6, as browsers move between a page's regions with F6: to the next control after
  // the terminal, or with Shift+F6 to the one before (the panel's hint says so).
  function leaveWithF6(terminal) {
    terminal.textarea?.setAttribute("aria-describedby", "terminal-leave-hint");
    terminal.attachCustomKeyEventHandler((event) => {
      if (event.key !== "F6" || event.ctrlKey || event.altKey || event.metaKey) return true;
      if (event.type !== "keydown") return false;
      event.preventDefault();
      const focusable = [...document.querySelectorAll(
        "a[href], button:not([disabled]), input:not([disabled]), select, textarea:not([disabled])",
      )].filter((element) => element.offsetParent !== null && !element.closest(".xterm"));
      const box = document.getElementById("terminal");
      const after = (element) => box.compareDocumentPosition(element) & Node.DOCUMENT_POSITION_FOLLOWING;
      const target = event.shiftKey
        ? focusable.filter((element) => !after(element)).pop()
        : focusable.find(after) || focusable[0];
      target?.focus();
      return false;
    });
  }

  // Measured (bench/terminal_browser.py): with a GPU, WebGL draws an echo sooner than the DOM
  // renderer; on a software GL (SwiftShader, llvmpipe: no GPU) it is slower at everything, so
  // the DOM renderer stays there, where WebGL is missing, when asked (?renderer=dom) or when its
  // context is lost. ?renderer=webgl takes WebGL wherever it exists. page.dataset.renderer says.
  function useRenderer(asked) {
    page.dataset.renderer = "dom";
    if (asked === "dom" || typeof WebglAddon === "undefined") return;
    if (!webglAvailable(asked === "webgl")) return;
    try {
      const webgl = new WebglAddon.WebglAddon();
      webgl.onContextLoss(() => {
        webgl.dispose();
        page.dataset.renderer = "dom";
      });
      term.loadAddon(webgl);
      page.dataset.renderer = "webgl";
    } catch (error) {
      page.dataset.renderer = "dom";
    }
  }

  function webglAvailable(evenInSoftware) {
    const gl = document.createElement("canvas").getContext("webgl2");
    if (!gl) return false;
    if (evenInSoftware) return true;
    const info = gl.getExtension("WEBGL_debug_renderer_info");
    const name = info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : "";
    gl.getExtension("WEBGL_lose_context")?.loseContext(); // this probe's context only
    return !/swiftshader|llvmpipe|softpipe|software/i.test(name);
  }

  const encoder = new TextEncoder();
  let socket = null;
  let replayNext = false; // the next frame is output from before this connection
  let replaying = false; // while it is parsed, what xterm.js answers goes nowhere
  let unacked = 0;
  let ackTimer = null;

  function say(text, buttons = []) {
    noticeText.textContent = text;
    reattach.hidden = !buttons.includes("reattach");
    startAttach.hidden = !buttons.includes("start");
    notice.hidden = !text;
  }

  function control(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function flushAck() {
    clearTimeout(ackTimer);
    ackTimer = null;
    if (unacked > 0) {
      control({ type: "ack", bytes: unacked });
      unacked = 0;
    }
  }

  function consumed(count) {
    unacked += count;
    if (unacked >= ACK_EVERY) flushAck();
    else if (!ackTimer) ackTimer = setTimeout(flushAck, 20);
  }

  function onEvent(event) {
    if (event.type === "hello") {
      term.options.convertEol = !event.tty;
      typing = event.stdin;
      const notes = [];
      if (!event.tty) notes.push(strings["no-tty"]);
      if (event.watching) notes.push(strings.watching);
      else if (!event.stdin) notes.push(strings["no-stdin"]);
      say(notes.join(" "));
      takeOver.hidden = !event.mayTakeOver;
      control({ type: "resize", cols: term.cols, rows: term.rows });
      term.focus();
    } else if (event.type === "ended") {
      const code = event.exitCode ?? "?";
      if (event.reason === "detached") say(strings.detached, ["reattach"]);
      else if (event.reason === "exited") say(strings.exited.replace("%(code)s", code), ["start"]);
      else if (event.reason === "exec-exited") say(strings["exec-exited"].replace("%(code)s", code), ["reattach"]);
      else say(strings[event.reason] || strings.closed, ["reattach"]);
      page.dataset.ended = event.reason;
    } else if (event.type === "watchers") {
      watcherNames = event.names;
      showWatchers();
    } else if (event.type === "takeover") {
      showTakeover(event);
    } else if (event.type === "replay") {
      replayNext = true;
    } else if (event.type === "interrupt") {
      if (event.skip) output.frames.length = 0; // never acknowledged: the server forgets them too
      output.release();
    } else if (event.type === "error") {
      say(event.message, ["reattach"]);
      page.dataset.ended = "error";
    }
  }

  function showTakeover(event) {
    if (watching) {
      typing = event.active;
      say(event.active ? strings["you-took-over"] : strings.watching);
      takeOver.hidden = event.active;
    } else if (event.active) {
      watchersText.textContent = strings["taken-over"].replace("%(name)s", event.name);
      watchersText.hidden = false;
    } else {
      showWatchers();
    }
    endTakeover.hidden = !event.active;
  }

  function attachUrl(extra = "") {
    const query = new URLSearchParams(extra);
    if (watching) query.set("watch", "1");
    const text = query.toString();
    return text ? `${page.dataset.attachUrl}?${text}` : page.dataset.attachUrl;
  }

  function connect(url) {
    if (socket) socket.close();
    term.reset(); // a new connection draws the recent output again
    unacked = 0;
    replayNext = false;
    replaying = false;
    delete page.dataset.ended;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${scheme}//${location.host}${url}`);
    ws.binaryType = "arraybuffer";
    ws.onopen = () => { page.dataset.connected = "true"; };
    const current = { frames: [], parsing: false, held: null };
    const feed = () => {
      if (current.parsing || current.held || !current.frames.length || socket !== ws) return;
      const { bytes, replay } = current.frames.shift();
      current.parsing = true;
      replaying = replay;
      term.write(bytes, () => {
        if (socket !== ws) return; // parsed after a reconnect: that connection is over
        current.parsing = false;
        replaying = false;
        consumed(bytes.length);
        feed();
      });
    };
    current.hold = () => { current.held ||= setTimeout(current.release, INTERRUPT_WAIT); };
    current.release = () => {
      clearTimeout(current.held);
      current.held = null;
      feed();
    };
    output = current;
    ws.onmessage = (message) => {
      if (typeof message.data === "string") onEvent(JSON.parse(message.data));
      else {
        current.frames.push({ bytes: new Uint8Array(message.data), replay: replayNext });
        replayNext = false;
        feed();
      }
    };
    ws.onclose = () => {
      page.dataset.connected = "false";
      if (socket === ws && !page.dataset.ended) say(strings.closed, ["reattach"]);
    };
    socket = ws;
  }

  // The cursor's blink (see dashboard.css): xterm.js's period, restarted by each key, as it does.
  const BLINK_MS = 600;
  const screen = document.getElementById("terminal");
  let blinkTimer = 0;
  function restartBlink() {
    clearInterval(blinkTimer);
    screen.classList.remove("cursor-off");
    blinkTimer = setInterval(() => screen.classList.toggle("cursor-off"), BLINK_MS);
  }
  restartBlink();

  term.onData((data) => {
    restartBlink();
    if (replaying) return;
    if (socket && socket.readyState === WebSocket.OPEN) {
      if (typing && data.includes("\x03")) output.hold();
      socket.send(encoder.encode(data));
    }
  });
  term.onBinary((data) => {
    if (replaying) return;
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff));
    }
  });
  term.onResize(({ cols, rows }) => control({ type: "resize", cols, rows }));

  let fitFrame = 0;
  window.addEventListener("resize", () => {
    cancelAnimationFrame(fitFrame);
    fitFrame = requestAnimationFrame(() => fit.fit());
  });

  reattach.addEventListener("click", () => { say(""); connect(attachUrl()); });
  startAttach.addEventListener("click", () => { say(""); connect(attachUrl("start=1")); });
  takeOver.addEventListener("click", () => control({ type: "takeover", active: true }));
  endTakeover.addEventListener("click", () => control({ type: "takeover", active: false }));
  document.getElementById("exec-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const query = new URLSearchParams({ command: form.get("command"), user: form.get("user") });
    say("");
    connect(`${page.dataset.execUrl}?${query}`);
  });

  // "Run in terminal" buttons (a lab's steps) type their text here.
  document.addEventListener("dockboard:type", (event) => {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(encoder.encode(event.detail));
      term.focus();
    }
  });

  // Saved for the user: every terminal of theirs opens in the mode they chose.
  const screenReader = document.getElementById("screen-reader");
  screenReader.addEventListener("change", () => {
    term.options.screenReaderMode = screenReader.checked;
    const body = new URLSearchParams({ screen_reader: screenReader.checked ? "on" : "off" });
    fetch(page.dataset.screenReaderUrl, {
      method: "POST",
      body,
      headers: { "X-CSRFToken": JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"] },
    });
  });

  window.dockboardTerminal = term; // for tests and the curious: the xterm.js instance
  if (page.dataset.running === "true") connect(attachUrl());
  else say(strings.stopped, ["start"]);
})();
