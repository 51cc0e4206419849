/* Gazette service worker, served as /sw.js (scope: the whole site). The network always comes first:
   this worker answers from its cache only when a request fails (offline, server down), and the cache
   holds only what the reader chose to keep (web/listen.js "keep for offline": a story page fetched
   without cookies, its CSS/JS, transcript and narration). Nothing else is stored, so no page is ever
   stale after a publish and no signed-in page is kept. */
'use strict';
const KEEP = 'gz-keep-v1';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (e) => {
  const req = e.request, url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin) return;
  if (!/^\/(story|static|media)\//.test(url.pathname) && req.mode !== 'navigate') return;
  e.respondWith(fetch(req).catch(() => kept(req, url)));
});

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function kept(req, url) {
  const c = await caches.open(KEEP);
  const hit = await c.match(url.pathname + url.search, { ignoreVary: true });
  if (hit) return url.pathname.startsWith('/media/') ? ranged(req, hit) : hit;
  if (req.mode === 'navigate') return offlinePage(c);
  return Response.error();
}

/* The media element asks for byte ranges; answer them from the kept file. */
async function ranged(req, hit) {
  const m = /^bytes=(\d*)-(\d*)$/.exec((req.headers.get('range') || '').trim());
  if (!m) return hit;
  const blob = await hit.blob(), size = blob.size;
  let start = m[1] === '' ? size - Number(m[2]) : Number(m[1]);
  let end = m[1] === '' || m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  start = Math.max(0, start);
  if (start >= size || end < start)
    return new Response(null, { status: 416, headers: { 'Content-Range': `bytes */${size}` } });
  return new Response(blob.slice(start, end + 1), { status: 206, headers: {
    'Content-Type': hit.headers.get('content-type') || 'application/octet-stream',
    'Content-Length': String(end - start + 1), 'Content-Range': `bytes ${start}-${end}/${size}`,
    'Accept-Ranges': 'bytes' } });
}

/* Offline and not kept: say so, and list what was kept. */
async function offlinePage(c) {
  const items = [];
  for (const r of await c.keys()) {
    const p = new URL(r.url).pathname;
    if (!/^\/story\/\d+(\/(en|ce))?$/.test(p)) continue;
    const res = await c.match(r);
    let t = p;
    try { t = decodeURIComponent(res.headers.get('x-gz-title') || p); } catch (e) { /* keep the path */ }
    items.push(`<li><a href="${esc(p)}">${esc(t)}</a></li>`);
  }
  const html = '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>离线 · Offline</title></head>' +
    '<body><main><h1>离线 <span lang="en">· You are offline</span></h1>' +
    (items.length ? '<p>已离线保存的报道 <span lang="en">· Stories kept for offline</span>:</p><ul>' + items.join('') + '</ul>'
      : '<p>没有离线保存的报道。<span lang="en">No stories kept for offline.</span></p>') +
    '</main></body></html>';
  return new Response(html, { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': "default-src 'none'; base-uri 'none'", 'Cache-Control': 'no-store' } });
}
