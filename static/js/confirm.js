// A form (or the button that sends it) marked data-confirm asks before it is sent: removing a
// volume loses its data, killing a container gives its processes no chance to clean up.
document.addEventListener("submit", (event) => {
  const question = event.submitter?.dataset?.confirm || event.target.dataset?.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
}, true);
