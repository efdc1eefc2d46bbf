// Menus and popovers (issue 13): a <details class="row-menu"> whose panel (.menu) opens fully in the window,
// whatever the row's position. The panel is placed in fixed position, outside the table's clipping box: under its
// button, or above it when there is more room there; aligned on the button's right edge and kept inside the
// window. One menu is open at a time; Esc and a click outside close it; Esc and the end of what an entry opened
// (a dialog) give focus back to its button. Without JavaScript the <details> still opens in place.
(function () {
  "use strict";

  var GAP = 2;      // between the button and the panel
  var MARGIN = 8;   // between the panel and the window's edges
  var MENUS = "details.row-menu";

  function panelOf(menu) { return menu.querySelector(":scope > .menu"); }
  function buttonOf(menu) { return menu.querySelector(":scope > summary"); }

  // Positions are written through the CSSOM (allowed by the content security policy, unlike a style attribute
  // in markup) and removed when the menu closes, so no style attribute is left in the page.
  function clear(panel) {
    if (!panel) { return; }
    panel.classList.remove("is-floating", "is-above");
    panel.removeAttribute("style");
  }

  function place(menu) {
    var panel = panelOf(menu);
    var button = buttonOf(menu);
    if (!panel || !button) { return; }
    if (!menu.open) { clear(panel); return; }
    panel.classList.add("is-floating");
    panel.style.maxHeight = "";
    var box = button.getBoundingClientRect();
    var below = window.innerHeight - box.bottom - GAP - MARGIN;
    var above = box.top - GAP - MARGIN;
    var height = panel.scrollHeight;
    var up = height > below && above > below;
    var room = Math.max(up ? above : below, 80);
    panel.style.maxHeight = room + "px";
    height = Math.min(height, room);
    var width = panel.offsetWidth;
    var left = Math.min(box.right - width, window.innerWidth - width - MARGIN);
    panel.style.left = Math.max(MARGIN, left) + "px";
    panel.style.top = (up ? box.top - GAP - height : box.bottom + GAP) + "px";
    panel.classList.toggle("is-above", up);
  }

  // Panels of closed menus keep no position, nor an empty style attribute, which the history snapshot would carry
  // back into a page whose content security policy refuses it (a panel may also arrive from the server after its
  // menu closed).
  function clearClosed() {
    document.querySelectorAll(MENUS + ":not([open]) > .menu.is-floating, " + MENUS + ":not([open]) > .menu[style]")
      .forEach(clear);
  }

  function close(menu, giveFocusBack) {
    if (!menu.open) { return; }
    menu.open = false;
    clear(panelOf(menu));
    if (giveFocusBack) {
      var button = buttonOf(menu);
      if (button) { button.focus(); }
    }
  }

  function openMenus() { return Array.prototype.slice.call(document.querySelectorAll(MENUS + "[open]")); }

  // "toggle" does not bubble: listen in the capture phase.
  document.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (!menu.matches || !menu.matches(MENUS)) { return; }
    if (menu.open) {
      openMenus().forEach(function (other) { if (other !== menu) { close(other, false); } });
      place(menu);
      watch(menu);
    } else if (watchers.has(menu)) {
      watchers.get(menu).disconnect();
      watchers.delete(menu);
    }
    clearClosed();
  }, true);

  // The row menu's entries arrive after it opens (htmx replaces the panel): place the new panel as soon as it is
  // in the page, before it is painted.
  var watchers = new Map();
  function watch(menu) {
    if (watchers.has(menu)) { return; }
    var observer = new MutationObserver(function () { place(menu); clearClosed(); });
    observer.observe(menu, { childList: true, subtree: true });
    watchers.set(menu, observer);
  }

  // Arrow keys move between an open menu's entries (from its button too).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") { return; }
    var menu = event.target.closest && event.target.closest(MENUS + "[open]");
    var panel = menu && panelOf(menu);
    if (!panel) { return; }
    var entries = Array.prototype.slice.call(panel.querySelectorAll("a[href], button:not([disabled])"));
    if (!entries.length) { return; }
    event.preventDefault();
    var at = entries.indexOf(document.activeElement);
    var next = event.key === "ArrowDown" ? (at + 1) % entries.length : (at <= 0 ? entries.length : at) - 1;
    entries[next].focus();
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var menus = openMenus();
    if (!menus.length || document.querySelector("dialog[open]")) { return; }
    event.preventDefault();
    menus.forEach(function (menu) { close(menu, true); });
  });

  // A click outside closes it; a click on an entry (a link or a button) closes it too: what the entry opens
  // takes over. Boxes to tick inside a panel leave it open.
  document.addEventListener("click", function (event) {
    openMenus().forEach(function (menu) {
      var panel = panelOf(menu);
      var onEntry = panel && panel.contains(event.target) && event.target.closest("a, button");
      if (!menu.contains(event.target) || onEntry) { close(menu, false); }
    });
  });

  function replaceAll() { openMenus().forEach(place); }
  window.addEventListener("resize", replaceAll);
  window.addEventListener("scroll", replaceAll, { capture: true, passive: true });

  // Before htmx swaps content that holds an open menu, close it (no position left behind).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    openMenus().forEach(function (menu) {
      if (target && target !== menu && !menu.contains(target) && target.contains(menu)) { close(menu, false); }
    });
  });

  // What an entry opened (a dialog) closes: its menu's button gets focus back (app.js asks through this).
  window.crmMenus = {
    focusTarget: function (element) {
      var menu = element && element.closest && element.closest(MENUS);
      return menu && !menu.open ? buttonOf(menu) : element;
    }
  };
})();
