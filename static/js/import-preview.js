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

  // htmx:load is sent by the new row itself (the replaced one is out of the page by then).
  document.addEventListener("htmx:load", function (event) {
    var row = event.target;
    if (!row.matches || !row.matches("tr.import-row") || row.classList.contains("import-editing")) { return; }
    var button = row.querySelector("button[value^='edit-']");
    if (button) { button.focus(); }
  });
})();
