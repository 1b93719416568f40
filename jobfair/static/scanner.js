// The staff scanner: camera (qr-camera.js), handheld scanner or typed code.
// Each scan is posted with a fresh nonce; a lost answer is retried with the SAME nonce, so
// the server returns the first answer and never checks a person in twice. With the fair's
// manifest on the device (scanner-offline.js), a scan with no answer is decided here instead,
// queued with that nonce and uploaded later. Without this file the forms are plain POSTs.
(function () {
  "use strict";

  var DEVICE_KEY = "jobfair.scanner.device";
  var RETRY_MS = 2000;
  var SEND_TIMEOUT_MS = 8000;
  var OFFLINE_AFTER_FAILURES = 2;

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function newNonce() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  // --- The device name, remembered on this device -------------------------------------
  function rememberDevice() {
    var input = document.getElementById("scan-device");
    var store = storage();
    if (!input || !store) { return; }
    if (!input.value) { input.value = store.getItem(DEVICE_KEY) || ""; }
    function copy() {
      store.setItem(DEVICE_KEY, input.value);
      document.querySelectorAll("input.device-copy, .scan-undo input[name=device_name]")
        .forEach(function (hidden) { hidden.value = input.value; });
    }
    input.addEventListener("input", copy);
    document.addEventListener("submit", copy, true);
    copy();
  }

  // --- Sending scans, in order, retried until the server answers ----------------------
  function Sender(form, live, pending, offline) {
    this.form = form;
    this.live = live;
    this.pending = pending;
    this.offline = offline;
    this.failures = 0;
    this.queue = [];
    this.busy = false;
  }

  Sender.prototype.add = function (code) {
    var device = document.getElementById("scan-device");
    this.queue.push({
      code: code,
      nonce: newNonce(),
      device_name: device ? device.value : ""
    });
    this.next();
  };

  Sender.prototype.show = function (text) {
    this.pending.textContent = text || "";
    this.pending.hidden = !text;
  };

  // No network (or no answer): decided on this device, from the manifest, and queued.
  Sender.prototype.offlineDecision = function (scan) {
    var self = this;
    this.failures = 0;
    this.offline.goOffline();
    return this.offline.decide(scan).then(function (result) {
      self.queue.shift();
      self.busy = false;
      self.show("");
      self.live.textContent = "";
      self.live.appendChild(self.offline.panel(result));
      self.next();
    });
  };

  Sender.prototype.next = function () {
    if (this.busy || !this.queue.length) { return; }
    this.busy = true;
    var self = this;
    var scan = this.queue[0];
    if (this.offline && this.offline.active && this.offline.usable()) {
      this.offlineDecision(scan).catch(function () { self.retryLater(); });
      return;
    }
    var body = new URLSearchParams();
    var csrf = this.form.querySelector("input[name=csrf_token]").value;
    body.set("csrf_token", csrf);
    body.set("nonce", scan.nonce);
    body.set("code", scan.code);
    body.set("device_name", scan.device_name);
    // A network that hangs is a network gone: no answer within SEND_TIMEOUT_MS.
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller && window.setTimeout(function () { controller.abort(); },
                                                SEND_TIMEOUT_MS);
    fetch(this.form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined,
      headers: { "X-CSRFToken": csrf, "HX-Request": "true" }
    }).then(function (response) {
      window.clearTimeout(timer);
      if (response.status >= 500) { throw new Error("server " + response.status); }
      return response.text().then(function (html) {
        self.failures = 0;
        self.queue.shift();
        self.busy = false;
        if (response.ok) {
          self.live.innerHTML = html;
          self.show("");
          var answer = self.live.querySelector("[data-status]");
          if (self.offline && answer) { self.offline.remember(scan.code, answer.dataset.status); }
        } else {
          // Refused (session ended, CSRF…): never shown as a success; not retried.
          self.show(self.pending.dataset.refused + " (" + response.status + ")");
        }
        self.next();
      });
    }).catch(function () {
      // No answer: the scan may or may not have arrived; its nonce tells the server. A lost
      // answer is retried; a network that stays down (twice, or the browser says so) sends
      // the scan to the offline module.
      self.failures += 1;
      var down = navigator.onLine === false || self.failures >= OFFLINE_AFTER_FAILURES;
      if (down && self.offline && self.offline.usable()) {
        self.offlineDecision(scan).catch(function () { self.retryLater(); });
      } else {
        self.retryLater();
      }
    });
  };

  // Retry with the same nonce.
  Sender.prototype.retryLater = function () {
    var self = this;
    this.show(this.pending.dataset.retrying);
    this.live.innerHTML = "";
    window.setTimeout(function () { self.busy = false; self.next(); }, RETRY_MS);
  };

  // --- The page -------------------------------------------------------------------------
  function init() {
    rememberDevice();
    var form = document.getElementById("scan-form");
    var live = document.getElementById("scan-live");
    var pending = document.getElementById("scan-pending");
    if (!form || !live || !pending || !window.fetch) { return; }
    var csrf = form.querySelector("input[name=csrf_token]").value;
    var offline = window.jobfairOffline ? window.jobfairOffline(csrf) : null;
    var sender = new Sender(form, live, pending, offline);
    if (offline) { offline.start(); }
    var input = document.getElementById("scan-code");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var code = input.value.trim();
      input.value = "";
      input.focus();
      if (code) { sender.add(code); }
    });
    var section = document.getElementById("scan-camera");
    if (section && window.jobfairCamera) {
      window.jobfairCamera(section, function (code) { sender.add(code); });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
