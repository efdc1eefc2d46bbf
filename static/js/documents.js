// "Classez ici vos fichiers" (partials/documents/_dropzone.html): files dropped on a zone, or chosen in it, are sent
// at once through htmx; htmx's upload progress events fill the zone's <progress>. Only the zone takes the drop: a
// file dropped elsewhere on the page is not opened by the browser.
(function () {
  "use strict";

  function zoneOf(node) { return node && node.closest ? node.closest("form[data-document-drop]") : null; }
  function carriesFiles(event) {
    var types = event.dataTransfer && event.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, "Files") !== -1;
  }
  function send(zone) {
    // A zone swapped in a moment ago (a record's section) may not be bound yet: bind it, or it would post natively.
    if (window.htmx) { window.htmx.process(zone); }
    if (zone.requestSubmit) { zone.requestSubmit(); } else { zone.dispatchEvent(new Event("submit", { cancelable: true, bubbles: true })); }
  }

  ["dragenter", "dragover"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var zone = zoneOf(event.target);
      if (!zone || !carriesFiles(event)) { return; }
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
      zone.classList.add("is-drop-target");
    });
  });
  document.addEventListener("dragleave", function (event) {
    var zone = zoneOf(event.target);
    if (zone && (!event.relatedTarget || !zone.contains(event.relatedTarget))) { zone.classList.remove("is-drop-target"); }
  });
  document.addEventListener("drop", function (event) {
    var zone = zoneOf(event.target);
    if (!zone || !carriesFiles(event)) { return; }
    event.preventDefault();
    zone.classList.remove("is-drop-target");
    var input = zone.querySelector("input[type=file]");
    if (!input || !event.dataTransfer.files.length) { return; }
    input.files = event.dataTransfer.files;
    send(zone);
  });
  document.addEventListener("change", function (event) {
    var zone = zoneOf(event.target);
    if (zone && event.target.type === "file" && event.target.files.length) { send(zone); }
  });
  document.addEventListener("htmx:xhr:progress", function (event) {
    var zone = zoneOf(event.target);
    var bar = zone && zone.querySelector(".document-progress");
    if (!bar || !event.detail.lengthComputable) { return; }
    bar.hidden = false;
    bar.value = Math.round(event.detail.loaded / event.detail.total * 100);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var zone = zoneOf(event.target);
    var bar = zone && zone.querySelector(".document-progress");
    if (bar) { bar.hidden = true; bar.value = 0; }
    var input = zone && zone.querySelector("input[type=file]");
    if (input) { input.value = ""; }
  });
})();
