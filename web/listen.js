/* Gazette: listening that continues (issue 11): the position in each story (the account when signed in,
   this browser otherwise) offered on return; lock-screen controls (Media Session); "play all of today's
   stories" as a queue of story pages; "keep for offline" with the service worker /sw.js. Works on the
   server HTML and the <audio> element only (app.js drives the player bar and follows audio events).
   CSP-safe: no innerHTML, no inline style. */
(() => {
'use strict';
const d = document, w = window, root = d.documentElement, zh = /^zh/i.test(root.lang);
const KEEP = 'gz-keep-v1', QKEY = 'gz-queue', PKEY = 'gz-pos:';
const $ = (s, c) => (c || d).querySelector(s);
const $$ = (s, c) => [...(c || d).querySelectorAll(s)];
const T = (z, e) => (zh ? z : e);
const el = (tag, cls, text) => {
  const e = d.createElement(tag);
  if (cls) e.className = cls;
  if (text) e.textContent = text;
  return e;
};
const btn = (cls, text) => { const b = el('button', cls, text); b.type = 'button'; return b; };
const store = (s) => { try { return w[s]; } catch (e) { return null; } }; // blocked storage throws
const ls = store('localStorage'), ss = store('sessionStorage');
const jget = (st, k) => { try { return st ? JSON.parse(st.getItem(k)) : null; } catch (e) { return null; } };
const jput = (st, k, v) => { try { if (st) v == null ? st.removeItem(k) : st.setItem(k, JSON.stringify(v)); } catch (e) { /* full */ } };
const fmt = (s) => { s = Math.floor(s); const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, x = s % 60;
  return (h ? h + ':' + String(m).padStart(2, '0') : m) + ':' + String(x).padStart(2, '0'); };

/* the service worker: scope / (it only ever answers from its cache when the network fails) */
if ('serviceWorker' in navigator && w.isSecureContext) navigator.serviceWorker.register('/sw.js').catch(() => {});

const player = $('section.player'), audio = player && $('audio', player), art = $('article.story');
const storyId = +((location.pathname.match(/^\/story\/(\d+)/) || [])[1] || 0);
const narr = art && art.getAttribute('data-narration-lang');
const signedIn = !!$('a.account-link');
const csrf = () => { const i = $('input[name="csrf"]'); return i ? i.value : ''; };

/* ---- the day's queue (sessionStorage: this tab only): {list: [{url, title}], i} ---- */
const queue = jget(ss, QKEY);
const qi = queue && Array.isArray(queue.list) ? queue.list.findIndex((s) => s.url === location.pathname) : -1;
const qNext = qi >= 0 ? queue.list[qi + 1] : null;
const goNext = () => {
  if (!qNext) return jput(ss, QKEY, null);
  jput(ss, QKEY, { list: queue.list, i: qi + 1, auto: 1 });
  location.assign(qNext.url);
};

function initHome() {
  const main = $('main');
  if (location.pathname !== '/' || !main || !w.fetch) return;
  fetch('/listen/today.json', { credentials: 'same-origin' }).then((r) => (r.ok ? r.json() : null)).then((j) => {
    const list = j && Array.isArray(j.stories) ? j.stories.filter((s) => typeof s.url === 'string' && /^\/story\/\d+/.test(s.url)) : [];
    if (!list.length) return;
    const p = el('p', 'ls-playall'), b = btn('primary', j.latest
      ? T(`▶ 连续播放最新的 ${list.length} 篇报道`, `▶ Play the latest ${list.length} stories`)
      : T(`▶ 播放今天的全部报道（${list.length} 篇）`, `▶ Play all of today's stories (${list.length})`));
    p.append(b);
    main.insertBefore(p, $('.home-section', main) || main.firstChild);
    b.addEventListener('click', () => {
      jput(ss, QKEY, { list: list.map((s) => ({ url: s.url, title: String(s.title || '') })), i: 0, auto: 1 });
      location.assign(list[0].url);
    });
  }).catch(() => { /* offline or refused: no button */ });
}

function initStory() {
  if (!audio || !storyId || !/^(en|zh)$/.test(narr || '')) {
    if (qi >= 0 && !audio) goNext(); // a queued story lost its narration: skip it
    return;
  }
  const row = el('div', 'ls-row'), status = el('span', 'ls-status');
  status.setAttribute('role', 'status');
  player.after(row);
  const endT = () => { const e = parseFloat(player.getAttribute('data-end')), D = audio.duration;
    return e > 0 ? e : D > 0 && D < Infinity ? D : parseFloat(player.getAttribute('data-duration')) || Infinity; };

  /* ---- saved position ---- */
  const key = PKEY + storyId + ':' + narr;
  const api = (body) => fetch('/listen/position', { method: 'POST', credentials: 'same-origin', keepalive: true,
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf() },
    body: JSON.stringify(Object.assign({ story: storyId, lang: narr }, body)) }).catch(() => {});
  let lastSaved = -1, lastAt = 0, cleared = false;
  const save = (force) => {
    const t = audio.currentTime || 0, now = Date.now();
    if (t >= endT() - 3) return cleared || clear(); // heard to the end (a replay saves again)
    if (t < 1 || Math.abs(t - lastSaved) < 1 || (!force && now - lastAt < 10000)) return;
    lastSaved = t, lastAt = now, cleared = false;
    if (signedIn) api({ t: Math.round(t * 10) / 10 });
    else {
      jput(ls, key, { t, at: now });
      const keys = []; // keep the 200 most recent
      for (let i = 0; ls && i < ls.length; i++) if (ls.key(i).startsWith(PKEY)) keys.push(ls.key(i));
      if (keys.length > 200) keys.map((k) => [k, (jget(ls, k) || {}).at || 0]).sort((a, b) => a[1] - b[1])
        .slice(0, keys.length - 200).forEach((k) => ls.removeItem(k[0]));
    }
  };
  const clear = () => {
    cleared = true, lastSaved = -1;
    if (resume) resume.remove();
    if (signedIn) api({ done: true }); else jput(ls, key, null);
  };
  let resume = null;
  const offer = (t) => {
    if (!(t >= 5) || t >= endT() - 5 || audio.currentTime > 1) return;
    resume = btn('ls-btn ls-resume', T('从 ' + fmt(t) + ' 继续', 'Resume from ' + fmt(t)));
    row.prepend(resume);
    resume.addEventListener('click', () => { seek(t); resume.remove(); resume = null; audio.play().catch(() => {}); });
    if (queue && queue.auto && qi >= 0) resume.click();
  };
  const seek = (t) => {
    const go = () => { try { audio.currentTime = t; } catch (e) { /* not seekable */ } };
    if (audio.readyState >= 1) go(); else audio.addEventListener('loadedmetadata', go, { once: true });
  };
  const saved = signedIn
    ? fetch(`/listen/position?story=${storyId}&lang=${narr}`, { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.json() : null)).then((j) => (j && typeof j.t === 'number' ? j.t : null)).catch(() => null)
    : Promise.resolve((jget(ls, key) || {}).t);
  audio.addEventListener('timeupdate', () => { if (!audio.paused) save(false); });
  audio.addEventListener('pause', () => save(true));
  audio.addEventListener('seeked', () => { if (audio.paused) save(true); });
  audio.addEventListener('ended', () => { if (!cleared) clear(); if (qi >= 0) goNext(); });
  w.addEventListener('pagehide', () => { if (!audio.paused) save(true); });

  /* ---- queue ---- */
  if (qi >= 0) {
    const next = btn('ls-btn', qNext ? T('下一篇', 'Next story') : T('结束连播', 'End the queue'));
    const stop = btn('ls-btn', T('停止连播', 'Stop the queue'));
    row.append(el('span', 'ls-q', T(`连播 ${qi + 1}/${queue.list.length}`, `Queue ${qi + 1}/${queue.list.length}`)) , next);
    if (qNext) row.append(stop);
    next.addEventListener('click', goNext);
    stop.addEventListener('click', () => { jput(ss, QKEY, null); next.remove(); stop.remove(); $('.ls-q', row).remove(); });
  }
  saved.then((t) => {
    if (t != null) offer(t);
    if (queue && queue.auto && qi >= 0) {
      jput(ss, QKEY, { list: queue.list, i: qi }); // autoplay once per arrival
      audio.play().catch(() => { status.textContent = T('按播放键继续连播。', 'Press play to continue the queue.'); });
    }
  });

  /* ---- Media Session: lock screen, headset and keyboard media keys ---- */
  const ms = navigator.mediaSession;
  if (ms && w.MediaMetadata) {
    const h1 = $('h1', art), sec = $('.section-label', art), brand = $('a.brand');
    const og = $('meta[property="og:image"]'), site = brand ? brand.textContent : 'Gazette';
    const art_ = og ? [{ src: og.content }] : [
      { src: '/static/icon-512.png', sizes: '512x512', type: 'image/png' },
      { src: '/static/icon-192.png', sizes: '192x192', type: 'image/png' }];
    ms.metadata = new MediaMetadata({ title: h1 ? h1.textContent : d.title,
      artist: site + (sec ? ' · ' + sec.textContent : ''), album: site, artwork: art_ });
    const set = (a, f) => { try { ms.setActionHandler(a, f); } catch (e) { /* unsupported action */ } };
    const by = (dt) => seek(Math.max(0, Math.min((audio.currentTime || 0) + dt, audio.duration || Infinity)));
    set('play', () => audio.play().catch(() => {}));
    set('pause', () => audio.pause());
    set('seekbackward', (e) => by(-(e.seekOffset || 15)));
    set('seekforward', (e) => by(e.seekOffset || 15));
    set('seekto', (e) => seek(e.seekTime));
    set('nexttrack', qNext ? goNext : null);
    const pos = () => { const D = audio.duration;
      if (ms.setPositionState && D > 0 && D < Infinity) try { ms.setPositionState({ duration: D, playbackRate: audio.playbackRate, position: Math.min(audio.currentTime, D) }); } catch (e) { /* ignore */ } };
    ['loadedmetadata', 'seeked', 'ratechange', 'play', 'pause'].forEach((ev) => audio.addEventListener(ev, pos));
    audio.addEventListener('play', () => { ms.playbackState = 'playing'; });
    audio.addEventListener('pause', () => { ms.playbackState = 'paused'; });
  }

  /* ---- keep for offline: the page (fetched without cookies: never a signed-in copy), its CSS/JS,
     its transcript and narration go into the cache /sw.js answers from when the network fails ---- */
  if (w.caches && 'serviceWorker' in navigator && w.isSecureContext) {
    const page = location.pathname, keepB = btn('ls-btn ls-keep');
    const src = new URL(audio.currentSrc || audio.src, location.href).pathname;
    const trj = player.getAttribute('data-transcript');
    const label = (kept) => {
      keepB.textContent = kept ? T('已离线保存 · 移除', 'Kept offline · remove') : T('离线保存', 'Keep for offline');
      keepB.classList.toggle('kept', kept); // (the label says the state: no aria-pressed with a changing label)
    };
    const urls = () => [...new Set([...$$('link[rel="stylesheet"],link[rel="icon"]').map((e) => e.getAttribute('href')),
      ...$$('script[src]').map((e) => e.getAttribute('src')), trj, src].filter((u) => u && u.startsWith('/')))];
    caches.open(KEEP).then((c) => c.match(page)).then((r) => label(!!r)).catch(() => label(false));
    row.append(keepB);
    keepB.addEventListener('click', async () => {
      keepB.disabled = true;
      try {
        const c = await caches.open(KEEP);
        if (await c.match(page)) {
          await Promise.all([page, src, trj].filter(Boolean).map((u) => c.delete(u)));
          label(false);
          status.textContent = T('已移除离线副本。', 'Offline copy removed.');
        } else {
          status.textContent = T('正在保存…', 'Saving…');
          const get = async (u, cred) => { const r = await fetch(u, { credentials: cred, cache: 'no-cache' });
            if (!r.ok) throw new Error(u + ': ' + r.status); return r; };
          const res = await get(page, 'omit'), body = await res.blob(), h = new Headers(res.headers);
          ['content-encoding', 'content-length', 'set-cookie'].forEach((k) => h.delete(k));
          h.set('X-Gz-Title', encodeURIComponent((h1t() || d.title).slice(0, 200)));
          for (const u of urls()) await c.put(u, await get(u, 'same-origin'));
          await c.put(page, new Response(body, { status: 200, headers: h }));
          label(true);
          status.textContent = T('已保存，离线也能听。', 'Kept: it opens and plays offline.');
        }
      } catch (e) {
        status.textContent = T('无法离线保存：', 'Could not keep it: ') + (e && e.message || e);
      }
      keepB.disabled = false;
    });
  }
  row.append(status);
  function h1t() { const h = $('h1', art); return h ? h.textContent : ''; }
}

initHome();
initStory();
})();
