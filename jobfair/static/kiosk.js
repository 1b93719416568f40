// The kiosk's print page: print the badge label (the PDF in the frame), on the button.
// Without JavaScript the page still links the PDF and returns to the start.
(function () {
  "use strict";
  var button = document.getElementById("kiosk-print");
  if (!button) return;
  var frame = document.getElementById(button.getAttribute("data-frame"));

  function printLabel() {
    try {
      // The PDF viewer of the same-origin frame prints the label at its own size (62 × 100 mm).
      frame.contentWindow.focus();
      frame.contentWindow.print();
    } catch (error) {
      window.print();
    }
  }

  button.hidden = false;
  button.addEventListener("click", printLabel);
})();
