/* Accessibility fixes for the theme that need a script (the rest are CSS: a11y.css). Each fixes
 * something tests/browser/test_accessibility.py found; the comment names the WCAG 2.2 criterion.
 * No third-party code.
 *
 * 4.1.2 Name, Role, Value: in the navigation sidebar, a page with pages under it (Getting started
 * for improvement teams, then Bring your own data) has a <summary> that folds its list open and shut.
 * The theme fills it with an icon marked role="presentation", so it had no name at all (axe:
 * summary-name, serious); a screen reader announced only "collapsed". Name each after its page:
 * "Pages under Bring your own data, expanded". The theme moves, rather than copies, the sidebar into
 * its phone-width dialog, so the names go with it. */
(function () {
  "use strict";

  function nameToggles() {
    var summaries = document.querySelectorAll("nav.bd-docs-nav li.has-children > details > summary");
    Array.prototype.forEach.call(summaries, function (summary) {
      if (summary.textContent.trim() || summary.hasAttribute("aria-label")) return;
      var item = summary.parentElement.parentElement;
      var link = item.querySelector(":scope > a");
      var page = link ? link.textContent.trim() : "";
      summary.setAttribute("aria-label", page ? "Pages under " + page : "Pages under this one");
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", nameToggles);
  } else {
    nameToggles();
  }
})();

/* 2.1.1 Keyboard (axe: scrollable-region-focusable): the theme gives a wide output or table a tab stop
 * (tabindex 0) only if it scrolls when the page loads, and checks again only when the window resizes.
 * An output inside an exercise solution is folded away at load, so when the solution opens its wide
 * table scrolls but cannot be reached from the keyboard. Check again, at once, whenever a solution
 * (or any folded admonition) opens or closes. */
(function () {
  "use strict";

  function updateTabStops() {
    // The theme's own list (pydata-sphinx-theme 0.17, addTabStopsToScrollableElements).
    var scrollers = document.querySelectorAll(
      "pre, .nboutput > .output_area, .cell_output > .output, .jp-RenderedHTMLCommon, " +
      ".pst-scrollable-table-container");
    Array.prototype.forEach.call(scrollers, function (el) {
      var scrolls = el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight;
      el.tabIndex = scrolls ? 0 : -1;
    });
  }

  function watchToggles() {
    // The body, not each solution: sphinx-togglebutton turns admonitions into toggles on load, maybe
    // after this runs. Only a change to an admonition or <details> triggers a check.
    var observer = new MutationObserver(function (mutations) {
      for (var i = 0; i < mutations.length; i++) {
        var target = mutations[i].target;
        if (target.matches && target.matches(".admonition, details")) {
          updateTabStops();
          return;
        }
      }
    });
    observer.observe(document.body, { attributes: true, attributeFilter: ["class", "open"], subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watchToggles);
  } else {
    watchToggles();
  }
})();
