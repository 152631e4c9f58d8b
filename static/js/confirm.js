// A form marked data-confirm asks before it is sent (removing a volume loses its data).
document.addEventListener("submit", (event) => {
  const question = event.target.dataset?.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
}, true);
