// Asks before destructive actions. Loaded as a file: the Content-Security-Policy allows no inline script.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  // The question mark of the page's language: full-width in Chinese.
  const mark = document.documentElement.lang.startsWith("zh") ? "？" : "?";
  if (button && button.classList.contains("danger") && !window.confirm(button.textContent.trim() + mark)) event.preventDefault();
});

// Kanban board: dropping a deal card on another stage column moves it in place (the
// card's own stage form, sent in the background); a lost stage first asks the reason.
// Without JavaScript the same form works with its select and button.
document.addEventListener("dragstart", (event) => {
  const card = event.target.closest && event.target.closest(".deal");
  if (card) event.dataTransfer.setData("text/plain", card.dataset.deal);
});
document.addEventListener("dragover", (event) => {
  if (event.target.closest && event.target.closest(".column")) event.preventDefault();
});
document.addEventListener("drop", async (event) => {
  const column = event.target.closest && event.target.closest(".column");
  if (!column) return;
  event.preventDefault();
  const card = document.querySelector(`.deal[data-deal="${CSS.escape(event.dataTransfer.getData("text/plain"))}"]`);
  if (!card || card.closest(".column") === column) return;
  let reason = "";
  if (column.dataset.outcome === "lost") {
    reason = await askLossReason();
    if (reason === null) return;
  }
  moveCard(card, column, reason);
});

function askLossReason() {
  const dialog = document.getElementById("loss-reason");
  if (!dialog) return Promise.resolve("");
  const text = dialog.querySelector("textarea");
  text.value = "";
  return new Promise((resolve) => {
    const done = (value) => { dialog.close(); resolve(value); };
    dialog.querySelector("[data-cancel]").onclick = () => done(null);
    dialog.querySelector("form").onsubmit = (event) => {
      event.preventDefault();
      if (text.value.trim()) done(text.value.trim());
    };
    dialog.oncancel = () => resolve(null);
    dialog.showModal();
    text.focus();
  });
}

async function moveCard(card, column, reason) {
  const form = card.querySelector("form.move");
  const from = card.closest(".column");
  form.querySelector("select[name=stage_id]").value = column.dataset.stage;
  form.querySelector("input[name=loss_reason]").value = reason;
  const status = document.querySelector(".board-status");
  const response = await fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin", headers: { Accept: "application/json" } });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    form.querySelector("select[name=stage_id]").value = from.dataset.stage;
    if (status) { status.textContent = answer.error || response.statusText; status.classList.add("error"); }
    return;
  }
  if (status) { status.textContent = ""; status.classList.remove("error"); }
  form.querySelector("input[name=version]").value = answer.version;
  const amount = Number(card.dataset.amount);
  const weighted = Number(card.dataset.weighted);
  const newWeighted = Math.round(amount * Number(answer.probability) / 100);
  adjust(from, -1, -amount, -weighted);
  adjust(column, 1, amount, newWeighted);
  card.dataset.weighted = String(newWeighted);
  const head = column.querySelector(".column-head");
  head.after(card);
}

// A column's totals after a card leaves or arrives.
function adjust(column, count, amount, weighted) {
  const money = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  column.dataset.count = String(Number(column.dataset.count) + count);
  column.dataset.amount = String(Number(column.dataset.amount) + amount);
  column.dataset.weighted = String(Number(column.dataset.weighted) + weighted);
  column.querySelector(".count").textContent = column.dataset.count;
  column.querySelector(".amount").textContent = money.format(Number(column.dataset.amount) / 100);
  column.querySelector(".weighted").textContent = money.format(Number(column.dataset.weighted) / 100);
}

