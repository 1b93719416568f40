// A QR code read by the device's camera (BarcodeDetector where the browser has it, else the
// npm decoder jsQR served at /vendor/jsQR.js), for the staff scanner and the self check-in
// kiosk. ``window.jobfairCamera(section, onCode)``: ``section`` holds the toggle button
// (#camera-toggle), a status line (#camera-status) and a <video>; it is shown only when the
// browser can open a camera. The same code seen again within a few seconds is ignored.
(function () {
  "use strict";

  var SAME_CODE_MS = 4000;

  function Camera(section, onCode) {
    this.section = section;
    this.video = section.querySelector("video");
    this.button = section.querySelector("#camera-toggle");
    this.status = section.querySelector("#camera-status");
    this.canvas = document.createElement("canvas");
    this.onCode = onCode;
    this.stream = null;
    this.detector = null;
    this.last = { code: null, at: 0 };
    var self = this;
    this.button.addEventListener("click", function () {
      if (self.stream) { self.stop(); } else { self.start(); }
    });
    section.hidden = false;
  }

  Camera.prototype.start = function () {
    var self = this;
    var pickDetector = Promise.resolve(null);
    if ("BarcodeDetector" in window && window.BarcodeDetector.getSupportedFormats) {
      pickDetector = window.BarcodeDetector.getSupportedFormats().then(function (formats) {
        return formats.indexOf("qr_code") >= 0
          ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
      }).catch(function () { return null; });
    }
    navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: "environment" } }, audio: false
    }).then(function (stream) {
      self.stream = stream;
      self.video.srcObject = stream;
      self.video.hidden = false;
      self.button.textContent = self.button.dataset.stop || "Stop camera";
      self.status.textContent = "";
      return Promise.all([self.video.play(), pickDetector]);
    }).then(function (results) {
      self.detector = results[1];
      self.tick();
    }).catch(function (error) {
      self.status.textContent = (self.status.dataset.failed || "Camera unavailable") +
        " (" + error.name + ")";
      self.stop();
    });
  };

  Camera.prototype.stop = function () {
    if (this.stream) {
      this.stream.getTracks().forEach(function (track) { track.stop(); });
    }
    this.stream = null;
    this.video.hidden = true;
    this.button.textContent = this.button.dataset.start || "Start camera";
  };

  Camera.prototype.found = function (code) {
    var now = Date.now();
    if (!code) { return; }
    if (code === this.last.code && now - this.last.at < SAME_CODE_MS) { return; }
    this.last = { code: code, at: now };
    this.onCode(code);
  };

  Camera.prototype.decode = function () {
    var video = this.video;
    if (!video.videoWidth) { return Promise.resolve(null); }
    if (this.detector) {
      return this.detector.detect(video).then(function (codes) {
        return codes.length ? codes[0].rawValue : null;
      });
    }
    if (!window.jsQR) { return Promise.resolve(null); }
    var width = video.videoWidth, height = video.videoHeight;
    this.canvas.width = width;
    this.canvas.height = height;
    var context = this.canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, 0, 0, width, height);
    var image = context.getImageData(0, 0, width, height);
    var found = window.jsQR(image.data, width, height, { inversionAttempts: "dontInvert" });
    return Promise.resolve(found ? found.data : null);
  };

  Camera.prototype.tick = function () {
    var self = this;
    if (!this.stream) { return; }
    this.decode().then(function (code) { self.found(code); })
      .catch(function () { /* a frame that could not be read: try the next one */ })
      .then(function () { window.setTimeout(function () { self.tick(); }, 150); });
  };

  window.jobfairCamera = function (section, onCode) {
    if (!section || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return null;
    }
    return new Camera(section, onCode);
  };
})();
