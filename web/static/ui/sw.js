// Kollegium's service worker: the offline page and the shell's static files, nothing more.
// Pages are never cached (they hold personal data); a failed navigation shows /offline.
var CACHE = "kollegium-v1";
var SHELL = ["/offline", "/static/ui/app.css", "/static/ui/app.js", "/static/ui/icon.svg"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); }));
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }));
  self.clients.claim();
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () { return caches.match("/offline"); }));
    return;
  }
  var url = new URL(request.url);
  if (url.origin === location.origin && url.pathname.indexOf("/static/ui/") === 0) {
    event.respondWith(fetch(request).catch(function () { return caches.match(request); }));
  }
});
