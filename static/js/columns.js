// The column chooser (partials/contacts/_column_chooser.html): a switched column is remembered by the server
// (204), then the results are drawn again for the URL shown, and the chooser opens again on the same entry, so
// several columns are switched in a row.
(function () {
  "use strict";

  var switched = null;  // the key of the column just switched, until the results come back

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("form[data-column-chooser] .column-toggle");
    if (button) { switched = button.getAttribute("data-column"); }
  }, true);

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form || !form.matches || !form.matches("form[data-column-chooser]")) { return; }
    if (!event.detail.successful) { switched = null; return; }
    document.body.dispatchEvent(new CustomEvent("contacts-changed", { bubbles: true }));
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (!switched || !event.detail.target || event.detail.target.id !== "results") { return; }
    var chooser = document.getElementById("column-chooser");
    var key = switched;
    switched = null;
    if (!chooser) { return; }
    chooser.open = true;
    var button = chooser.querySelector(".column-toggle[data-column='" + key + "']");
    if (button) { button.focus(); }
  });
})();
