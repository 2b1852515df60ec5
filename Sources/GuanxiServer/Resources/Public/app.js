// Asks before destructive actions. Loaded as a file: the Content-Security-Policy allows no inline script.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  if (button && button.classList.contains("danger") && !window.confirm(button.textContent.trim() + "?")) event.preventDefault();
});

// Kanban board: dropping a deal card on another stage column submits the card's own
// stage form (the same form that works without JavaScript), with the new stage chosen.
document.addEventListener("dragstart", (event) => {
  const card = event.target.closest && event.target.closest(".deal");
  if (card) event.dataTransfer.setData("text/plain", card.dataset.deal);
});
document.addEventListener("dragover", (event) => {
  if (event.target.closest && event.target.closest(".column")) event.preventDefault();
});
document.addEventListener("drop", (event) => {
  const column = event.target.closest && event.target.closest(".column");
  if (!column) return;
  event.preventDefault();
  const card = document.querySelector(`.deal[data-deal="${CSS.escape(event.dataTransfer.getData("text/plain"))}"]`);
  if (!card || card.closest(".column") === column) return;
  const form = card.querySelector("form.move");
  form.querySelector("select[name=stage_id]").value = column.dataset.stage;
  form.submit();
});
