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

  // The members' sections are a <details> inside the menu. Escape closes
  // it first (the menu around it stays open) and gives focus back to its
  // button; leaving it by Tab or a click elsewhere closes it too, so the
  // drop-down of wide screens never lingers over the page.
  var groups = document.querySelectorAll("details.nav-group");
  Array.prototype.forEach.call(groups, function (group) {
    var button = group.querySelector("summary");
    group.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && group.open) {
        event.stopPropagation();
        group.open = false;
        button.focus();
      }
    });
    group.addEventListener("focusout", function (event) {
      var next = event.relatedTarget;
      if (next && !group.contains(next)) {
        group.open = false;
      }
    });
  });
  if (groups.length) {
    document.addEventListener("click", function (event) {
      Array.prototype.forEach.call(groups, function (group) {
        if (group.open && !group.contains(event.target)) {
          group.open = false;
        }
      });
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