// Record pickers: a <select data-pick="customers"> gets a search box that asks
// /pick/<kind>?q=… and offers what it finds in the whole file (under the reader's
// permissions); the first match is chosen. The select stays the form's field, so the
// form works the same without this script, with the choices the page came with.
// Options that name no record ("—", the shared pool, "by the routing rules") stay.
// data-pick-customer narrows the search to one customer's records: the customer's id, or
// the name of the form field that holds it — a new customer there starts the list over.
const recordID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
for (const select of document.querySelectorAll("select[data-pick]")) {
  const box = document.createElement("input");
  box.type = "search";
  box.className = "pick-search";
  box.placeholder = select.dataset.placeholder || "";
  box.setAttribute("aria-label", box.placeholder);
  box.maxLength = 100;
  select.before(box);
  const narrowing = select.dataset.pickCustomer || "";
  const customerField = narrowing && !recordID.test(narrowing) && select.form ? select.form.elements.namedItem(narrowing) : null;
  const customer = () => (customerField ? customerField.value : narrowing);
  let timer;
  let asked = 0;
  const offer = async (term, keepChosen) => {
    const ask = ++asked;
    let address = `/pick/${encodeURIComponent(select.dataset.pick)}?q=${encodeURIComponent(term)}`;
    if (narrowing) {
      if (!recordID.test(customer())) {
        select.replaceChildren(...[...select.options].filter((option) => !recordID.test(option.value)));
        return;
      }
      address += `&customer=${encodeURIComponent(customer())}`;
    }
    const response = await fetch(address, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok || ask !== asked) return;
    const hits = await response.json();
    const chosen = keepChosen ? select.selectedOptions[0] : null;
    select.replaceChildren(...[...select.options].filter((option) => !recordID.test(option.value) || option === chosen));
    if (!chosen) select.value = "";
    for (const hit of hits) {
      if (chosen && hit.id === chosen.value) continue;
      const option = new Option(hit.detail ? `${hit.label} · ${hit.detail}` : hit.label, hit.id);
      option.dataset.label = hit.label;
      select.append(option);
    }
    if (term && hits.length) select.value = hits[0].id;
    select.dispatchEvent(new Event("change", { bubbles: true }));
  };
  box.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => offer(box.value.trim(), true), 200);
  });
  // data-pick-into: a picker that adds to a list (an activity's participants). What it
  // shows — chosen from the list, or the first match of what was typed — becomes a ticked
  // box in the element of that id with its Add button or Enter, and the picker is free
  // for the next one. (Not on "change": arrow keys on a closed list fire it too.)
  const into = select.dataset.pickInto ? document.getElementById(select.dataset.pickInto) : null;
  if (into) {
    const add = () => {
      const option = select.selectedOptions[0];
      if (!option || !recordID.test(option.value)) return;
      const already = [...into.querySelectorAll("input")].find((input) => input.name === select.name && input.value === option.value);
      if (already) already.checked = true;
      else {
        const label = document.createElement("label");
        label.className = "check";
        const tick = document.createElement("input");
        Object.assign(tick, { type: "checkbox", name: select.name, value: option.value, checked: true });
        label.append(tick, " " + (option.dataset.label || option.textContent));
        into.append(label);
      }
      option.remove();
      select.value = "";
      box.value = "";
    };
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary pick-add";
    button.textContent = select.dataset.addLabel || "+";
    button.addEventListener("click", add);
    select.after(button);
    box.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();
      add();
    });
  }
  if (customerField) {
    let shown = customerField.value;
    customerField.addEventListener("change", () => {
      if (customerField.value === shown) return;
      shown = customerField.value;
      box.value = "";
      offer("", false);
    });
  }
}

// The menu: one heading open at a time, closed by a click elsewhere or Escape.
// Shortcuts: "/" goes to the search box, "n" opens the quick-create menu.
document.addEventListener("toggle", (event) => {
  const opened = event.target;
  if (!opened.matches || !opened.matches(".menu-group") || !opened.open) return;
  for (const other of document.querySelectorAll(".menu-group[open]")) if (other !== opened) other.open = false;
}, true);
document.addEventListener("click", (event) => {
  if (event.target.closest && event.target.closest(".menu-group")) return;
  for (const open of document.querySelectorAll(".menu-group[open]")) open.open = false;
});
document.addEventListener("keydown", (event) => {
  const typing = event.target.closest && event.target.closest("input, textarea, select, [contenteditable]");
  if (event.key === "Escape") {
    for (const open of document.querySelectorAll(".menu-group[open], .inline-edit[open]")) open.open = false;
    return;
  }
  if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "/") {
    const search = document.querySelector("form.search input[name=q]");
    if (search) { event.preventDefault(); search.focus(); }
  } else if (event.key === "n") {
    const create = document.querySelector(".quick-create");
    if (create) { event.preventDefault(); create.open = true; create.querySelector("a")?.focus(); }
  }
});

// Lists: the heading's box ticks every row of the page; on a phone the filters start
// folded, so the first records are on the first screen.
document.addEventListener("change", (event) => {
  if (!event.target.matches || !event.target.matches("input.select-all")) return;
  for (const box of event.target.closest("table").querySelectorAll("tbody input[name=ids]")) box.checked = event.target.checked;
});
if (window.matchMedia("(max-width: 700px)").matches) {
  for (const filters of document.querySelectorAll("details.filters")) filters.open = false;
}

// Record pages: a field's ✎ opens a form of that one field (a <details>, so it works
// without script). With script the form saves in the background; the page's record parts
// ([data-refresh]: the header's facts, the fields, the timeline) are then drawn anew from
// the server, so they agree with what was saved and every form holds the new version.
document.addEventListener("toggle", (event) => {
  const edit = event.target;
  if (!edit.matches || !edit.matches(".inline-edit") || !edit.open) return;
  const input = edit.querySelector("input:not([type=hidden]), select");
  if (input) input.focus();
}, true);
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!form.matches || !form.matches("form[data-inline]")) return;
  event.preventDefault();
  const status = form.querySelector(".error");
  const field = form.querySelector("input[name=field]").value;
  const response = await fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin", headers: { Accept: "application/json" } });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) { status.textContent = answer.error || response.statusText; return; }
  await redrawRecord();
  const again = document.querySelector(`form[data-inline] input[name=field][value="${CSS.escape(field)}"]`);
  if (again) again.closest("details").querySelector("summary").focus();
});

async function redrawRecord() {
  const page = await fetch(location.pathname + location.search, { credentials: "same-origin" });
  if (!page.ok) { location.reload(); return; }
  const fresh = new DOMParser().parseFromString(await page.text(), "text/html").querySelectorAll("[data-refresh]");
  const shown = document.querySelectorAll("[data-refresh]");
  if (fresh.length !== shown.length) { location.reload(); return; }
  shown.forEach((node, at) => node.replaceWith(document.importNode(fresh[at], true)));
}

// Printouts (letters, labels, envelopes): the button opens the browser's print dialogue.
document.addEventListener("click", (event) => {
  if (event.target.matches && event.target.matches("button.print-now")) window.print();
});
