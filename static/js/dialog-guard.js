// Closing a dialog after typing in it (Esc, ✕, Annuler) asks first, in the page's own dialog
// (partials/_discard_dialog.html, copied from its <template> while asked), never with confirm(). A dialog counts as
// changed once one of its form fields received input; searching (a picker's search box) is not a change. A save
// that closes the dialog (the server empties #dialog-slot) does not ask.
(function () {
  "use strict";

  var waiting = null;  // the dialog whose closing waits for the answer

  function guard() { return document.getElementById("discard-dialog"); }

  function changed(dialog) {
    return !!dialog && dialog !== guard() && dialog.open && dialog.hasAttribute("data-changed");
  }

  function markChanged(event) {
    var field = event.target;
    if (!field || !field.form || !field.closest) { return; }
    if (field.type === "search" || field.hasAttribute("data-filter-checkboxes")) { return; }
    var dialog = field.closest("dialog");
    if (dialog && dialog !== guard()) { dialog.setAttribute("data-changed", ""); }
  }
  document.addEventListener("input", markChanged, true);
  document.addEventListener("change", markChanged, true);

  function ask(dialog) {
    var template = document.getElementById("discard-dialog-template");
    if (guard() || !template) { return false; }
    var box = template.content.firstElementChild.cloneNode(true);
    box.addEventListener("close", function () { box.remove(); });
    document.body.appendChild(box);
    waiting = dialog;
    box.showModal();
    box.querySelector("[data-discard-keep]").focus();
    return true;
  }

  function topDialog() {
    var open = document.querySelectorAll("dialog[open]");
    return open.length ? open[open.length - 1] : null;
  }

  // ✕ and Annuler: asked in the capture phase, before app.js closes the dialog.
  document.addEventListener("click", function (event) {
    var closer = event.target.closest && event.target.closest("[data-close-dialog]");
    var dialog = closer && closer.closest("dialog");
    if (changed(dialog) && ask(dialog)) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  // Esc: stopped before the browser turns it into a close request; "cancel" covers any other close request.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var dialog = topDialog();
    if (changed(dialog) && ask(dialog)) { event.preventDefault(); }
  }, true);
  document.addEventListener("cancel", function (event) {
    if (changed(event.target) && ask(event.target)) { event.preventDefault(); }
  }, true);

  document.addEventListener("click", function (event) {
    var box = guard();
    if (!box || !event.target.closest || !box.contains(event.target)) { return; }
    if (event.target.closest("[data-discard-keep]")) {
      box.close();
    } else if (event.target.closest("[data-discard-confirm]")) {
      box.close();
      if (waiting && waiting.open) {
        waiting.removeAttribute("data-changed");
        waiting.close();
      }
      waiting = null;
    }
  });
})();
