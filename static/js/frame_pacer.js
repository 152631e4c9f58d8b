// Adaptive frame rate, as iTerm2 and tmux do it and xterm.js#4135 proposes: while output waits
// to be parsed (a flood: `cat` of a big file, a build log), frames come at most every
// FLOOD_FRAME_GAP ms and the time between goes to parsing; a frame after a key is never held
// back, nor any frame once the output is parsed. xterm.js has no option for this and asks the
// window for its frames, so the terminal page paces the window's requestAnimationFrame.
window.paceFrames = (win, behind) => {
  "use strict";
  const FLOOD_FRAME_GAP = 30; // ms: about 30 frames a second, on a 60 Hz screen or faster
  const nativeRequest = win.requestAnimationFrame.bind(win);
  const nativeCancel = win.cancelAnimationFrame.bind(win);
  const requests = new Map(); // a caller's id -> the native request standing for it now
  let lastId = 0;
  let drawnAt = -Infinity;
  let decidedAt = null;
  let holding = false;
  let typed = false;

  win.addEventListener("keydown", () => { typed = true; }, true);

  function hold(frameTime) {
    if (frameTime !== decidedAt) { // one answer for every callback of a frame
      decidedAt = frameTime;
      holding = !typed && frameTime - drawnAt < FLOOD_FRAME_GAP && behind();
      if (!holding) {
        drawnAt = frameTime;
        typed = false;
      }
    }
    return holding;
  }

  win.requestAnimationFrame = (callback) => {
    const id = ++lastId;
    const frame = (frameTime) => {
      if (hold(frameTime)) {
        requests.set(id, nativeRequest(frame));
      } else {
        requests.delete(id);
        callback(frameTime);
      }
    };
    requests.set(id, nativeRequest(frame));
    return id;
  };
  win.cancelAnimationFrame = (id) => {
    nativeCancel(requests.get(id));
    requests.delete(id);
  };
};
