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
