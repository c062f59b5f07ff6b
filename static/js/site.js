// Small page behaviours that need no framework. Loaded in the head (not deferred) so the
// chosen theme applies before the first paint; the rest waits for the document.
//
// - Theme: the page follows the system's prefers-color-scheme unless the reader picked a
//   theme with the header's toggle; the choice is kept in localStorage.
// - Menu: on a phone the main navigation folds behind a "Menu" button (without JavaScript
//   it is simply always shown).
// - Wide boxes (display math, code, tables) that scroll sideways are marked: a class the
//   stylesheet uses for a visible cue, and a tab stop with a name so keyboards can scroll.
(function () {
  "use strict";
  var KEY = "theme";
  var root = document.documentElement;
  var media = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  root.classList.add("js");

  function stored() {
    try {
      var value = window.localStorage.getItem(KEY);
      return value === "dark" || value === "light" ? value : null;
    } catch (e) {
      return null;
    }
  }

  function effective() {
    return stored() || (media && media.matches ? "dark" : "light");
  }

  var choice = stored();
  if (choice) root.setAttribute("data-theme", choice);

  function themeToggle(button) {
    function label() {
      button.setAttribute("aria-pressed", effective() === "dark" ? "true" : "false");
    }
    button.hidden = false;
    label();
    button.addEventListener("click", function () {
      var next = effective() === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try {
        window.localStorage.setItem(KEY, next);
      } catch (e) {
        /* storage refused: the choice lasts for this page */
      }
      label();
    });
    if (media && media.addEventListener) media.addEventListener("change", label);
  }

  function menuToggle(button) {
    var nav = document.getElementById(button.getAttribute("aria-controls"));
    if (!nav) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("open", open);
    });
  }

  var WIDE = ".prose .katex-display, .prose pre, .prose table, .table-scroll, .api-table, .table";

  function markScrollable() {
    var boxes = document.querySelectorAll(WIDE);
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var wide = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("is-scrollable", wide);
      if (wide) {
        if (!box.hasAttribute("tabindex")) {
          box.setAttribute("tabindex", "0");
          box.setAttribute("data-scroll-focus", "");
        }
        if (!box.hasAttribute("aria-label") && box.tagName !== "TABLE") {
          box.setAttribute("role", "group");
          box.setAttribute("aria-label", "Wide content, scrolls sideways");
        }
      } else if (box.hasAttribute("data-scroll-focus")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("data-scroll-focus");
      }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var theme = document.getElementById("theme-toggle");
    if (theme) themeToggle(theme);
    var menu = document.getElementById("menu-toggle");
    if (menu) menuToggle(menu);
    markScrollable();
    var timer = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(markScrollable, 150);
    });
    // Content htmx swaps in (previews, comments) may hold wide math too.
    document.body.addEventListener("htmx:afterSettle", markScrollable);
  });
})();
