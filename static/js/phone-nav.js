/* The header's menu button on a phone: opens and closes the navigation and account links (#site-menu) in place.
   Without JavaScript the button is a link to #site-menu, shown by phone.css while it is the :target. */
(function () {
  "use strict";
  function setup() {
    var toggle = document.querySelector(".menu-toggle");
    var menu = document.getElementById("site-menu");
    if (!toggle || !menu) return;
    var header = toggle.closest("header");
    toggle.setAttribute("role", "button");

    function setOpen(open, returnFocus) {
      header.classList.toggle("menu-open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      if (!open && returnFocus) toggle.focus();
    }
    toggle.addEventListener("click", function (event) {
      event.preventDefault();
      setOpen(!header.classList.contains("menu-open"), false);
    });
    toggle.addEventListener("keydown", function (event) {
      if (event.key === " ") { event.preventDefault(); toggle.click(); }  // a button answers Space too
    });
    var close = menu.querySelector(".menu-close");
    if (close) close.addEventListener("click", function (event) { event.preventDefault(); setOpen(false, true); });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && header.classList.contains("menu-open")) setOpen(false, true);
    });
    document.addEventListener("click", function (event) {
      if (header.classList.contains("menu-open") && !header.contains(event.target)) setOpen(false, false);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup); else setup();
})();
