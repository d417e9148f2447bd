/* The walk list's service worker: keeps the walk list page and its script so the page
   opens with no signal (network first, the last copy when there is none). Results are
   not handled here: the page queues them in IndexedDB and sends them itself. */
"use strict";

const CACHE = "fumin-walk-v1";
const ASSETS = ["/static/housing/walk.js"];

async function keep(url) {
  try {
    const response = await fetch(url, { credentials: "same-origin" });
    if (response.ok) {
      const cache = await caches.open(CACHE);
      await cache.put(url, response);
    }
  } catch (error) {
    /* offline while installing: the page is kept the next time it is opened */
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    Promise.all([...ASSETS, self.registration.scope].map(keep)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

// One copy kept per page, whatever its query (?lang=en): the newest. Kept by full URL and
// matched ignoring the query, an older copy of another query could be the one opened.
function keyOf(request) {
  const url = new URL(request.url);
  return url.origin + url.pathname;
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  const key = keyOf(request);
  try {
    const response = await fetch(request);
    if (response.ok) {
      await cache.put(key, response.clone());
    }
    return response;
  } catch (error) {
    const kept = await cache.match(key);
    if (kept) {
      return kept;
    }
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate" || ASSETS.includes(url.pathname)) {
    event.respondWith(networkFirst(request));
  }
});
