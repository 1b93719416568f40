// The self check-in kiosk (templates/kiosk/): back to the start after a while on the pages
// about a candidate (any touch or key restarts the delay), the camera of the start page, and
// the print button of the print page (the badge label, a PDF in the frame). Without JavaScript the pages still work: the
// PDF is linked, "Done" goes back, and the server forgets the candidate after a few minutes.
(function () {
  "use strict";
  var body = document.body;
  var seconds = parseInt(body.getAttribute("data-return-after") || "0", 10);
  if (seconds > 0) {
    var timer = null;
    var restart = function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        window.location.replace(body.getAttribute("data-start"));
      }, seconds * 1000);
    };
    ["pointerdown", "keydown"].forEach(function (name) {
      document.addEventListener(name, restart);
    });
    restart();
    var note = document.getElementById("kiosk-return-note");
    if (note) note.hidden = false;
  }

  // The start page: a QR shown to the tablet's camera (qr-camera.js, loaded after this file:
  // its deferred script has run by DOMContentLoaded) goes through the badge form, as if the
  // handheld scanner had typed it.
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("kiosk-badge-form");
    if (!form || !window.jobfairCamera) return;
    var sent = false;
    window.jobfairCamera(document.getElementById("scan-camera"), function (code) {
      if (sent) return;
      sent = true;
      form.querySelector("input[name=code]").value = code;
      form.submit();
    });
  });

  var button = document.getElementById("kiosk-print");
  if (!button) return;
  var frame = document.getElementById(button.getAttribute("data-frame"));
  button.hidden = false;
  button.addEventListener("click", function () {
    try {
      // The PDF viewer of the same-origin frame prints the label at its own size (62 × 100 mm).
      frame.contentWindow.focus();
      frame.contentWindow.print();
    } catch (error) {
      window.print();
    }
  });
})();
