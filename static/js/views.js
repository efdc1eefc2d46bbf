// The view switcher (partials/contacts/_view_switcher.html): when the filters or the sort change (the results are
// swapped and the URL pushed) or Back/Forward restore a list, its button names the view the URL now shows, or
// says the view is not saved, and the menu marks that entry as current. The saved views come with the menu
// (loaded when it opens, or when the URL is not a built-in view).
(function () {
  "use strict";

  var NOT_STATE = ["page", "per_page", "count"];  // as services/saved_views.py: how the list is read, not which

  function stateOf(search) {
    var params = new URLSearchParams(search);
    NOT_STATE.forEach(function (key) { params.delete(key); });
    if (params.toString() === "q=") { return ""; }
    return params.toString();
  }

  function mark() {
    var switcher = document.getElementById("view-switcher");
    var name = document.getElementById("view-name");
    if (!switcher || !name) { return; }
    var state = stateOf(window.location.search);
    var found = null;
    switcher.querySelectorAll("a[data-view-state]").forEach(function (link) {
      var current = stateOf(link.getAttribute("data-view-state")) === state;
      if (current) { link.setAttribute("aria-current", "true"); found = found || link; }
      else { link.removeAttribute("aria-current"); }
    });
    var menu = document.getElementById("view-menu");
    if (!found && menu && !menu.hasAttribute("data-loaded") && window.htmx) {
      window.htmx.trigger(menu, "view-needed");  // perhaps a saved view: its name comes with the menu
    }
    name.textContent = found ? found.querySelector(".view-name").textContent : name.getAttribute("data-unsaved");
    var save = switcher.querySelector("[data-view-save]");
    if (save) {
      var url = save.getAttribute("href").split("?")[0] + (state ? "?" + state : "");
      save.setAttribute("href", url);
      save.setAttribute("hx-get", url);
      if (window.htmx) { window.htmx.process(save); }  // htmx read hx-get when it first processed the link
    }
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "view-menu") { target.setAttribute("data-loaded", ""); }
    if (target && (target.id === "results" || target.id === "view-menu")) { mark(); }
  });
  document.addEventListener("htmx:historyRestore", mark);
  window.addEventListener("popstate", function () { window.setTimeout(mark, 0); });
})();
