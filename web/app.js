/* Gazette front-end: enhances the server HTML of docs/FRONTEND.md (pages work without it). CSP-safe:
   no innerHTML, no style attributes (one CSSOM custom property). */
(() => {
'use strict';
const d = document, w = window, root = d.documentElement, zh = /^zh/i.test(root.lang);
const RATES = [1, 1.25, 1.5, 1.75, 2, 0.5, 0.75];
const PLAY = 'M8 5.14v13.72a1 1 0 0 0 1.5.86l11-6.86a1 1 0 0 0 0-1.72l-11-6.86A1 1 0 0 0 8 5.14z';
const PAUSE = 'M6 5h4v14H6zM14 5h4v14h-4z';
root.classList.add('js');

const $ = (s, c) => (c || d).querySelector(s);
const $$ = (s, c) => [...(c || d).querySelectorAll(s)];
const up = (t, s) => (t && t.closest ? t.closest(s) : null);
const on = (t, evs, f, o) => evs.split(' ').forEach((ev) => t.addEventListener(ev, f, o));
const attr = (e, a) => { for (const k in a) e.setAttribute(k, a[k]); return e; };
const el = (tag, cls, text) => {
  const e = d.createElement(tag);
  e.className = cls;
  if (text) e.textContent = text;
  return e;
};
const svg = (paths, label) => {
  const NS = 'http://www.w3.org/2000/svg', mk = (t, a) => attr(d.createElementNS(NS, t), a);
  const s = mk('svg', { viewBox: '0 0 24 24', 'aria-hidden': 'true', focusable: 'false' });
  for (const p of paths) s.append(mk('path', { d: p }));
  if (label) s.append(mk('text', { x: 12, y: 15.5, 'text-anchor': 'middle' })), s.lastChild.textContent = label;
  return s;
};
const button = (cls, label, content) => {
  const b = el('button', cls, label ? '' : content);
  b.type = 'button';
  if (label) attr(b, { 'aria-label': label, title: label }).append(content);
  return b;
};
const setCookie = (k, v) => {
  d.cookie = `${k}=${v}; Path=/; Max-Age=31536000; SameSite=Lax` + (location.protocol === 'https:' ? '; Secure' : '');
};
const player = $('section.player');
const i18n = (k, dflt) => (player && player.getAttribute('data-i18n-' + k)) || dflt;

/* ---- font size: html.fs-N + cookie gz_fs (the form's submit button is .nojs) ---- */
function initFontSize() {
  const form = $('form.fontsize');
  if (!form) return;
  const apply = (v) => {
    if (!/^[1-5]$/.test(v)) return;
    for (let i = 1; i <= 5; i++) root.classList.remove('fs-' + i);
    root.classList.add('fs-' + v);
    setCookie('gz_fs', v);
  };
  on(form, 'change', (e) => e.target.name === 'fs' && apply(e.target.value));
}

/* ---- 对照: which narration plays (cookie gz_narr, read by the server, which renders that audio and
   times that column; the form's submit button is .nojs) ---- */
function initNarr() {
  const form = $('form.narr');
  if (form) on(form, 'change', (e) => e.target.name === 'narr' && (setCookie('gz_narr', e.target.value), location.reload()));
}

/* ---- modal dialogs (share, sign-in, keys): the link opens its <dialog>, else its page. Focus to the
   first control, Tab kept inside; Esc, .dlg-close or the backdrop close it; focus back to the opener.
   Returns open(opener), or null without the dialog. ---- */
function modal(id, sel, onOpen) {
  const dlg = d.getElementById(id);
  if (!dlg || !dlg.showModal) return null;
  let opener = null;
  const focusables = () => $$('a[href],button,input,select,textarea,[tabindex="0"]', dlg)
    .filter((e) => !e.disabled && e.getClientRects().length);
  const open = (a) => {
    opener = a;
    if (onOpen) onOpen();
    if (!dlg.open) dlg.showModal();
    const f = focusables()[0];
    if (f) f.focus();
  };
  on(d, 'click', (e) => {
    const a = up(e.target, sel);
    if (!a || e.button || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    open(a);
  });
  on(dlg, 'keydown', (e) => { // keep Tab inside: browsers may tab out of a modal into their own UI
    const f = focusables(), a = d.activeElement, first = f[0], last = f[f.length - 1];
    if (e.key === 'Tab' && f.length && (!dlg.contains(a) || a === (e.shiftKey ? first : last))) {
      e.preventDefault();
      (e.shiftKey ? last : first).focus();
    }
  });
  on(dlg, 'click', (e) => {
    const r = dlg.getBoundingClientRect(), x = e.clientX, y = e.clientY;
    if (e.target === dlg) { if (x < r.left || x > r.right || y < r.top || y > r.bottom) dlg.close(); } // backdrop
    else if (up(e.target, '.dlg-close')) dlg.close();
  });
  on(dlg, 'close', () => {
    if (opener) opener.focus();
    opener = null;
  });
  return open;
}

/* ---- share dialog: copy the link ---- */
function initShare() {
  const dlg = d.getElementById('share-dlg');
  if (!modal('share-dlg', 'a.share-open', () => say(''))) return;
  const status = $('.copy-status', dlg);
  let timer = 0;
  const say = (text) => {
    if (!status) return;
    status.textContent = text;
    clearTimeout(timer);
    if (text) timer = setTimeout(say, 6000, '');
  };
  const copy = (btn) => {
    const url = btn.getAttribute('data-url') || location.href;
    const done = btn.getAttribute('data-copied') || i18n('copied', 'Link copied');
    const fallback = () => { // copy from a selected read-only field; if that fails it stays for a manual copy
      const inp = el('input', 'copy-url');
      let ok = false;
      $$('.copy-url', dlg).forEach((e) => e.remove());
      inp.readOnly = true;
      inp.value = url;
      inp.setAttribute('aria-label', btn.textContent);
      btn.after(inp);
      inp.focus();
      inp.select();
      try { ok = d.execCommand('copy'); } catch (e) { /* unsupported */ }
      if (ok) inp.remove(), btn.focus(), say(done);
    };
    if (navigator.clipboard && w.isSecureContext) navigator.clipboard.writeText(url).then(() => say(done), fallback);
    else fallback();
  };
  on(dlg, 'click', (e) => {
    const b = up(e.target, 'button.copy-link');
    if (b) copy(b);
  });
}

/* ---- SMS: button[data-wait="N"]: N s until a new code may be sent (the server enforces it). A send
   button counts down itself; on the verify form (验证 stays usable) a resend button is added. ---- */
function initWait() {
  const b = $('button[data-wait]'), n = b && +b.getAttribute('data-wait');
  if (!(n > 0) || !b.form) return;
  const end = Date.now() + n * 1000;
  let btn = b;
  if (!/\/send$/.test(b.getAttribute('formaction') || b.form.action)) {
    btn = el('button', 'resend', zh ? '重新获取验证码' : 'Send a new code');
    btn.type = 'submit';
    btn.formAction = b.form.action.replace(/[^/]*$/, 'send');
    b.after(btn);
  }
  const label = btn.textContent;
  const tick = () => {
    const s = Math.ceil((end - Date.now()) / 1000);
    btn.disabled = s > 0;
    btn.textContent = s > 0 ? (zh ? s + '秒后重新获取' : `Resend in ${s} s`) : label;
    if (s > 0) setTimeout(tick, ((end - Date.now()) % 1000) + 20);
  };
  tick();
}

/* ---- the audit table scrolls sideways on phones: reachable from the keyboard ---- */
function initTables() {
  for (const t of $$('table.audit')) {
    const s = up(t, 'section[aria-labelledby]');
    t.tabIndex = 0;
    if (s) t.setAttribute('aria-labelledby', s.getAttribute('aria-labelledby'));
  }
}

/* ---- player + read-along ---- */
function initPlayer() {
  const sec = player, audio = sec && $('audio', sec);
  if (!audio) return;
  const body = d.getElementById('transcript');
  const ce = !!(body && body.matches('.ce'));
  const dataDur = parseFloat(sec.getAttribute('data-duration')) || 0;
  let endT = parseFloat(sec.getAttribute('data-end')) || Infinity; // end of speech
  audio.controls = audio.autoplay = false;

  const bar = el('div', 'pbar'), playIcon = svg([PLAY]);
  const bPlay = button('pb-play', i18n('play', 'Play'), playIcon);
  const bBack = button('pb-skip', i18n('back15', 'Back 15 seconds'), svg(['M14.5 2.5 12 5l2.5 2.5', 'M12 5a8 8 0 1 1-6.9 4'], '15'));
  const bFwd = button('pb-skip', i18n('fwd15', 'Forward 15 seconds'), svg(['M9.5 2.5 12 5l-2.5 2.5', 'M12 5a8 8 0 1 0 6.9 4'], '15'));
  const seek = attr(el('div', 'pb-seek'), { role: 'slider', tabindex: 0, 'aria-label': i18n('seek', 'Seek'), 'aria-valuemin': 0 });
  const track = el('div', 'pb-track'), time = el('span', 'pb-time'), bRate = button('pb-rate');
  const msg = attr(el('p', 'pb-msg'), { role: 'status' });
  const bNow = button('pb-now', '', i18n('current', 'Back to current'));
  const bLoop = attr(button('pb-loop', i18n('loop', 'Loop this sentence'),
    svg(['M4 11V9a3 3 0 0 1 3-3h12l-3-3m3 3-3 3', 'M20 13v2a3 3 0 0 1-3 3H5l3 3m-3-3 3-3'])), { 'aria-pressed': 'false' });
  const openKeys = modal('keys-dlg', 'button.pb-keys');
  track.append(el('span', 'pb-fill'), el('span', 'pb-thumb'));
  seek.append(track);
  bar.append(bPlay, bBack, bFwd, seek, time, bLoop, bRate);
  if (openKeys) bar.append(attr(button('pb-keys', i18n('keys', 'Keyboard shortcuts'), '?'), { 'aria-haspopup': 'dialog' }));
  bNow.hidden = true;
  sec.append(bar, msg, bNow);

  // timed sentences, sorted for a binary search; spans without data-t are left alone
  const items = [];
  if (body) $$('span.s[data-t]', body).forEach((s) => {
    const t = parseFloat(s.getAttribute('data-t'));
    if (t >= 0 && t < Infinity) items.push({ t, el: attr(s, { tabindex: 0, role: 'button' }) });
  });
  items.sort((a, b) => a.t - b.t); // stable: equal times keep document order

  const dur = () => { const x = audio.duration; return x > 0 && x < Infinity ? x : dataDur; };
  const pad = (n) => (n < 10 ? '0' : '') + n;
  const fmt = (s, long) => { // mm:ss, or h:mm:ss for long audio
    const m = Math.floor((s = Math.max(0, s | 0)) / 60);
    return (long ? Math.floor(m / 60) + ':' + pad(m % 60) : pad(m)) + ':' + pad(s % 60);
  };
  const spoken = (s) => { // aria-valuetext: "4 minutes, 3 seconds" / "4分3秒"
    const h = Math.floor((s = Math.max(0, s | 0)) / 3600), m = Math.floor(s / 60) % 60, out = [];
    const u = (n, word) => out.push(`${n} ${word}${n === 1 ? '' : 's'}`);
    s %= 60;
    if (zh) return (h ? h + '小时' : '') + (h || m ? m + '分' : '') + s + '秒';
    if (h) u(h, 'hour');
    if (h || m) u(m, 'minute');
    u(s, 'second');
    return out.join(', ');
  };

  let dragging = false, dragT = 0, lastS = -1, lastD = -1, started = false, cur = -1, curEl = null, raf = 0, follow = true;
  let looping = false, loopI = -1; // loop: the sentence looped (-1: take the current one)

  const render = (force) => {
    const D = dur(), t = dragging ? dragT : audio.currentTime || 0, s = Math.floor(t), max = Math.round(D);
    seek.style.setProperty('--p', D ? Math.min(1, t / D).toFixed(4) : '0');
    if (!force && s === lastS && D === lastD) return;
    lastS = s, lastD = D;
    time.textContent = fmt(t, D >= 3600) + ' / ' + fmt(D, D >= 3600);
    if (force || d.activeElement !== seek) // a focused slider is not re-announced every second
      attr(seek, { 'aria-valuemax': max, 'aria-valuenow': Math.min(s, max), 'aria-valuetext': spoken(t) });
  };
  const seekTo = (t, keepLoop) => {
    const D = dur();
    started = true;
    if (!keepLoop) loopI = -1; // the reader moved: loop where they went
    try { audio.currentTime = Math.max(0, D ? Math.min(t, D) : t); } catch (e) { /* not seekable yet */ }
    render(true);
    highlight();
  };
  const play = () => {
    started = true;
    try { audio.play().catch(() => {}); } catch (e) { /* reported by the error event */ }
  };
  const state = () => {
    const playing = !audio.paused, label = playing ? i18n('pause', 'Pause') : i18n('play', 'Play');
    attr(bPlay, { 'aria-label': label, title: label });
    playIcon.firstChild.setAttribute('d', playing ? PAUSE : PLAY);
    sec.classList.toggle('playing', playing);
    if (playing) loop();
    tick();
  };
  const showRate = () => {
    const r = audio.playbackRate;
    bRate.textContent = r + '×';
    bRate.setAttribute('aria-label', i18n('speed', 'Playback speed') + ' ' + r + '×');
  };
  const fail = () => {
    sec.classList.add('err');
    msg.textContent = i18n('error', zh ? '音频无法播放。' : 'The audio could not be played.');
  };

  /* read-along highlight */
  const find = (x) => { // the last sentence with t <= x; none before the first or after the end of speech
    let lo = 0, hi = items.length - 1, r = -1;
    if (!(x < endT)) return -1;
    x += 0.01; // float noise in stamps and seeks
    while (lo <= hi) {
      const m = (lo + hi) >> 1;
      if (items[m].t <= x) r = m, lo = m + 1; else hi = m - 1;
    }
    return r;
  };
  const mark = (yes) => {
    if (!curEl) return;
    curEl.classList.toggle('now', yes);
    if (yes) curEl.setAttribute('aria-current', 'true'); else curEl.removeAttribute('aria-current');
    const p = ce && up(curEl, '.pair');
    if (p) p.classList.toggle('now', yes);
  };
  /* the spoken word inside the spoken sentence, when the transcript has word times */
  let wordsOn = !/(?:^|; *)gz_words=0/.test(d.cookie), curW = null;
  const markWord = (i) => {
    let wEl = null;
    const ws = wordsOn && i >= 0 && items[i].words;
    if (ws) {
      const x = audio.currentTime + 0.01;
      for (const wd of ws) if (wd.t <= x) wEl = wd.el; else break;
    }
    if (wEl === curW) return;
    if (curW) curW.classList.remove('wnow');
    curW = wEl;
    if (curW) curW.classList.add('wnow');
  };
  const highlight = () => {
    const i = !started || audio.ended ? -1 : find(audio.currentTime);
    markWord(i);
    if (i === cur) return;
    mark(false);
    cur = i;
    curEl = i < 0 ? null : items[i].el;
    mark(true);
    if (follow) scrollToCur(); else showNow();
  };
  /* loop: on reaching the next sentence's start (or the end of speech), back to the looped one's */
  const loopCheck = () => {
    if (!looping || audio.paused) return;
    if (loopI < 0) loopI = cur;
    const end = loopI + 1 < items.length ? items[loopI + 1].t : Math.min(endT, dur() || Infinity);
    if (loopI >= 0 && audio.currentTime >= end - 0.02) seekTo(items[loopI].t, true);
  };
  const setLoop = (v) => {
    looping = v;
    loopI = -1;
    bLoop.setAttribute('aria-pressed', String(v));
  };
  const tick = () => {
    if (!audio.paused || audio.currentTime > 0) started = true; // no highlight at load
    render(false);
    loopCheck(); // before the highlight, which would move on to the next sentence
    highlight();
  };
  const loop = () => { // timeupdate fires ~4×/s, too coarse at 2×: follow animation frames while playing
    const f = () => {
      raf = 0;
      tick();
      if (!audio.paused && !audio.ended) raf = requestAnimationFrame(f);
    };
    if (!raf) raf = requestAnimationFrame(f);
  };

  /* keys (listed in #keys-dlg): Space play/pause, ←/→ sentence, L loop, ? this list. Not while
     typing, not with Ctrl/Alt/Meta, not over a control's own use of the key. Capture: before the
     scroll watcher below, which then sees defaultPrevented. */
  const toggle = () => (audio.paused || audio.ended ? play() : audio.pause());
  const step = (dir) => { // ← more than 1.5 s into a sentence restarts it, as players do with tracks
    const x = audio.currentTime;
    let i = cur >= 0 ? Math.max(0, cur + (dir < 0 && x - items[cur].t > 1.5 ? 0 : dir)) : -1;
    if (cur < 0) items.forEach((it, j) => { if (dir > 0 ? i < 0 && it.t > x : it.t < x) i = j; });
    if (!items.length || i < 0) return;
    follow = bNow.hidden = true;
    seekTo(items[Math.min(i, items.length - 1)].t);
  };
  on(d, 'keydown', (e) => {
    const k = e.key, t = e.target;
    const f = { ' ': toggle, ArrowLeft: () => step(-1), ArrowRight: () => step(1), l: () => setLoop(!looping),
      L: () => setLoop(!looping), '?': () => openKeys && openKeys(d.activeElement) }[k];
    if (!f || e.defaultPrevented || e.ctrlKey || e.altKey || e.metaKey || (e.shiftKey && k !== '?') ||
        up(t, 'input,textarea,select,[contenteditable],dialog') || $('dialog[open]') ||
        (k === ' ' && up(t, 'button,a,summary,[role=button]')) || (k.length > 1 && up(t, '[role=slider]'))) return;
    e.preventDefault();
    f();
  }, true);

  /* auto-scroll: follow the voice until the reader scrolls by hand (wheel, touch, keys: our own
     scrollBy fires none of these), then offer "back to current" */
  const band = () => { // comfortable zone [top, bottom], then the area visible below the sticky bar
    const h = w.innerHeight, r = sec.getBoundingClientRect(), top = r.bottom > 0 && r.top < h / 2 ? r.bottom : 0;
    return [top + (h - top) * 0.05, h - (h - top) * 0.15, top, h];
  };
  const scrollToCur = (force) => {
    if (!curEl) return;
    const r = curEl.getBoundingClientRect(), b = band();
    if (!force && r.top >= b[0] && r.bottom <= b[1]) return;
    const dy = r.height > (b[3] - b[2]) * 0.7 ? r.top - b[2] - 16 : (r.top + r.bottom - b[2] - b[3]) / 2;
    w.scrollBy({ top: Math.round(dy), behavior: w.matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth' });
  };
  const showNow = () => { bNow.hidden = follow || !curEl; };
  const userScroll = (e) => {
    if (!up(e.target, 'dialog,.pb-seek') && (curEl || !audio.paused)) follow = false, showNow();
  };
  on(w, 'wheel touchmove', userScroll, { passive: true });
  on(d, 'keydown', (e) => {
    const k = e.key, t = e.target;
    if (e.defaultPrevented || !/^(Arrow(Up|Down)|Page(Up|Down)|Home|End| )$/.test(k) ||
        up(t, 'input,textarea,select,[contenteditable],[role="slider"],dialog') ||
        (k === ' ' && up(t, 'button,a,[role="button"]'))) return;
    userScroll(e);
  });
  on(bNow, 'click', () => {
    follow = bNow.hidden = true;
    scrollToCur(true);
    if (curEl) curEl.focus({ preventScroll: true });
  });

  /* a sentence: click, Enter or Space plays from its start */
  const playFrom = (s) => {
    follow = bNow.hidden = true;
    seekTo(parseFloat(s.getAttribute('data-t')));
    play();
  };
  if (body) {
    on(body, 'click', (e) => {
      const s = up(e.target, 'span.s[role="button"]'), sel = String(w.getSelection()).trim();
      const wd = wordsOn && up(e.target, 'span.w[data-t]');
      if (s && wd && !sel && !up(e.target, 'a')) { // a word: play from that word
        follow = bNow.hidden = true;
        seekTo(parseFloat(wd.getAttribute('data-t')));
        play();
        return;
      }
      if (s && !sel && !up(e.target, 'a')) playFrom(s); // not when selecting text or following a link
    });
    on(body, 'keydown', (e) => {
      if ((e.key === 'Enter' || e.key === ' ') && e.target.matches('span.s[role="button"]')) {
        e.preventDefault(); // Space would scroll
        playFrom(e.target);
      }
    });
  }

  /* controls */
  on(bPlay, 'click', toggle);
  on(bLoop, 'click', () => setLoop(!looping));
  on(audio, 'ended', () => { if (looping && loopI >= 0) seekTo(items[loopI].t, true), play(); });
  on(bBack, 'click', () => seekTo(audio.currentTime - 15));
  on(bFwd, 'click', () => seekTo(audio.currentTime + 15));
  on(bRate, 'click', () => {
    const r = RATES[(RATES.indexOf(audio.playbackRate) + 1) % RATES.length];
    audio.defaultPlaybackRate = audio.playbackRate = r;
    setCookie('gz_rate', r);
    showRate();
  });
  on(seek, 'keydown', (e) => {
    const t = audio.currentTime, n = { ArrowLeft: t - 5, ArrowDown: t - 5, ArrowRight: t + 5, ArrowUp: t + 5,
      PageDown: t - 30, PageUp: t + 30, Home: 0, End: dur() }[e.key];
    if (n === undefined || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    seekTo(n);
  });
  on(seek, 'focus', () => render(true));
  const pos = (e) => {
    const r = track.getBoundingClientRect();
    return Math.max(0, Math.min(1, (e.clientX - r.left) / (r.width || 1))) * dur();
  };
  ['pointerdown', 'pointermove', 'pointerup', 'pointercancel'].forEach((ev, phase) => on(seek, ev, (e) => {
    if (!phase) { // preview while dragging, seek once on release
      if (e.button > 0 || !dur()) return;
      dragging = true;
      seek.setPointerCapture(e.pointerId);
    }
    if (!dragging) return;
    if (phase < 3) dragT = pos(e);
    seek.classList.toggle('drag', phase < 2);
    if (phase < 2) return render(true);
    dragging = false;
    if (phase === 2) seekTo(dragT); else render(true);
  }));

  on(audio, 'timeupdate seeking seeked durationchange loadedmetadata emptied', tick);
  on(audio, 'play pause ended', state);
  on(audio, 'playing', () => { sec.classList.remove('err'); msg.textContent = ''; });
  on(audio, 'ratechange', showRate);
  on(audio, 'error', fail, true); // capture: <source> errors too
  if (audio.error) fail();
  const saved = +(d.cookie.match(/(?:^|; *)gz_rate=([\d.]+)/) || [])[1];
  if (RATES.includes(saved)) audio.defaultPlaybackRate = audio.playbackRate = saved;
  showRate();
  state();
  render(true);

  // without data-end, the end of speech is the start of the transcript's final empty segment
  const url = sec.getAttribute('data-transcript');
  if (endT === Infinity && url) fetch(url, { credentials: 'same-origin' })
    .then((r) => (r.ok ? r.json() : null))
    .then((j) => {
      const p = j && j.text, last = Array.isArray(p) && p[p.length - 1], seg = Array.isArray(last) && last[last.length - 1];
      if (seg && typeof seg.start === 'number' && seg.start > (items.length ? items[items.length - 1].t : 0) &&
          !String(seg.text || '').trim()) endT = seg.start, highlight();
    })
    .catch(() => { /* non-fatal: the highlight then lasts until the audio ends */ });

  // words: sentences the server rendered with word times (span.w[data-t]) mark the spoken word
  let anyWords = false;
  items.forEach((it) => {
    const ws = $$('span.w[data-t]', it.el).map((e) => ({ t: parseFloat(e.getAttribute('data-t')), el: e }))
      .filter((x) => x.t >= 0).sort((a, b) => a.t - b.t);
    if (ws.length) it.words = ws, anyWords = true;
  });
  if (anyWords) {
    const bWords = attr(button('pb-words', i18n('words', zh ? '逐词高亮' : 'Highlight words'), 'Aa'), { 'aria-pressed': String(wordsOn) });
    bar.insertBefore(bWords, bRate);
    on(bWords, 'click', () => {
      wordsOn = !wordsOn;
      bWords.setAttribute('aria-pressed', String(wordsOn));
      setCookie('gz_words', wordsOn ? '1' : '0');
      markWord(wordsOn ? cur : -1);
    });
  }
}

// One task per part, so that the page answers input between them (no long task at start-up);
// the player, which readers see first, goes first.
const parts = [initPlayer, initFontSize, initNarr, initShare, () => modal('signin-dlg', 'a.signin-open'), initWait, initTables];
const next = () => {
  try { parts.shift()(); } catch (e) { console.error(e); }
  if (parts.length) setTimeout(next, 0);
};
next();
})();
