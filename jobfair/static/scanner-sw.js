// The staff scanner's service worker (served at /staff/scanner-sw.js, scope /staff/): keeps
// the scanner page and its files so that a reload without the network still opens it.
// Hand-written rather than Workbox: Workbox's npm modules need a bundler or its CDN loader
// (see jobfair/checkin/README.md). It never touches POSTs nor the manifest: scans and their
// upload are the page's business (scanner-offline.js).
"use strict";

var CACHE = "jobfair-scanner-v1";
var SCANNER_PAGE = /^\/staff\/fairs\/\d+\/scan$/;
var FILES = /^\/(static|vendor)\//;

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("jobfair-scanner-") === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

// The network first (a fresh CSRF token, a deploy seen at once); the kept copy without it.
// ``key``: what the copy is kept under; ``keep``: whether this answer may be kept.
function networkFirst(request, key, keep) {
  return fetch(request).then(function (response) {
    if (keep(response)) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(key, copy); });
    }
    return response;
  }).catch(function () {
    return caches.open(CACHE).then(function (cache) { return cache.match(key); })
      .then(function (kept) { return kept || Response.error(); });
  });
}

// The scanner page is kept without its query string (a name search is not kept), and never
// when it was a redirect (to the login page).
function scannerPage(request) {
  var url = new URL(request.url);
  return networkFirst(request, url.origin + url.pathname, function (response) {
    return response.ok && !response.redirected && !url.search;
  });
}

function file(request) {
  return networkFirst(request, request, function (response) { return response.ok; });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" && SCANNER_PAGE.test(url.pathname)) {
    event.respondWith(scannerPage(request));
  } else if (FILES.test(url.pathname)) {
    event.respondWith(file(request));
  }
});
