// Editing the contacts list in place. The table says once where a cell's editor and a row's menu come from
// (data-cell-url="/contacts/{id}/cells/{field}", data-menu-url="/contacts/{id}/menu"); a row carries its id
// (id="contact-N"), an editable cell its data-field. A click (not on a link) or Enter on a cell asks the server
// for the row with that cell as an editor; in the editor Enter or leaving the field saves, Esc cancels.
(function () {
  "use strict";

  function rowId(row) { return row.id.replace("contact-", ""); }
  function fill(pattern, row, field) {
    return pattern.replace("{id}", rowId(row)).replace("{field}", field || "");
  }
  function editableTable(element) { return element.closest && element.closest("table[data-cell-url]"); }
  function isEditable(cell) {
    return cell && cell.matches && cell.matches("td[data-field]:not(.cell-editing)") && editableTable(cell);
  }

  function openCell(cell) {
    var row = cell.closest("tr");
    var url = fill(editableTable(cell).getAttribute("data-cell-url"), row, cell.getAttribute("data-field"));
    window.htmx.ajax("GET", url, { target: row, swap: "outerHTML" });
  }

  // Editable cells are reachable with the keyboard and say how to edit them, the row's icons show their name on
  // hover (the rows stay light without it).
  function prepare(root) {
    var scope = root.querySelectorAll ? root : document;
    scope.querySelectorAll(".row-actions .icon-button[aria-label]").forEach(function (icon) {
      icon.title = icon.getAttribute("aria-label");
    });
    scope.querySelectorAll("table[data-cell-url] td[data-field]").forEach(function (cell) {
      if (cell.classList.contains("cell-editing")) { return; }
      cell.tabIndex = 0;
      cell.title = editableTable(cell).getAttribute("data-edit-hint") || "";
    });
  }
  document.addEventListener("htmx:load", function (event) { prepare(event.detail.elt); });
  document.addEventListener("DOMContentLoaded", function () { prepare(document); });

  document.addEventListener("click", function (event) {
    var cell = event.target.closest && event.target.closest("td[data-field]");
    if (isEditable(cell) && !event.target.closest("a, button, input, select, summary")) { openCell(cell); }
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && isEditable(target)) {
      event.preventDefault();
      openCell(target);
      return;
    }
    var editor = target.closest && target.closest("form.cell-editor");
    if (editor && event.key === "Escape") {
      event.preventDefault();
      editor.setAttribute("data-cancelled", "1");
      window.htmx.ajax("GET", editor.getAttribute("data-cancel-url"), { target: editor.closest("tr"), swap: "outerHTML" });
    }
  });
  document.addEventListener("focusout", function (event) {
    var editor = event.target.closest && event.target.closest("form.cell-editor");
    if (!editor || editor.contains(event.relatedTarget) || editor.hasAttribute("data-cancelled") ||
        editor.hasAttribute("data-sent")) { return; }
    editor.requestSubmit();
  });
  document.addEventListener("submit", function (event) {
    if (event.target.matches && event.target.matches("form.cell-editor")) { event.target.setAttribute("data-sent", "1"); }
  }, true);
  document.addEventListener("change", function (event) {
    var editor = event.target.closest && event.target.closest("form.cell-editor");
    if (editor && event.target.tagName === "SELECT") { editor.requestSubmit(); }
  });
  // After a save in place, focus goes back to the cell that was edited.
  document.addEventListener("cell-saved", function (event) {
    var cell = document.querySelector("#contact-" + event.detail.id + " td[data-field='" + event.detail.field + "']");
    if (cell) { cell.focus(); }
  });

  // "Plus d'actions": its entries load the first time it opens (toggle does not bubble: listen while capturing).
  document.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (!menu.matches || !menu.matches("details.row-menu") || !menu.open || menu.hasAttribute("data-loaded")) { return; }
    var table = menu.closest("table[data-menu-url]");
    var list = menu.querySelector("ul.menu");
    if (!table || !list) { return; }
    menu.setAttribute("data-loaded", "1");
    window.htmx.ajax("GET", fill(table.getAttribute("data-menu-url"), menu.closest("tr")), { target: list, swap: "outerHTML" });
  }, true);
}());
