/*
 * Keyboard behaviour that the HTML alone does not give. base.html loads this
 * file on every page, deferred and with the CSP nonce like htmx; the site
 * works without it.
 */
(function () {
  "use strict";

  // The main menu is a <details>, a disclosure button on phones. Escape
  // closes it and gives focus back to the button; tabbing out of it closes
  // it too, or the open panel would cover the content that now has focus.
  // On wide screens the button is hidden and the links always show.
  var menu = document.querySelector("details.nav-menu");
  var toggle = menu && menu.querySelector("summary");
  if (toggle) {
    var collapsible = function () {
      return menu.open && getComputedStyle(toggle).display !== "none";
    };
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && collapsible()) {
        menu.open = false;
        toggle.focus();
      }
    });
    menu.addEventListener("focusout", function (event) {
      var next = event.relatedTarget;
      if (next && !menu.contains(next) && collapsible()) {
        menu.open = false;
      }
    });
  }

  // A form sent back with errors: focus its first field in error, whose
  // description is the error message, so the person hears what to fix and
  // is where to fix it (unless the page focuses something on purpose).
  if (!document.querySelector("[autofocus]")) {
    var invalid = document.querySelector('form[method="post" i] [aria-invalid="true"]');
    if (invalid) {
      invalid.focus();
    }
  }
})();
