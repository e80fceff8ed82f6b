// jiandu's pages work without this script; it only asks before an action that cannot be undone.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const action = form.dataset && form.dataset.action;
  if (action === "return" || action === "not_accept" || action === "resolve") {
    const label = form.querySelector("button") ? form.querySelector("button").textContent : action;
    if (!window.confirm("确认" + label + "？ Confirm?")) {
      event.preventDefault();
    }
  }
});
