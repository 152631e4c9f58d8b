// A recording's page: asciinema-player on the .cast, a speed choice (the player is made again
// at the same time with the new speed) and markers to jump to.
(() => {
  "use strict";
  const box = document.getElementById("replay");
  if (!box) return;
  const speed = document.getElementById("replay-speed");
  let player = null;

  function mount(startAt = 0, autoPlay = false) {
    if (player) player.dispose();
    player = AsciinemaPlayer.create(box.dataset.src, box, {
      speed: Number(speed.value), startAt, autoPlay, preload: true, fit: "width",
    });
    window.dockboardPlayer = player; // for tests and the curious
  }

  speed.addEventListener("change", () => mount(player ? player.getCurrentTime() : 0, true));
  for (const button of document.querySelectorAll("[data-seek]")) {
    button.addEventListener("click", () => player.seek(Number(button.dataset.seek)));
  }
  mount();
})();
