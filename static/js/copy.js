// A button marked data-copy="#field" copies that field's text, and the page says so. The
// clipboard API needs a secure context (https or loopback); elsewhere the text is selected
// and copied the old way.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  const field = button && document.querySelector(button.dataset.copy);
  if (!field) return;
  try {
    await navigator.clipboard.writeText(field.value);
  } catch {
    field.select();
    document.execCommand("copy");
  }
  const said = document.querySelector(".copied");
  if (said) said.hidden = false;
});
