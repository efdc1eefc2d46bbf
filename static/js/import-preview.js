// The import preview's card editor (partials/contacts/_import_row_editor.html): Esc gives the row back unchanged,
// as "Annuler" does; once the row comes back (saved or not), its "Corriger" button takes the focus again.
(function () {
  "use strict";

  document.addEventListener("keydown", function (event) {
    var editor = event.target.closest && event.target.closest("form.import-card-editor");
    if (event.key !== "Escape" || !editor) { return; }
    event.preventDefault();
    window.htmx.ajax("GET", editor.getAttribute("data-cancel-url"), { target: editor.closest("tr"), swap: "outerHTML" });
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var row = event.detail.target;
    if (!row || !row.matches || !row.matches("tr.import-row") || row.classList.contains("import-editing")) { return; }
    var fresh = document.getElementById(row.id);  // the swapped row replaced the target
    var button = fresh && fresh.querySelector("button[value^='edit-']");
    if (button) { button.focus(); }
  });
})();
