// Editing the contacts list in place. The table says once where a cell's editor and a row's menu come from
// (data-cell-url="/contacts/{id}/cells/{field}", data-menu-url="/contacts/{id}/menu"); a row carries its id
// (id="contact-N"), an editable cell its data-field. A click (not on a link) or Enter on a cell asks the server
// for the row with that cell as an editor. In the editor: Enter saves, Esc cancels, Tab and Shift+Tab save and
// open the next or previous cell, a click on another cell saves and opens that one, leaving the field saves.
// With no editor open, the arrow keys move between the editable cells.
(function () {
  "use strict";

  var EDITABLE = "table[data-cell-url] td[data-field]";
  // The cell to open once the open editor is closed (saved or left unchanged): {id, field}, found again then,
  // since the save replaces the row.
  var next = null;
  // The cell that takes the focus once its row, given back unchanged, has settled: {id, field}.
  var focusAfterSettle = null;

  function rowId(row) { return row.id.replace("contact-", ""); }
  function fill(pattern, row, field) {
    return pattern.replace("{id}", rowId(row)).replace("{field}", field || "");
  }
  function editableTable(element) { return element.closest && element.closest("table[data-cell-url]"); }
  function isCell(element) { return element && element.matches && element.matches(EDITABLE); }
  function isEditable(cell) { return isCell(cell) && !cell.classList.contains("cell-editing"); }
  function where(cell) { return { id: rowId(cell.closest("tr")), field: cell.getAttribute("data-field") }; }
  function find(place) {
    return place && document.querySelector("#contact-" + place.id + " td[data-field='" + place.field + "']");
  }
  function openEditor() { return document.querySelector("form.cell-editor"); }

  function openCell(cell) {
    var row = cell.closest("tr");
    var url = fill(editableTable(cell).getAttribute("data-cell-url"), row, cell.getAttribute("data-field"));
    return window.htmx.ajax("GET", url, { target: row, swap: "outerHTML" });
  }
  function focusCell(place) {
    var cell = find(place);
    if (cell) {
      cell.tabIndex = 0;  // before htmx:load has prepared the new row
      cell.focus();
    }
  }

  // The editor's value is still the one it opened with (nothing to save).
  function unchanged(editor) {
    var field = editor.elements.value;
    if (!field || editor.querySelector(".cell-error")) { return false; }
    if (field.tagName === "SELECT") {
      return Array.prototype.every.call(field.options, function (option) { return option.selected === option.defaultSelected; });
    }
    return field.value === field.defaultValue;
  }

  // Close the open editor: save it when it changed (the next cell opens once the save came back, see
  // "cell-saved"), else give the row back as it is and open the next cell at once.
  function closeEditor(editor, target) {
    if (editor.hasAttribute("data-sent") || editor.hasAttribute("data-cancelled")) {
      next = target || next;
      return;
    }
    var row = editor.closest("tr");
    var here = where(editor.closest("td"));
    if (!unchanged(editor)) {
      next = target;
      editor.requestSubmit();
      return;
    }
    editor.setAttribute("data-cancelled", "1");
    if (target && target.id === here.id) {  // same row: its other cell's editor gives the row back too
      openCell(find(target));
      return;
    }
    if (!target) { focusAfterSettle = here; }
    window.htmx.ajax("GET", editor.getAttribute("data-cancel-url"), { target: row, swap: "outerHTML" });
    if (target) { openCell(find(target)); }
  }

  // The editable cell after (step 1) or before (step -1) this one, across rows, or the same field in the next or
  // previous row (by "row").
  function neighbour(cell, step, byRow) {
    if (byRow) {
      var row = cell.closest("tr");
      var sibling = step > 0 ? row.nextElementSibling : row.previousElementSibling;
      return sibling && sibling.querySelector("td[data-field='" + cell.getAttribute("data-field") + "']");
    }
    var cells = Array.prototype.slice.call(editableTable(cell).querySelectorAll("td[data-field]"));
    return cells[cells.indexOf(cell) + step] || null;
  }

  // Editable cells are reachable with the keyboard and say how to edit them, the row's icons show their name on
  // hover (the rows stay light without it).
  function prepare(root) {
    var scope = root.querySelectorAll ? root : document;
    scope.querySelectorAll(".row-actions .icon-button[aria-label]").forEach(function (icon) {
      icon.title = icon.getAttribute("aria-label");
    });
    scope.querySelectorAll(EDITABLE).forEach(function (cell) {
      if (cell.classList.contains("cell-editing")) { return; }
      cell.tabIndex = 0;
      cell.title = editableTable(cell).getAttribute("data-edit-hint") || "";
    });
  }
  document.addEventListener("htmx:load", function (event) { prepare(event.detail.elt); });
  document.addEventListener("DOMContentLoaded", function () { prepare(document); });

  document.addEventListener("click", function (event) {
    var cell = event.target.closest && event.target.closest("td[data-field]");
    if (!isEditable(cell) || event.target.closest("a, button, input, select, summary")) { return; }
    var editor = openEditor();
    if (editor) {
      closeEditor(editor, where(cell));
    } else if (!next) {
      openCell(cell);
    }
  });

  var ARROWS = { ArrowRight: [1, false], ArrowLeft: [-1, false], ArrowDown: [1, true], ArrowUp: [-1, true] };
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (isEditable(target)) {
      if (event.key === "Enter") {
        event.preventDefault();
        openCell(target);
      } else if (ARROWS[event.key] && !event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
        var to = neighbour(target, ARROWS[event.key][0], ARROWS[event.key][1]);
        if (to) {
          event.preventDefault();
          to.focus();
        }
      }
      return;
    }
    var editor = target.closest && target.closest("form.cell-editor");
    if (!editor) { return; }
    if (event.key === "Escape") {
      event.preventDefault();
      var here = where(editor.closest("td"));
      editor.setAttribute("data-cancelled", "1");
      next = null;
      focusAfterSettle = here;
      window.htmx.ajax("GET", editor.getAttribute("data-cancel-url"), { target: editor.closest("tr"), swap: "outerHTML" });
    } else if (event.key === "Tab" && !event.altKey && !event.ctrlKey && !event.metaKey) {
      // An unreadable phone: Tab reaches "Enregistrer tel quel" first.
      if (!event.shiftKey && target.name === "value" && editor.querySelector("button[name=as_typed]")) { return; }
      var to = neighbour(editor.closest("td"), event.shiftKey ? -1 : 1, false);
      event.preventDefault();
      closeEditor(editor, to ? where(to) : null);
    }
  });
  // Leaving the field saves; towards another editable cell (a click on it), that cell opens next.
  document.addEventListener("focusout", function (event) {
    var editor = event.target.closest && event.target.closest("form.cell-editor");
    if (!editor || editor.contains(event.relatedTarget)) { return; }
    closeEditor(editor, isEditable(event.relatedTarget) ? where(event.relatedTarget) : null);
  });
  document.addEventListener("submit", function (event) {
    var editor = event.target;
    if (!editor.matches || !editor.matches("form.cell-editor")) { return; }
    // Enter typed before htmx has taken over the new editor would post the whole page: take it over now (its
    // listener on the form then handles this very event). Before marking it: htmx starts a form anew, forgetting
    // the button pressed, when its attributes changed.
    if (window.htmx) { window.htmx.process(editor); }
    editor.setAttribute("data-sent", "1");
  }, true);
  document.addEventListener("change", function (event) {
    var editor = event.target.closest && event.target.closest("form.cell-editor");
    if (editor && event.target.tagName === "SELECT" && !editor.hasAttribute("data-sent")) { editor.requestSubmit(); }
  });
  // A save refused (an error, a conflict, a phone to confirm) keeps its editor open: nothing else opens.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (source && source.matches && source.matches("form.cell-editor") && event.detail.xhr.status !== 200) { next = null; }
  });
  // After a save in place, the next cell opens (Tab, a click on it), else focus goes back to the saved cell.
  document.addEventListener("cell-saved", function (event) {
    var target = next;
    next = null;
    var cell = find(target);
    if (cell) {
      openCell(cell);
    } else {
      focusCell(event.detail);
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (focusAfterSettle && isEditable(find(focusAfterSettle))) {
      focusCell(focusAfterSettle);
      focusAfterSettle = null;
    }
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
