// The little the server cannot do: show toasts sent in HX-Trigger, open and close dialogs, keep focus sane.
(function () {
  "use strict";

  function showToast(message, level, undoUrl) {
    var region = document.getElementById("toasts");
    if (!region || !message) { return; }
    var toast = document.createElement("div");
    toast.className = "toast toast-" + (level || "success");
    toast.setAttribute("role", level === "error" ? "alert" : "status");
    var text = document.createElement("span");
    text.textContent = message;
    toast.appendChild(text);
    if (undoUrl) {  // "Annuler" stays for 15 seconds
      var undo = document.createElement("button");
      undo.type = "button";
      undo.className = "link-button toast-undo";
      undo.textContent = document.documentElement.lang === "en" ? "Undo" : "Annuler";
      undo.addEventListener("click", function () {
        undo.disabled = true;
        window.htmx.ajax("POST", undoUrl, { source: document.getElementById("app"), target: "#dialog-slot",
                                           swap: "innerHTML" });
        toast.remove();
      });
      toast.appendChild(undo);
    }
    region.appendChild(toast);
    setTimeout(function () { toast.remove(); }, undoUrl ? 15000 : 8000);
  }

  document.addEventListener("toast-shown", function (event) {
    var detail = event.detail || {};
    showToast(detail.message, detail.level, detail.undo);
  });

  // Error toasts rendered by the server are removed after a while too.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "toasts") {
      var last = event.detail.target.lastElementChild;
      if (last) { setTimeout(function () { last.remove(); }, 10000); }
    }
  });

  // A network failure is said where the user looks.
  document.addEventListener("htmx:sendError", function () {
    showToast(document.documentElement.lang === "en" ? "The server cannot be reached." :
      "Le serveur ne répond pas. Vérifiez votre connexion.", "error");
  });

  // Dialogs: the server renders a <dialog> into #dialog-slot; it opens as a modal, Esc closes it, and focus
  // goes back to the control that asked for it. An empty answer into the slot (after a save) closes it.
  var opener = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (target && target.id === "dialog-slot") { opener = event.detail.elt; }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var slot = event.detail.target;
    if (!slot || slot.id !== "dialog-slot") {
      var inDialog = slot && slot.closest && slot.closest("dialog");
      if (inDialog) { focusFirstError(inDialog); }
      return;
    }
    var dialog = slot.querySelector("dialog");
    if (!dialog) { focusOpener(); }
    if (dialog && !dialog.open) {
      dialog.addEventListener("close", function () {
        dialog.remove();
        focusOpener();
      });
      dialog.showModal();
      focusFirstError(dialog);
    }
  });
  // The control that asked for the dialog, or the button of the menu it sat in (the menu is closed by then).
  function focusOpener() {
    if (!opener || !document.contains(opener)) { return; }
    var target = window.crmMenus ? window.crmMenus.focusTarget(opener) : opener;
    if (target) { target.focus(); }
  }
  function focusFirstError(container) {
    var invalid = container.querySelector("[aria-invalid='true']");
    if (invalid) { invalid.focus(); }
  }
  document.addEventListener("click", function (event) {
    var closer = event.target.closest("[data-close-dialog]");
    if (closer) {
      var dialog = closer.closest("dialog");
      if (dialog) { dialog.close(); }
    }
  });

  // A picker's own search box asks for options; it must not also refresh the list (the list form listens for
  // "change" events bubbling up to it).
  document.addEventListener("change", function (event) {
    if (event.target.classList && event.target.classList.contains("picker-search")) { event.stopPropagation(); }
  }, true);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.classList && event.target.classList.contains("picker-search")) {
      event.preventDefault();
    }
  });

  // After a save elsewhere (dialog, row action), the list reloads its results for the URL it shows.
  document.body.addEventListener("contacts-changed", function () {
    var results = document.getElementById("results");
    if (results && window.htmx) {
      window.htmx.ajax("GET", window.location.pathname + window.location.search,
        { target: "#results", swap: "innerHTML", headers: { "HX-Target": "results" } });
    }
  });

  // A chosen photo shows before it is sent (blob: URLs are allowed by the content security policy for images).
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-preview]") || !input.files.length) { return; }
    var preview = document.getElementById(input.getAttribute("data-preview"));
    if (preview) {
      preview.src = URL.createObjectURL(input.files[0]);
      preview.hidden = false;
    }
  });

  // A value cut short by the list's fixed columns ("…") shows whole in a tooltip.
  document.addEventListener("mouseover", function (event) {
    var cell = event.target.closest && event.target.closest(".contacts-table td, .contacts-table th");
    if (!cell || cell.hasAttribute("data-whole") || cell.classList.contains("row-actions")) { return; }
    cell.setAttribute("data-whole", "");
    if (cell.scrollWidth > cell.clientWidth) {
      var hint = cell.getAttribute("title");
      cell.title = cell.textContent.replace(/\s+/g, " ").trim() + (hint ? "\n" + hint : "");
    }
  });

  // Mass actions: the bar shows the number selected; once the whole page is checked it offers every contact
  // matching the filters (the server re-applies them). A new list (filter, order, page) clears the selection.
  document.documentElement.classList.add("js");
  var pageLocale = document.documentElement.lang === "en" ? "en" : "fr-FR";
  var pluralRules = new Intl.PluralRules(pageLocale);
  var bulkWords = document.documentElement.lang === "en" ?
    { one: " selected", other: " selected", across: "All {n} matching contacts are selected.", offer: "Select the {n} contacts matching the filters",
      cleared: "Selection cleared: the list changed." } :
    { one: " sélectionné", other: " sélectionnés", across: "Les {n} contacts correspondant aux filtres sont sélectionnés.",
      offer: "Sélectionner les {n} contacts correspondant aux filtres", cleared: "Sélection effacée : la liste a changé." };
  function bulkState() {
    var form = document.getElementById("bulk-form");
    var table = document.getElementById("contacts-table");
    if (!form) { return; }
    var boxes = Array.prototype.slice.call(document.querySelectorAll("input.row-select"));
    var checked = boxes.filter(function (box) { return box.checked; }).length;
    var across = document.getElementById("bulk-select-across").value === "1";
    var total = table ? parseInt(table.getAttribute("data-total"), 10) : 0;
    var capped = table && table.getAttribute("data-capped") === "1";
    var shownTotal = total.toLocaleString(pageLocale) + (capped ? "+" : "");
    var pageBox = document.getElementById("select-page");
    if (pageBox) {
      pageBox.checked = boxes.length > 0 && checked === boxes.length;
      pageBox.indeterminate = checked > 0 && checked < boxes.length;
    }
    form.classList.toggle("empty", checked === 0 && !across);
    document.getElementById("bulk-count").textContent = across ?
      bulkWords.across.replace("{n}", shownTotal) :
      (checked ? checked.toLocaleString(pageLocale) + bulkWords[pluralRules.select(checked) === "one" ? "one" : "other"] : "");
    var offer = document.getElementById("bulk-select-all");
    offer.hidden = across || !(boxes.length && checked === boxes.length && total > boxes.length);
    offer.textContent = bulkWords.offer.replace("{n}", shownTotal);
  }
  function clearBulk(announce) {
    var hadSelection = document.querySelector("input.row-select:checked") ||
      (document.getElementById("bulk-select-across") || {}).value === "1";
    var across = document.getElementById("bulk-select-across");
    if (across) { across.value = "0"; }
    document.querySelectorAll("input.row-select").forEach(function (box) { box.checked = false; });
    bulkState();
    if (announce && hadSelection) { showToast(bulkWords.cleared, "info"); }
  }
  document.addEventListener("change", function (event) {
    if (event.target.id === "select-page") {
      document.querySelectorAll("input.row-select").forEach(function (box) { box.checked = event.target.checked; });
      document.getElementById("bulk-select-across").value = "0";
      bulkState();
    } else if (event.target.classList && event.target.classList.contains("row-select")) {
      document.getElementById("bulk-select-across").value = "0";
      bulkState();
    }
  });
  document.addEventListener("click", function (event) {
    if (event.target.id === "bulk-select-all") {
      var table = document.getElementById("contacts-table");
      document.getElementById("bulk-select-across").value = "1";
      document.getElementById("bulk-query").value = table.getAttribute("data-query");
      bulkState();
      document.getElementById("bulk-count").focus();
    } else if (event.target.id === "bulk-clear") {
      clearBulk(false);
    }
  });
  var selectionBeforeSwap = false;
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "results") {
      selectionBeforeSwap = !!document.querySelector("input.row-select:checked") ||
        (document.getElementById("bulk-select-across") || {}).value === "1";
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "results") {
      var across = document.getElementById("bulk-select-across");
      if (across) { across.value = "0"; }
      bulkState();
      if (selectionBeforeSwap) { showToast(bulkWords.cleared, "info"); }
      selectionBeforeSwap = false;
    }
  });
  // The export downloads a file: close the dialog and keep the button from starting it twice.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute && form.hasAttribute("data-close-on-submit")) {
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; }
      setTimeout(function () {
        var dialog = form.closest("dialog");
        if (dialog) { dialog.close(); }
      }, 300);
    }
  });
  document.addEventListener("DOMContentLoaded", bulkState);

  window.crm = { showToast: showToast };
})();

