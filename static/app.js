// The little the server cannot do: show toasts sent in HX-Trigger, open and close dialogs, keep focus sane.
(function () {
  "use strict";

  function showToast(message, level) {
    var region = document.getElementById("toasts");
    if (!region || !message) { return; }
    var toast = document.createElement("div");
    toast.className = "toast toast-" + (level || "success");
    toast.setAttribute("role", level === "error" ? "alert" : "status");
    toast.textContent = message;
    region.appendChild(toast);
    setTimeout(function () { toast.remove(); }, 8000);
  }

  document.addEventListener("toast-shown", function (event) {
    var detail = event.detail || {};
    showToast(detail.message, detail.level);
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

  window.crm = { showToast: showToast };
})();
