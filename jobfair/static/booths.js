// Floor plan: a "Print" button on the print view. Only an enhancement: without
// JavaScript the button stays hidden and the browser's own Print does the same.
(function () {
  "use strict";

  function setUp(root) {
    root.querySelectorAll("[data-print]").forEach(function (button) {
      if (button.dataset.ready) {
        return;
      }
      button.dataset.ready = "1";
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  } else {
    setUp(document);
  }
  // Pages reached through hx-boost swap the body: set up what arrived.
  document.addEventListener("htmx:load", function (event) { setUp(event.target); });
})();
