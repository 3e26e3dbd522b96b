/* Reader view: a "Hide code" button on every page with code cells (the lessons, the template).
 *
 * Senior leaders and board members read the lessons for their findings and never run code. Pressed,
 * the button hides every code cell's input, and the "Show code cell source" toggles of cells whose
 * input is already folded away, leaving the text, tables and figures. Learners need the code, so it
 * is off until a reader presses it; the choice is kept in localStorage, so it holds on every lesson
 * page until pressed again. A link can switch it on with ?reader=1 or off with ?reader=0; links inside
 * an element of class "reader-view-link" get ?reader=1 added here (book/for-readers.md's reader path).
 *
 * The button keeps one label, "Hide code", and says whether it is on with aria-pressed (a toggle
 * button whose label changed as well would be announced as "Show code, pressed"). The text beside it
 * says what it does and how to undo it. Styles: book/_static/reader-view.css. Checked in a browser
 * by tests/browser/test_reader_view.py. No third-party code.
 */
(function () {
  "use strict";

  var KEY = "reader-view";
  var CLASS = "reader-view";
  var root = document.documentElement;

  function stored() {
    try {
      return window.localStorage.getItem(KEY) === "on";
    } catch (e) {
      return false; // storage blocked: off, as for a new reader
    }
  }

  function store(on) {
    try {
      window.localStorage.setItem(KEY, on ? "on" : "off");
    } catch (e) {
      // storage blocked: the choice holds for this page only
    }
  }

  function fromUrl() {
    var value = null;
    try {
      value = new URLSearchParams(window.location.search).get("reader");
    } catch (e) {
      return null;
    }
    if (value === "1" || value === "on") return true;
    if (value === "0" || value === "off") return false;
    return null;
  }

  var asked = fromUrl();
  if (asked !== null) store(asked);
  // Set on <html> at once (this script runs in the page's <head>), so that the code is never shown
  // and then hidden as the page loads.
  root.classList.toggle(CLASS, asked !== null ? asked : stored());

  var NOTE_OFF = "For readers: the text, tables and charts without the code, on every lesson.";
  var NOTE_ON = "Code is hidden on every lesson. Press the button again to show it.";

  function show(button, note) {
    var on = root.classList.contains(CLASS);
    button.setAttribute("aria-pressed", on ? "true" : "false");
    note.textContent = on ? NOTE_ON : NOTE_OFF;
  }

  // Links to open in reader view: book/for-readers.md wraps each in a container with this class
  // (a {doc} link, which the build checks; Markdown cannot add a query string to it). Without this
  // script they open the lesson as it is.
  function linkInReaderView() {
    var links = document.querySelectorAll(".reader-view-link a[href]");
    Array.prototype.forEach.call(links, function (link) {
      try {
        var url = new URL(link.href);
        url.searchParams.set("reader", "1");
        link.href = url.href;
      } catch (e) {
        // an address the browser cannot parse: leave it
      }
    });
  }

  function setUp() {
    linkInReaderView();
    var article = document.querySelector("article.bd-article");
    if (!article || !article.querySelector(".cell_input")) return; // no code on this page
    var heading = article.querySelector("h1");

    var bar = document.createElement("div");
    bar.className = "reader-view-bar";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "reader-view-toggle";
    button.id = "reader-view-toggle";
    button.textContent = "Hide code";
    var note = document.createElement("span");
    note.className = "reader-view-note";
    note.id = "reader-view-note";
    button.setAttribute("aria-describedby", note.id);
    bar.appendChild(button);
    bar.appendChild(note);
    show(button, note);

    button.addEventListener("click", function () {
      var on = !root.classList.contains(CLASS);
      root.classList.toggle(CLASS, on);
      store(on);
      show(button, note);
    });
    // Another tab of the book changed it: follow.
    window.addEventListener("storage", function (event) {
      if (event.key !== KEY) return;
      root.classList.toggle(CLASS, event.newValue === "on");
      show(button, note);
    });

    if (heading) {
      heading.insertAdjacentElement("afterend", bar);
    } else {
      article.insertBefore(bar, article.firstChild);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
