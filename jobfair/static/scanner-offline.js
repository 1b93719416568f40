// The scanner without the network. While online it keeps the fair's check-in manifest
// (token hashes, names, statuses: jobfair/checkin/offline.py) in IndexedDB (npm idb, served
// at /vendor/idb.js) and refreshes it every minute; when a scan gets no answer it decides it
// here with the same statuses, queues it with its nonce, and uploads the queue in batches when
// the network is back. The server decides again (nonces, one check-in per person) and its
// answers make the sync report. Texts come from the page's data- attributes.
(function () {
  "use strict";

  var REFRESH_MS = 60000;
  var PROBE_MS = 10000;
  var TIMEOUT_MS = 8000;
  var BATCH = 50;
  var TONES = { checked_in: "good", already_checked_in: "warning", not_in_manifest: "warning" };
  var TOKEN = /^[A-Za-z0-9_-]{1,64}$/;
  var CACHE = "jobfair-scanner-v1"; // the service worker's cache (scanner-sw.js)

  function fill(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (all, name) {
      return values[name] === undefined || values[name] === null ? "" : String(values[name]);
    });
  }

  // checkin.services.extract_token, the same way.
  function extractToken(code) {
    code = String(code || "").trim();
    if (code.indexOf("/b/") >= 0) { code = code.slice(code.lastIndexOf("/b/") + 3); }
    ["?", "#", "/"].forEach(function (stop) { code = code.split(stop)[0]; });
    return code.replace(/\s+/g, "");
  }

  function sha256(text) {
    return window.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))
      .then(function (buffer) {
        return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
          return ("0" + b.toString(16)).slice(-2);
        }).join("");
      });
  }

  function fetchWithin(url, options) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller && window.setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
    options = Object.assign({ credentials: "same-origin" }, options || {});
    if (controller) { options.signal = controller.signal; }
    return fetch(url, options).finally(function () { window.clearTimeout(timer); });
  }

  function json(response) {
    var type = response.headers.get("Content-Type") || "";
    if (!response.ok || type.indexOf("application/json") < 0) {
      var error = new Error("refused " + response.status);
      error.refused = response.status < 500;
      error.status = response.status;
      throw error;
    }
    return response.json();
  }

  function timeOf(iso) {
    var lang = document.documentElement.lang || undefined;
    return new Date(iso).toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
  }

  function Offline(root, csrf) {
    this.root = root;
    this.data = root.dataset;
    this.csrf = csrf;
    this.labels = JSON.parse(this.data.labels || "{}");
    this.banner = root.querySelector("#scan-offline-banner");
    this.state = root.querySelector("#scan-offline-state");
    this.report = root.querySelector("#scan-sync-report");
    this.db = null;
    this.meta = null;
    this.active = false;
    this.uploading = null;
    this.waiting = 0;
    this.probe = null;
  }

  Offline.prototype.start = function () {
    var self = this;
    if (!window.idb || !window.indexedDB || !window.crypto || !window.crypto.subtle) {
      return Promise.resolve(this);
    }
    if (navigator.serviceWorker && this.data.worker) {
      navigator.serviceWorker.register(this.data.worker, { scope: this.data.workerScope })
        .then(function () { return self.keepPage(); })
        .catch(function () { /* no page cache: the rest still works */ });
    }
    this.guardLogout();
    window.addEventListener("offline", function () { self.goOffline(); });
    window.addEventListener("online", function () { self.tryOnline(); });
    window.setInterval(function () { if (!self.active) { self.sync(); } }, REFRESH_MS);
    return window.idb.openDB("jobfair-scanner-" + this.data.fair, 1, {
      upgrade: function (db) {
        db.createObjectStore("badges", { keyPath: "h" });
        db.createObjectStore("meta");
        db.createObjectStore("queue", { keyPath: "nonce" });
      }
    }).then(function (db) {
      self.db = db;
      return db.get("meta", "manifest");
    }).then(function (meta) {
      self.meta = meta || null;
      if (self.meta && !self.usable()) { return self.forget(); }
    }).then(function () {
      return self.countWaiting();
    }).then(function () {
      self.show();
      if (navigator.onLine === false) { self.goOffline(); return self; }
      return self.sync(true).then(function () { return self; });
    }).catch(function () { return self; });
  };

  // This very page was loaded before its service worker ran: keep it and its files now
  // (the cache the worker answers from when the network is gone: scanner-sw.js).
  Offline.prototype.keepPage = function () {
    if (!window.caches || location.search) { return Promise.resolve(); }
    var files = [location.pathname];
    document.querySelectorAll("script[src], link[rel=stylesheet][href], link[rel=icon][href]")
      .forEach(function (element) { files.push(element.getAttribute("src") || element.getAttribute("href")); });
    return window.caches.open(CACHE).then(function (cache) { return cache.addAll(files); });
  };

  Offline.prototype.usable = function () {
    return Boolean(this.db && this.meta && Date.parse(this.meta.expires_at) > Date.now());
  };

  Offline.prototype.forget = function () {
    // An expired manifest is not trusted (nor kept): its names leave the device.
    var tx = this.db.transaction(["badges", "meta"], "readwrite");
    tx.objectStore("badges").clear();
    tx.objectStore("meta").clear();
    this.meta = null;
    return tx.done;
  };

  Offline.prototype.countWaiting = function () {
    var self = this;
    return this.db.count("queue").then(function (count) { self.waiting = count; });
  };

  Offline.prototype.show = function () {
    var waiting = this.waiting ? " " + fill(this.data.textWaiting, { count: this.waiting }) : "";
    this.banner.hidden = !this.active;
    this.banner.textContent = this.active ? this.data.textOffline + waiting : "";
    if (this.usable()) {
      this.state.dataset.state = "ready";
      this.state.textContent = fill(this.data.textReady, {
        count: this.meta.count, time: timeOf(this.meta.generated_at)
      }) + (this.active ? "" : waiting);
    } else {
      this.state.dataset.state = "none";
      this.state.textContent = this.data.textNone || "";
    }
  };

  // --- The manifest ---------------------------------------------------------------------
  Offline.prototype.refresh = function (full) {
    var self = this;
    var delta = !full && this.meta;
    var url = this.data.manifest + (delta
      ? "?since=" + encodeURIComponent(this.meta.generated_at) : "");
    return fetchWithin(url, { headers: { Accept: "application/json" } }).then(json)
      .then(function (manifest) {
        var tx = self.db.transaction(["badges", "meta"], "readwrite");
        var badges = tx.objectStore("badges");
        if (!manifest.delta) { badges.clear(); }
        manifest.badges.forEach(function (badge) { badges.put(badge); });
        return badges.count().then(function (count) {
          var meta = { generated_at: manifest.generated_at, expires_at: manifest.expires_at,
                       live: manifest.live, count: count };
          tx.objectStore("meta").put(meta, "manifest");
          return tx.done.then(function () { self.meta = meta; });
        });
      });
  };

  // Online: send what waits, then bring the manifest up to date.
  Offline.prototype.sync = function (full) {
    var self = this;
    if (!this.db) { return Promise.resolve(); }
    return this.upload().then(function () { return self.refresh(full || !self.usable()); })
      .then(function () { self.show(); })
      .catch(function (error) { return self.refused(error); });
  };

  // Refused (403): no live session here any more, or no longer this fair's staff. The names
  // leave the device; the queue stays, for whoever logs in again to send it.
  Offline.prototype.refused = function (error) {
    var self = this;
    if (error.status === 403) { return this.forget().then(function () { self.show(); }); }
    if (!error.refused) { this.goOffline(); }
  };

  // --- Offline --------------------------------------------------------------------------
  Offline.prototype.goOffline = function () {
    var self = this;
    if (!this.usable()) { return; }
    this.active = true;
    this.show();
    if (!this.probe) {
      this.probe = window.setInterval(function () { self.tryOnline(); }, PROBE_MS);
    }
  };

  Offline.prototype.tryOnline = function () {
    var self = this;
    if (!this.db) { return Promise.resolve(); }
    return this.refresh(!this.usable()).then(function () {
      self.active = false;
      window.clearInterval(self.probe);
      self.probe = null;
      return self.upload();
    }).then(function () { self.show(); }).catch(function (error) {
      // Still offline, or the upload got no answer (the server down behind a live network):
      // the batch stays queued and the probe tries again, with the same nonces.
      return self.refused(error);
    });
  };

  // The same statuses as checkin.services.scan, from the manifest; the scan is queued.
  Offline.prototype.decide = function (scan) {
    var self = this;
    var token = extractToken(scan.code);
    var hashed = TOKEN.test(token) ? sha256(token) : Promise.resolve(null);
    return hashed.then(function (hash) {
      var tx = self.db.transaction(["badges", "queue"], "readwrite");
      var badges = tx.objectStore("badges");
      return (hash ? badges.get(hash) : Promise.resolve(undefined)).then(function (badge) {
        var status = "checked_in";
        if (!self.meta.live) { status = "fair_not_live"; }
        else if (!hash) { status = "unknown_badge"; } // no badge has this shape (as the server)
        // Not in this fair's list: another fair's badge (tokens carry no fair), one made since
        // the last delta, or none at all. Only the server can tell: it says so in the report.
        else if (!badge) { status = "not_in_manifest"; }
        else if (badge.s === "revoked") { status = "revoked_badge"; }
        else if (badge.s !== "active") { status = "not_registered"; }
        else if (badge.c) { status = "already_checked_in"; }
        if (status === "checked_in") { badge.c = true; badges.put(badge); }
        var name = badge && badge.n ? badge.n : null;
        tx.objectStore("queue").put({
          nonce: scan.nonce, code: scan.code, device_name: scan.device_name,
          scanned_at: Date.now(), local: status, name: name
        });
        return tx.done.then(function () {
          self.waiting += 1;
          self.show();
          return { status: status, name: name };
        });
      });
    });
  };

  // The server checked this code in (or had): the manifest learns it now, not in a minute.
  Offline.prototype.remember = function (code, status) {
    var self = this;
    var token = extractToken(code);
    if (!this.db || !TOKEN.test(token) ||
        (status !== "checked_in" && status !== "already_checked_in")) { return; }
    sha256(token).then(function (hash) {
      var tx = self.db.transaction("badges", "readwrite");
      return tx.store.get(hash).then(function (badge) {
        if (badge && badge.s === "active") { badge.c = true; tx.store.put(badge); }
        return tx.done;
      });
    }).catch(function () { /* the next delta brings it */ });
  };

  Offline.prototype.panel = function (result) {
    var panel = document.createElement("div");
    panel.className = "scan-panel scan-" + (TONES[result.status] || "bad");
    panel.dataset.status = result.status;
    panel.dataset.offline = "true";
    [["scan-status", this.labels[result.status]], ["scan-name", result.name],
     ["scan-offline-note", this.data.textDecided]].forEach(function (line) {
      if (!line[1]) { return; }
      var p = document.createElement("p");
      p.className = line[0];
      p.textContent = line[1];
      panel.appendChild(p);
    });
    var wrapper = document.createElement("div");
    wrapper.id = "scan-result";
    wrapper.appendChild(panel);
    return wrapper;
  };

  // --- Logging out ----------------------------------------------------------------------
  // Logging out clears the device (Clear-Site-Data), the queue with it: send it first; what
  // cannot be sent (no network, no server) is lost only once the staff member says so.
  Offline.prototype.guardLogout = function () {
    var self = this;
    var logout = new URL(this.data.logout, location.href).pathname;
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!self.db || !self.waiting || new URL(form.action, location.href).pathname !== logout) {
        return;
      }
      event.preventDefault();
      var sending = navigator.onLine === false ? Promise.resolve()
        : self.upload().catch(function () { /* not sent: asked below */ });
      sending.then(function () { return self.countWaiting(); }).then(function () {
        if (!self.waiting ||
            window.confirm(fill(self.data.textLogout, { count: self.waiting }))) {
          form.submit();
        }
      });
    });
  };

  // --- The upload and its report -------------------------------------------------------
  Offline.prototype.upload = function () {
    var self = this;
    if (this.uploading) { return this.uploading; }
    var sent = [];
    function next() {
      return self.db.getAll("queue").then(function (queued) {
        queued.sort(function (a, b) { return a.scanned_at - b.scanned_at; });
        var batch = queued.slice(0, BATCH);
        if (!batch.length) { return; }
        return fetchWithin(self.data.sync, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-CSRFToken": self.csrf },
          body: JSON.stringify({ scans: batch })
        }).then(json).then(function (answer) {
          var tx = self.db.transaction("queue", "readwrite");
          answer.results.forEach(function (row, index) {
            row.name = row.name || batch[index].name;
            sent.push(row);
            tx.store.delete(row.nonce);
          });
          return tx.done;
        }).then(next);
      });
    }
    this.uploading = next().finally(function () {
      self.uploading = null;
      if (sent.length) { self.showReport(sent); }
      return self.countWaiting().then(function () { self.show(); });
    });
    return this.uploading;
  };

  Offline.prototype.showReport = function (rows) {
    var self = this;
    var conflicts = rows.filter(function (row) { return row.conflict; });
    var list = this.report.querySelector("ul");
    this.report.querySelector("#scan-sync-summary").textContent = fill(
      this.data.textSynced, { count: rows.length, conflicts: conflicts.length });
    list.textContent = "";
    conflicts.forEach(function (row) {
      var item = document.createElement("li");
      item.dataset.status = row.status;
      item.dataset.local = row.local;
      var text = fill(self.data.textConflict, {
        name: row.name || "—", local: self.labels[row.local], server: row.label
      });
      if (row.checked_in_at) {
        text += " · " + fill(self.data.textFirst, {
          time: timeOf(row.checked_in_at), who: row.by || "—", device: row.device || "—"
        });
      }
      item.textContent = text;
      list.appendChild(item);
    });
    this.report.hidden = false;
  };

  window.jobfairOffline = function (csrf) {
    var root = document.getElementById("scan-offline");
    if (!root || !window.fetch || !window.Promise) { return null; }
    return new Offline(root, csrf);
  };
})();
