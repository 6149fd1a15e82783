// Service worker: keeps the report page working without signal, and sends reports kept on the
// phone when the network comes back (background sync), even after the page was closed.
importScripts("/static/queue.js");
var CACHE = "reunite-v3";
var KEEP = ["/report", "/favicon.ico"];  // the report page carries its scripts and styles inline
self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(KEEP); }).then(function () {
    return self.skipWaiting();
  }));
});
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {  // copies an earlier version kept
    return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});
self.addEventListener("fetch", function (event) {
  var url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin || KEEP.indexOf(url.pathname) < 0) return;
  event.respondWith(fetch(event.request).then(function (response) {  // network first, the kept copy offline
    if (response.ok) { var copy = response.clone(); caches.open(CACHE).then(function (c) { c.put(url.pathname, copy); }); }
    return response;
  }, function () { return caches.match(url.pathname); }));
});
self.addEventListener("sync", function (event) {
  // the network is back: what waited for a signal is sent now, what waits for the hourly limit at its time
  if (event.tag === "reunite-reports") event.waitUntil(reuniteQueue.flush({network: true}).then(function () {
    return self.clients.matchAll().then(function (clients) {  // each open report page shows what became of them
      clients.forEach(function (c) { c.postMessage({queue: true}); });
    });
  }).then(reuniteQueue.all).then(function (entries) {  // a failed sync is tried again by the browser later
    var left = entries.filter(reuniteQueue.waiting);
    if (left.length) throw new Error(left.length + " reports still kept: not sent yet");
  }));
});
