// vCard files dropped on the contacts list (issues 5 and 13). The bar "Ajout rapide de contacts" is a plain
// multipart form (partials/contacts/_vcf_dropzone.html); here a choice in it, or files dropped anywhere on the list,
// submit it through htmx, and htmx's upload progress events fill its <progress>. While files are dragged over the
// list, its drop target shows; a file dropped elsewhere on the page is not opened by the browser.
(function () {
  "use strict";

  function form() { return document.querySelector("form[data-vcf-dropzone]"); }
  function areaOf(zone) { return zone.closest(".list-main") || zone.parentElement; }
  function target() { return document.querySelector(".vcf-drop-target"); }
  function carriesFiles(event) {
    var types = event.dataTransfer && event.dataTransfer.types;
    // Files dropped on "Classez ici vos fichiers" are documents (static/js/documents.js), not contacts.
    if (event.target && event.target.closest && event.target.closest("[data-document-drop]")) { return false; }
    return !!types && Array.prototype.indexOf.call(types, "Files") !== -1;
  }

  function send(zone) {
    if (zone.requestSubmit) { zone.requestSubmit(); } else { zone.dispatchEvent(new Event("submit", { cancelable: true, bubbles: true })); }
  }

  function show(on) {
    var shown = target();
    var zone = form();
    if (shown) { shown.hidden = !on; }
    if (zone) { areaOf(zone).classList.toggle("is-drop-target", on); }
  }

  ["dragenter", "dragover"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var zone = form();
      if (!zone || !carriesFiles(event)) { return; }
      event.preventDefault();  // without it the browser opens the dropped file instead of the list taking it
      var inside = areaOf(zone).contains(event.target);
      if (event.dataTransfer) { event.dataTransfer.dropEffect = inside ? "copy" : "none"; }
      show(inside);
    });
  });
  document.addEventListener("dragleave", function (event) {
    var zone = form();
    if (zone && (!event.relatedTarget || !areaOf(zone).contains(event.relatedTarget))) { show(false); }
  });
  document.addEventListener("drop", function (event) {
    var zone = form();
    if (!zone || !carriesFiles(event)) { return; }
    event.preventDefault();
    show(false);
    var files = event.dataTransfer.files;
    var input = zone.querySelector("input[type=file]");
    if (!areaOf(zone).contains(event.target) || !files || !files.length || !input) { return; }
    input.files = files;
    send(zone);
  });
  document.addEventListener("change", function (event) {
    var zone = event.target.closest && event.target.closest("form[data-vcf-dropzone]");
    if (zone && event.target.type === "file" && event.target.files.length) { send(zone); }
  });

  function zoneOf(node) { return node && node.closest ? node.closest("form[data-vcf-dropzone]") : null; }
  document.addEventListener("htmx:xhr:progress", function (event) {
    var zone = zoneOf(event.target);
    var bar = zone && zone.querySelector(".vcf-progress");
    if (!bar || !event.detail.lengthComputable) { return; }
    bar.hidden = false;
    bar.value = Math.round(event.detail.loaded / event.detail.total * 100);
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var zone = zoneOf(event.target);
    if (zone) { zone.classList.add("is-sending"); }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var zone = zoneOf(event.target);
    if (zone) { zone.classList.remove("is-sending"); }
  });
})();
