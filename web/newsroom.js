/* newsroom.js: the editors' pages (they work without it): autosave, job progress, uploads, timing waveform. */
(function () {
  'use strict';
  const $ = (s, r) => (r || document).querySelector(s);
  const $$ = (s, r) => [...(r || document).querySelectorAll(s)];
  const T = /^zh/i.test(document.documentElement.lang) ? {
    saved: '已自动保存 ', bad: '未能自动保存：', retry: '暂时无法自动保存，稍后重试。',
    job: '对齐任务', queued: '排队中', running: '对齐中', done: '已完成', failed: '失败',
    took: (s, n) => '，用时 ' + s + ' 秒，' + n + ' 句待核对', review: '校对时间', pr: '进度',
    up: '上传中', upOk: '上传完成，正在打开任务…', upErr: '上传失败：', net: '网络错误',
    big: (mb, max) => '文件为 ' + mb + ' MB，超过 ' + max + ' MB 上限，未上传。',
    wave: '波形与句子起始标记（可拖动；下表可编辑全部时间）', play: (n) => '播放第 ' + n + ' 句',
    nudge: (t, w) => t + '（' + w + '）', sent: (n) => '第 ' + n + ' 句', end: '朗读结束',
    head: ['#', '起始（秒）', '不朗读', '句子'],
  } : {
    saved: 'Autosaved ', bad: 'Not autosaved: ', retry: 'Cannot autosave now; will retry.',
    job: 'Timing job', queued: 'queued', running: 'running', done: 'done', failed: 'failed',
    took: (s, n) => ', ' + s + ' s, ' + n + ' to check', review: 'Review timing', pr: 'Progress',
    up: 'Uploading', upOk: 'Uploaded; opening the job…', upErr: 'Upload failed: ', net: 'network error',
    big: (mb, max) => 'The file is ' + mb + ' MB, over the ' + max + ' MB limit: not uploaded.',
    wave: 'Waveform with sentence start markers (drag them; the table below edits every time)',
    play: (n) => 'Play sentence ' + n, nudge: (t, w) => t + ' (' + w + ')', sent: (n) => 'sentence ' + n,
    end: 'end of speech', head: ['#', 'Start (s)', 'Not spoken', 'Sentence'],
  };
  const el = (tag, attrs, text) => {
    const e = document.createElement(tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    return e;
  };
  const bar = (label, v) => { const b = el('progress', { max: 100, 'aria-label': label }); b.value = v; return b; };
  const json = (t) => { try { return JSON.parse(t); } catch (e) { return {}; } };
  const same = { credentials: 'same-origin', cache: 'no-store' };

  let dirty = false; /* unsaved changes: ask before leaving */
  addEventListener('beforeunload', (e) => { if (dirty) { e.preventDefault(); e.returnValue = ''; } });

  /* autosave: 2 s after typing stops (10 s at most while typing), one request per 10 s */
  const form = $('form.nr-story'), ver = form && form.elements.namedItem('version');
  const save = { busy: null, flush: () => Promise.resolve() }, jobs = [];
  if (form) {
    const url = form.getAttribute('data-autosave'), status = $('.form-status');
    let timer = 0, first = 0, last = 0, sent = 0, changed = false, stopped = !url, alert = null;
    const problem = (text) => {
      if (!alert) form.before(alert = el('p', { class: 'form-error nr-autosave', role: 'alert' }));
      alert.textContent = text;
    };
    const schedule = () => {
      clearTimeout(timer);
      if (!stopped && changed) timer = setTimeout(run, Math.max(Math.min(last + 2e3, first + 1e4), sent + 1e4) - Date.now());
    };
    const run = () => {
      if (save.busy || stopped || !changed) return save.busy || Promise.resolve();
      const body = new URLSearchParams(new FormData(form));
      body.delete('action');
      changed = false;
      first = 0;
      sent = Date.now();
      save.busy = fetch(url, { method: 'POST', body: body, credentials: 'same-origin' }).then((r) => r.text().then((t) => {
        const j = json(t);
        if (r.ok && j.ok) {
          if (ver && j.version) ver.value = j.version;
          if (status) status.textContent = T.saved + new Date().toTimeString().slice(0, 8);
          if (alert) { alert.remove(); alert = null; }
          if (!changed) dirty = false;
          jobs.forEach((w) => w()); /* a save over a recording may start a job */
        } else if (r.status === 409 || r.status === 403) { /* never overwrite: stop */
          stopped = changed = true;
          problem(j.error || t.trim());
          alert.classList.add('conflict');
          alert.scrollIntoView({ block: 'center' });
        } else if (r.status === 400) {
          problem(T.bad + (j.error || t).trim()); /* until the next edit */
        } else {
          throw new Error(r.status);
        }
      })).catch(() => { changed = true; problem(T.retry); }).then(() => { save.busy = null; schedule(); });
      return save.busy;
    };
    save.flush = () => { clearTimeout(timer); return run(); };
    form.addEventListener('input', () => {
      dirty = changed = true;
      last = Date.now();
      first = first || last;
      schedule();
    });
    form.addEventListener('submit', (e) => {
      clearTimeout(timer);
      if (save.busy) { /* let the autosave land (new version), then submit */
        e.preventDefault();
        const by = e.submitter;
        save.busy.then(() => (form.requestSubmit ? form.requestSubmit(by) : (by || form).click()));
        return;
      }
      stopped = true;
      dirty = false;
    });
  }

  /* job progress: poll every second while queued or running */
  $$('p.job[data-job]').forEach((p) => {
    const url = p.getAttribute('data-job');
    let known = null, active = /queued|running/.test(p.textContent), polling = false;
    const show = (j, on) => {
      p.setAttribute('aria-busy', on);
      p.className = 'job ' + j.state;
      p.textContent = '';
      p.append(el('span', { class: 'jl' }, T.job + ' #' + j.id + ' · ' + (T[j.state] || j.state)));
      const pc = Math.round((j.progress || 0) * 100);
      if (on) p.append(' ', bar(T.pr, pc), ' ' + pc + '%');
      else if (j.state === 'done') p.append(T.took((j.seconds || 0).toFixed(2), j.flagged || 0) + ' ', el('a', { href: url.replace('/job/', '/timing/') }, T.review));
      else if (j.error) p.append(': ' + j.error);
    };
    /* The job wrote the story: refresh the narration box; take the new version only when exactly
     * one write (the job's) happened since ours, so another editor's save still conflicts. */
    const finished = (j) => fetch(location.pathname, same).then((r) => r.text()).then((html) => {
      const doc = new DOMParser().parseFromString(html, 'text/html');
      const v = $('form.nr-story input[name="version"]', doc);
      if (ver && v && j.state === 'done' && +v.value === +ver.value + 1) ver.value = v.value;
      const sec = p.closest('section'), fresh = sec && $('section[aria-labelledby="' + sec.getAttribute('aria-labelledby') + '"]', doc);
      if (!fresh) return;
      const ns = document.importNode(fresh, true), up = $('form.nr-upload', ns), old = $('form.nr-upload', sec);
      $('p.job', ns).replaceWith(p); /* keep the live elements */
      if (up && old) up.replaceWith(old);
      sec.replaceWith(ns);
    }).catch(() => {});
    const poll = () => fetch(url, same).then((r) => (r.ok ? r.json() : {})).then((j) => {
      if (!j.state) { polling = false; known = known || 0; return; }
      const on = j.state === 'queued' || j.state === 'running';
      if (!on && (active || (known !== null && j.id !== known))) finished(j);
      active = on;
      known = j.id;
      show(j, on);
      if (on) setTimeout(poll, 1000); else polling = false;
    }).catch(() => setTimeout(poll, 3000));
    const watch = () => { if (!polling && (known || $('audio', p.parentNode))) { polling = true; poll(); } };
    jobs.push(watch);
    if (p.textContent.trim()) { polling = true; poll(); }
  });

  /* uploads with a progress bar, then the editor page (where the job shows) */
  $$('form.nr-upload').forEach((f) => {
    const input = $('input[type=file]', f), btn = $('button[type=submit]', f);
    const max = +(f.getAttribute('data-max-mb') || 200);
    let msg = null;
    const say = (cls, ...parts) => {
      if (!msg) f.append(msg = el('p', { role: 'status' }));
      msg.className = 'nr-up ' + cls;
      msg.textContent = '';
      msg.append(...parts);
      btn.disabled = cls === 'busy' || cls === 'ok';
    };
    f.addEventListener('submit', (e) => {
      const file = input && input.files && input.files[0];
      if (!file || !window.FormData) return;
      e.preventDefault();
      if (file.size > max * 1048576) { say('err', T.big((file.size / 1048576).toFixed(0), max)); input.focus(); return; }
      const x = new XMLHttpRequest(), b = bar(T.up, 0), pct = el('span', {}, '0%');
      say('busy', T.up + ' ', b, ' ', pct);
      x.upload.onprogress = (ev) => {
        if (ev.lengthComputable) pct.textContent = (b.value = Math.round(ev.loaded * 100 / ev.total)) + '%';
      };
      x.onload = () => {
        if (x.status < 300 && /\/newsroom\/story\/\d+/.test(x.responseURL)) {
          say('ok', T.upOk);
          save.flush().then(() => location.assign(x.responseURL));
        } else {
          const type = x.getResponseHeader('content-type') || '';
          let why = /^text\/plain/.test(type) ? x.responseText.trim() : '';
          if (/^text\/html/.test(type)) { /* the editor again, with why in its alert */
            const a = $('.form-error[role=alert]', new DOMParser().parseFromString(x.responseText, 'text/html'));
            why = a ? a.textContent.trim() : '';
          }
          say('err', T.upErr + x.status + (why ? ' — ' + why : ''));
        }
      };
      x.onerror = () => say('err', T.upErr + T.net);
      x.open('POST', f.action);
      x.send(new FormData(f));
    });
  });

  /* pictures: insert a picture's Markdown where the cursor was in the last body edited */
  let body = $('form.nr-story textarea[name$="_body"]');
  $$('form.nr-story textarea[name$="_body"]').forEach((t) => t.addEventListener('focus', () => { body = t; }));
  $$('button.nr-insert[data-md]').forEach((b) => {
    if (!body) return;
    b.hidden = false;
    b.addEventListener('click', () => {
      const md = b.getAttribute('data-md'), v = body.value, at = body.selectionEnd || v.length;
      const before = v.slice(0, at).replace(/\s*$/, ''), after = v.slice(at).replace(/^\s*/, '');
      body.value = (before ? before + '\n\n' : '') + md + (after ? '\n\n' + after : '\n');
      body.dispatchEvent(new Event('input', { bubbles: true }));
      body.focus();
    });
  });
  $$('input.nr-md').forEach((i) => i.addEventListener('focus', () => i.select()));

  /* timing review */
  const wave = $('div.nr-wave[data-peaks]'), tf = $('form.nr-timing');
  if (tf) {
    tf.noValidate = true; /* the server checks; step=0.01 would refuse x.xxx */
    tf.addEventListener('input', () => { dirty = true; });
    tf.addEventListener('submit', () => { dirty = false; });
  }
  if (!wave || !tf) return;
  const audio = $('audio', wave), rows = $$('tr.seg', tf), endIn = tf.elements.namedItem('end');
  const cv = el('canvas', { class: 'nr-canvas', role: 'img', 'aria-label': T.wave }), g = cv.getContext('2d');
  let peaks = [], dur = 0, drag = null, stopAt = -1, now = -1;
  wave.append(cv);
  const table = $('table', tf);
  if (table && !table.tHead) {
    const tr = table.createTHead().insertRow();
    T.head.forEach((h) => tr.append(el('th', { scope: 'col' }, h)));
  }
  const num = (r) => $('input[type=number]', r);
  const marks = () => { /* spoken rows with a time, then the end, in order */
    const m = [];
    rows.forEach((r, i) => {
      const c = $('input[type=checkbox]', r), t = parseFloat(num(r).value);
      if (!(c && c.checked) && isFinite(t)) m.push({ i: i, input: num(r), t: t, check: r.classList.contains('check') });
    });
    const e = endIn ? parseFloat(endIn.value) : NaN;
    if (isFinite(e)) m.push({ i: -1, input: endIn, t: e, end: true });
    return m;
  };
  const length = () => dur || (isFinite(audio.duration) ? audio.duration : 0);
  const bounds = (ms, k) => [k > 0 ? ms[k - 1].t + 0.01 : 0, k < ms.length - 1 ? ms[k + 1].t - 0.01 : length()];
  const clamp = (v, lim) => Math.min(Math.max(v, lim[0]), lim[1]);
  /* The theme's colours (light or dark, see app.css) for the canvas: each CSS variable resolved
   * through a hidden probe, again when the system's scheme changes. */
  const probe = el('span', { hidden: '' });
  wave.append(probe);
  let pal = null;
  const palette = () => {
    const c = (v) => { probe.style.color = 'var(' + v + ')'; return getComputedStyle(probe).color; };
    return { bars: c('--muted'), mark: c('--link'), check: c('--err'), end: c('--ink'), head: c('--claret'), bg: c('--card') };
  };
  /* A marker's number on the first free of two rows, never over another number, a line or the
   * edge; when neither row has room (many short sentences on a phone) it is left out: the table
   * below numbers every row. */
  const LABEL_ROWS = [11, 24];
  const label = (text, x, w, rowEnd, right) => {
    const tw = g.measureText(text).width;
    let lx = right || x + 3 + tw > w - 2 ? x - 3 - tw : x + 3;
    lx = Math.max(1, lx);
    const k = right ? -1 : rowEnd.findIndex((e) => lx >= e + 4);
    if (!right && k < 0) return;
    const y = right ? cv.clientHeight - 4 : LABEL_ROWS[k];
    g.fillStyle = pal.bg;
    g.fillRect(lx - 1, y - 10, tw + 2, 12);
    g.fillStyle = g.strokeStyle;
    g.textAlign = 'left';
    g.fillText(text, lx, y);
    if (!right) rowEnd[k] = lx + tw;
    cv.nrLabels.push({ text: text, x: lx, w: tw, y: y }); /* what was drawn where (tests read it) */
  };
  const draw = () => {
    const w = cv.clientWidth, h = cv.clientHeight, r = devicePixelRatio || 1, d = length();
    if (!w) return;
    if (!pal) pal = palette();
    if (cv.width !== Math.round(w * r) || cv.height !== Math.round(h * r)) { cv.width = Math.round(w * r); cv.height = Math.round(h * r); }
    g.setTransform(r, 0, 0, r, 0, 0);
    g.clearRect(0, 0, w, h);
    g.fillStyle = pal.bars;
    const bw = w / peaks.length;
    peaks.forEach((p, i) => { const ph = Math.max(1, p * (h - 18)); g.fillRect(i * bw, (h + 14 - ph) / 2, Math.max(bw, 1), ph); });
    if (!d) return;
    g.font = '600 11px system-ui, sans-serif';
    cv.nrLabels = [];
    const ms = marks(), rowEnd = LABEL_ROWS.map(() => -Infinity);
    ms.forEach((m) => { /* the lines first, so that no line crosses a number */
      const x = Math.round(m.t / d * w) + 0.5;
      g.strokeStyle = m.end ? pal.end : m.check ? pal.check : pal.mark;
      g.lineWidth = m.check ? 2 : 1.5;
      g.setLineDash(m.end || m.check ? [4, 3] : []);
      g.beginPath(); g.moveTo(x, 0); g.lineTo(x, h); g.stroke();
    });
    g.setLineDash([]);
    ms.forEach((m) => {
      g.strokeStyle = m.end ? pal.end : m.check ? pal.check : pal.mark;
      label(m.end ? T.end : String(m.i + 1), Math.round(m.t / d * w) + 0.5, w, rowEnd, m.end);
    });
    g.fillStyle = pal.head; /* the playhead */
    g.fillRect(audio.currentTime / d * w - 1, 0, 2, h);
  };
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => { pal = null; draw(); });
  const tick = () => {
    if (stopAt >= 0 && audio.currentTime >= stopAt) { audio.pause(); stopAt = -1; }
    draw();
    let k = -1; /* the row being heard (the end marker's i is -1) */
    if (audio.currentTime || !audio.paused) marks().forEach((m) => { if (m.t <= audio.currentTime) k = m.i; });
    if (k !== now) {
      if (now >= 0) rows[now].classList.remove('now');
      if (k >= 0) rows[k].classList.add('now');
      now = k;
    }
    if (!audio.paused) requestAnimationFrame(tick);
  };
  ['play', 'seeked', 'loadedmetadata', 'pause'].forEach((ev) => audio.addEventListener(ev, tick));
  tf.addEventListener('input', draw);
  tf.addEventListener('change', draw);
  const set = (input, v) => {
    input.value = Math.round(v * 1000) / 1000;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  };
  const playRow = (i) => { /* from its start to the next start */
    const ms = marks(), k = ms.findIndex((m) => m.i === i);
    if (k < 0) return;
    audio.currentTime = ms[k].t;
    stopAt = k + 1 < ms.length ? ms[k + 1].t : -1;
    const p = audio.play();
    if (p) p.catch(() => {});
  };
  const nudger = (input, what) => {
    const box = el('span', { class: 'nudge' });
    [-0.05, 0.05].forEach((dt) => {
      const txt = (dt < 0 ? '−' : '+') + '50 ms', b = el('button', { type: 'button', 'aria-label': T.nudge(txt, what) }, txt);
      b.addEventListener('click', () => {
        const ms = marks(), k = ms.findIndex((m) => m.input === input), v = parseFloat(input.value);
        const t = (isFinite(v) ? v : audio.currentTime) + dt;
        set(input, Math.max(0, k >= 0 ? clamp(t, bounds(ms, k)) : t));
      });
      box.append(b);
    });
    input.after(box);
  };
  rows.forEach((r, i) => {
    nudger(num(r), T.sent(i + 1));
    const play = el('button', { type: 'button', class: 'play', 'aria-label': T.play(i + 1) }, '▶');
    play.addEventListener('click', () => playRow(i));
    $('td', r).prepend(play);
    const text = $('td.text', r);
    if (text) text.addEventListener('click', () => playRow(i));
  });
  if (endIn) nudger(endIn, T.end);
  /* the canvas: drag a marker (between its neighbours), or click to seek */
  const tAt = (ev) => {
    const b = cv.getBoundingClientRect();
    return clamp((ev.clientX - b.left) / b.width, [0, 1]) * length();
  };
  const near = (ev) => {
    const b = cv.getBoundingClientRect(), ms = marks();
    let k = -1, best = 8;
    ms.forEach((m, j) => {
      const dx = Math.abs(m.t / length() * b.width - (ev.clientX - b.left));
      if (dx <= best) { best = dx; k = j; }
    });
    return k < 0 ? null : { input: ms[k].input, lim: bounds(ms, k) };
  };
  cv.addEventListener('pointerdown', (ev) => {
    if (!length()) return;
    drag = near(ev);
    if (drag) {
      cv.setPointerCapture(ev.pointerId);
      cv.classList.add('drag');
      ev.preventDefault();
    } else {
      stopAt = -1;
      audio.currentTime = tAt(ev);
    }
  });
  cv.addEventListener('pointermove', (ev) => {
    if (drag) set(drag.input, clamp(Math.round(tAt(ev) * 100) / 100, drag.lim));
    else cv.classList.toggle('grab', !!(length() && near(ev)));
  });
  const drop = () => { drag = null; cv.classList.remove('drag'); };
  cv.addEventListener('pointerup', drop);
  cv.addEventListener('pointercancel', drop);
  const sticky = () => { /* the table header sticks under the waveform */
    document.documentElement.style.setProperty('--nr-wave-h', wave.offsetHeight + 'px');
    draw();
  };
  addEventListener('resize', sticky);
  sticky();
  fetch(wave.getAttribute('data-peaks'), same).then((r) => r.json()).then((j) => {
    if (Array.isArray(j.peaks)) { peaks = j.peaks; dur = j.duration || 0; }
    sticky();
  }).catch(() => {});
})();
