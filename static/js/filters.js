/* The contacts list's filter panel. On a wide screen its button folds the panel away and opens it again and
   remembers the choice for the user (POST /account/preferences/contacts.filters_folded, the same form that works
   without JavaScript); below 1200 px (a tablet, a phone) the same button opens the filters as a drawer over the
   results (static/phone.css), closed by its buttons, Esc or a click beside it. */
(function () {
  "use strict";
  var DRAWER = window.matchMedia("(max-width: 1199px)");

  function setup() {
    var form = document.getElementById("filters-fold");
    var layout = document.getElementById("list-layout");
    var panel = document.getElementById("filters");
    if (!form || !layout || !panel) return;
    var button = form.querySelector(".filters-toggle");
    var value = form.querySelector("input[name=value]");

    function drawerOpen() { return layout.classList.contains("drawer-open"); }
    // While the drawer is open, the page behind it is out of reach (inert): Tab stays in the filters.
    function behind() {
      return [document.querySelector(".app-header"), document.querySelector(".page-head"),
              layout.querySelector(".list-main")].filter(Boolean);
    }
    function setDrawer(open) {
      layout.classList.toggle("drawer-open", open);
      document.documentElement.classList.toggle("drawer-locked", open);
      behind().forEach(function (element) { element.inert = open; });
      button.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) {
        var first = panel.querySelector("input:not([type=hidden]), select, summary");
        if (first) first.focus();
      } else {
        button.focus();
      }
    }
    function setFolded(folded) {
      layout.classList.toggle("filters-folded", folded);
      button.setAttribute("aria-expanded", folded ? "false" : "true");
      button.title = folded ? button.dataset.labelUnfold : button.dataset.labelFold;
      value.value = folded ? "false" : "true";  // what the next click asks for
    }
    // Below 1200 px the drawer starts closed, whatever the wide screen remembers.
    if (DRAWER.matches) button.setAttribute("aria-expanded", "false");
    DRAWER.addEventListener("change", function () {
      if (drawerOpen()) setDrawer(false);
      button.setAttribute("aria-expanded", DRAWER.matches || layout.classList.contains("filters-folded") ? "false" : "true");
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (DRAWER.matches) { setDrawer(!drawerOpen()); return; }
      var folded = value.value === "true";
      setFolded(folded);
      var body = new FormData(form);
      body.set("value", folded ? "true" : "false");
      fetch(form.action, {method: "POST", body: body, credentials: "same-origin", headers: {"HX-Request": "true"}})
        .catch(function () { /* the panel still folds; the choice is remembered next time */ });
    });
    panel.addEventListener("click", function (event) {
      if (event.target.closest("[data-drawer-close]")) setDrawer(false);
    });
    // A click beside the drawer (on the shaded page) closes it.
    document.addEventListener("click", function (event) {
      if (drawerOpen() && !panel.contains(event.target) && !form.contains(event.target)) setDrawer(false);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && drawerOpen() && !event.defaultPrevented) setDrawer(false);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup); else setup();
})();
