// Asks before destructive actions. Loaded as a file: the Content-Security-Policy allows no inline script.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  if (button && button.classList.contains("danger") && !window.confirm(button.textContent.trim() + "?")) event.preventDefault();
});
