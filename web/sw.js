// sw.js — the page's service worker: after the first visit the page works with the network off.
// On install it caches the whole site that tools/build-web.js wrote (page, modules, worker, wasm,
// built-in MNIST), listed below by build-web together with a version made from the files' contents;
// a new build is a new version, so its install replaces the old cache. Files outside the list
// (Fashion-MNIST, 26 MB, fetched only when chosen) are cached when first fetched. Every path is
// relative to this file, so the site works under any subpath (e.g. /demos/wasmgen/).
//
// Requests are answered from the cache first; the network fills in what is missing. Responses keep
// their headers, so COOP/COEP (cross-origin isolation) hold offline too.

const VERSION = 'dev';   // replaced by build-web
const FILES = [];        // replaced by build-web: site paths, relative to this file
const CACHE = `wasmgen-${VERSION}`;
const OPTIONAL = /^data\/fashion\//;   // big and rarely used: cached on first use, not on install

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // 'reload' skips the HTTP cache, so a new version never stores an old copy.
    await cache.addAll(['./', ...FILES.filter((f) => !OPTIONAL.test(f))].map((f) => new Request(f, { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key.startsWith('wasmgen-') && key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(request, { ignoreSearch: request.mode === 'navigate' });
    if (hit) return hit;
    const response = await fetch(request);
    if (response.ok && response.type === 'basic') await cache.put(request, response.clone());
    return response;
  })());
});
