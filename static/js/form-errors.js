// A form sent back with errors (422): the first field in error comes into view and takes the focus, and the number
// of fields to correct is said in the dialog's live region (partials/forms/_status.html renders its words in the
// user's language). htmx fires afterSwap on the new content, so `event.target` is the form that came back.
(function () {
  "use strict";

  function announce(scope, count) {
    var status = scope.querySelector("[data-form-status]");
    if (!status) { return; }
    var words = count === 1 ? status.getAttribute("data-one") : status.getAttribute("data-many");
    // Emptied first, so that the same count after a second try is announced again.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = words.replace("{n}", String(count)); }, 60);
  }

  function showFirstError(root) {
    var invalid = root.querySelectorAll("[aria-invalid='true']");
    if (!invalid.length) { return; }
    var first = invalid[0];
    var dialog = first.closest("dialog");
    if (dialog) {  // only the dialog scrolls: the page under it stays where it was, sideways too
      dialog.scrollTop += first.getBoundingClientRect().top - dialog.getBoundingClientRect().top -
        dialog.clientHeight / 3;
    } else {
      first.scrollIntoView({ block: "center" });
    }
    first.focus({ preventScroll: true });
    announce(dialog || document, invalid.length);
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var swapped = event.target;
    if (!swapped || !swapped.querySelectorAll || !swapped.closest("dialog")) { return; }
    if (swapped.id === "dialog-slot") { return; }  // a dialog opening: app.js gives it the focus
    showFirstError(swapped);
  });

  // The full-page twin of a form (without JavaScript's dialog, or opened in a new tab) does the same on load.
  document.addEventListener("DOMContentLoaded", function () {
    var invalid = document.querySelector("main form [aria-invalid='true']");
    if (invalid) { showFirstError(invalid.closest("form")); }
  });
})();
