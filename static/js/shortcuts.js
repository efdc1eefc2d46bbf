// Keyboard shortcuts: "/" focuses the page's search, "n" opens its "Ajouter", "?" lists the shortcuts (the list is
// partials/_shortcuts_dialog.html, copied from its <template> while open). The page marks its targets with
// data-shortcut="/" or "n". None fires while typing in a field, with Ctrl, Alt or Meta held, or under an open dialog.
(function () {
  "use strict";

  function typing(target) {
    if (!target || !target.closest) { return false; }
    return !!target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']");
  }

  function openList() {
    var template = document.getElementById("shortcuts-dialog-template");
    if (!template || document.getElementById("shortcuts-dialog")) { return; }
    var dialog = template.content.firstElementChild.cloneNode(true);
    dialog.addEventListener("close", function () { dialog.remove(); });
    document.body.appendChild(dialog);
    dialog.showModal();
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey || event.isComposing) { return; }
    if (typing(event.target) || document.querySelector("dialog[open]")) { return; }
    if (event.key === "?") {
      event.preventDefault();
      openList();
      return;
    }
    var key = event.key === "/" ? "/" : (event.key === "n" || event.key === "N") && !event.shiftKey ? "n" : null;
    var target = key && document.querySelector("[data-shortcut='" + key + "']");
    if (!target) { return; }
    event.preventDefault();  // "/" must not be typed into the box it focuses, nor start Firefox's quick find
    if (target.matches("input, textarea, select")) {
      target.focus();
      if (target.select) { target.select(); }
    } else {
      target.click();
    }
  });
})();