// ---- Record dialogs (issue 7): the skills search box filters the visible checkboxes --------------------------
// The box is rendered hidden, so that a browser without JavaScript never shows a search that does nothing.
(function () {
  "use strict";

  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  function reveal(root) {
    if (!root || !root.querySelectorAll) { return; }
    root.querySelectorAll("[data-skill-search][hidden]").forEach(function (box) { box.hidden = false; });
  }

  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  document.addEventListener("htmx:load", function (event) { reveal(event.detail.elt); });

  document.addEventListener("input", function (event) {
    var input = event.target;
    var selector = input.getAttribute && input.getAttribute("data-filter-checkboxes");
    if (!selector) { return; }
    var container = document.querySelector(selector);
    if (!container) { return; }
    var term = fold(input.value);
    var shown = 0;
    container.querySelectorAll("[data-filter-group]").forEach(function (group) {
      var visible = 0;
      group.querySelectorAll("[data-filter-item]").forEach(function (item) {
        var match = !term || fold(item.textContent).indexOf(term) !== -1;
        item.hidden = !match;
        if (match) { visible += 1; }
      });
      group.hidden = visible === 0;
      shown += visible;
    });
    var empty = container.querySelector("[data-filter-empty]");
    if (empty) { empty.hidden = shown > 0; }
  });

  // Enter in the search box must not submit the skills form.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.getAttribute && event.target.getAttribute("data-filter-checkboxes")) {
      event.preventDefault();
    }
  });
})();
// ---- end of record dialogs ---------------------------------------------------------------------------------

// ---- vCard import preview (issue 5); the drop on the list is static/js/drop.js ------------------------------
(function () {
  "use strict";

  // The preview's "another account" boxes: a typed name replaces the list's choice, so say it by dimming it.
  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.classList || !box.classList.contains("import-other")) { return; }
    var row = box.closest("tr");
    var select = row && row.querySelector("select");
    if (select) { select.classList.toggle("is-overridden", box.value.trim() !== ""); }
  });
})();
