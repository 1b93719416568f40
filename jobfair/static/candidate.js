// Candidate profile: a live character count under the pitch. Only an enhancement: without
// JavaScript the hint states the limit and the server explains a pitch that is too long.
(function () {
  "use strict";

  function setUp(root) {
    root.querySelectorAll("[data-counter-for]").forEach(function (counter) {
      if (counter.dataset.ready) {
        return;
      }
      var input = document.getElementById(counter.dataset.counterFor);
      if (!input) {
        return;
      }
      var max = parseInt(input.dataset.maxChars, 10);
      counter.dataset.ready = "1";
      counter.hidden = false;

      function update() {
        // Count a line break as one character, as the server does.
        var count = input.value.replace(/\r\n/g, "\n").trim().length;
        counter.textContent = counter.dataset.template.replace("{count}", String(count));
        counter.classList.toggle("cand-over", count > max);
      }

      input.addEventListener("input", update);
      update();
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
