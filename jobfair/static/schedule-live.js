// The company's schedule refreshes each table's timeline every 10 s (htmx polling, see
// templates/schedule/schedule.html). A refresh would close an open "Move" form or take the
// keyboard focus away, so it is skipped while the user is working inside that timeline.
(function () {
  if (window.jobfairLiveSchedule) return;
  window.jobfairLiveSchedule = true;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var timeline = event.detail.elt;
    if (!timeline || !timeline.hasAttribute || !timeline.hasAttribute("data-live-timeline")) return;
    var busy = timeline.querySelector("details[open]") || timeline.contains(document.activeElement);
    if (busy) event.preventDefault();
  });
})();
