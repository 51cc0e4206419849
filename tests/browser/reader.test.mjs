// The reader's view, in a real browser: the real binary (demo stories with espeak-ng narration,
// audio served with Range) and one headless Chromium. Each test gets its own context, so cookies
// (gz_fs, gz_rate) never leak between tests. See docs/FRONTEND.md for the page contract.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer } from '../integration/server.mjs';
import {
  withPage, launch, assertClean, until, openStory, seek, pause, highlighted, sentences, axe,
  clickFirstLine, resultsDir, DESKTOP, PHONE, FRONT_END_ONLY } from './lib.mjs';

let srv, browser;

before(async () => {
  [srv, browser] = await Promise.all([startServer({ demo: true }), launch()]);
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});


const MODES = [
  { mode: 'zh', path: '/story/1', h1Lang: 'zh-CN' },
  { mode: 'en', path: '/story/1/en', h1Lang: 'en' },
  { mode: 'ce', path: '/story/1/ce', h1Lang: 'zh-CN' },
];

describe('article page', () => {
  test('renders in zh, en and ce with the custom player, without errors or CSP violations', async () => {
    await withPage(browser, {}, async (page) => {
      for (const { mode, path, h1Lang } of MODES) {
        await openStory(page, srv.url + path);
        const p = await page.evaluate(() => {
          const $ = (s) => document.querySelector(s), vis = (e) => !!e && e.getClientRects().length > 0;
          const txt = (s) => ($(s) ? $(s).textContent.trim() : '');
          const audio = $('audio');
          return {
            js: document.documentElement.classList.contains('js'),
            mode: $('article.story').getAttribute('data-mode'),
            h1: txt('h1'), h1Lang: $('h1').getAttribute('lang'), h1Visible: vis($('h1')),
            section: txt('.section-label a'), standfirst: txt('.standfirst'), copyright: txt('.copyright'),
            related: document.querySelectorAll('aside.related li a').length,
            relatedH: txt('#related-h'),
            spans: document.querySelectorAll('#transcript .s').length,
            timed: document.querySelectorAll('#transcript .s[data-t]').length,
            timedButtons: [...document.querySelectorAll('#transcript .s[data-t]')]
              .every((e) => e.getAttribute('role') === 'button' && e.tabIndex === 0),
            untimedPlain: [...document.querySelectorAll('#transcript .s:not([data-t])')]
              .every((e) => !e.hasAttribute('role') && !e.hasAttribute('tabindex')),
            pairs: document.querySelectorAll('.pair').length,
            pairCols: [...document.querySelectorAll('.pair')].every((p) => p.querySelectorAll(':scope > .col').length === 2),
            controls: audio.controls, audioVisible: vis(audio), paused: audio.paused,
            bar: {
              visible: vis($('.pbar')),
              play: $('.pb-play') && $('.pb-play').getAttribute('aria-label'),
              skips: [...document.querySelectorAll('.pb-skip')].map((b) => b.getAttribute('aria-label')),
              slider: $('.pb-seek[role="slider"]') && $('.pb-seek').getAttribute('aria-label'),
              time: txt('.pb-time'), rate: $('.pb-rate') && $('.pb-rate').getAttribute('aria-label'),
            },
            nojsVisible: [...document.querySelectorAll('.nojs')].some(vis),
            highlighted: document.querySelectorAll('.now').length,
          };
        });
        const msg = `${path}: ${JSON.stringify(p)}`;
        assert.ok(p.js, msg);
        assert.equal(p.mode, mode, msg);
        assert.ok(p.h1.length > 5 && p.h1Visible, msg);
        assert.equal(p.h1Lang, h1Lang, msg);
        assert.equal(p.section, '商业快报', msg);
        assert.ok(p.standfirst.length > 10, msg);
        assert.match(p.copyright, /版权所有 © \d{4} Gazette/, msg);
        assert.equal(p.relatedH, '相关文章', msg);
        assert.ok(p.related >= 1, msg);
        assert.ok(p.timed >= 5 && p.timedButtons && p.untimedPlain, msg);
        if (mode === 'ce') {
          assert.ok(p.pairs >= 3 && p.pairCols, msg);
          assert.ok(p.spans > p.timed, 'ce: the other language column is not narrated: ' + msg);
        } else {
          assert.equal(p.pairs, 0, msg);
        }
        // the custom bar replaces the native controls
        assert.equal(p.controls, false, msg);
        assert.equal(p.audioVisible, false, msg);
        assert.equal(p.paused, true, 'no autoplay: ' + msg);
        assert.ok(p.bar.visible, msg);
        assert.equal(p.bar.play, '播放', msg);
        assert.deepEqual(p.bar.skips, ['后退15秒', '前进15秒'], msg);
        assert.equal(p.bar.slider, '播放进度', msg);
        assert.match(p.bar.time, /^00:00 \/ \d\d:\d\d$/, msg);
        assert.equal(p.bar.rate, '播放速度 1×', msg);
        assert.equal(p.nojsVisible, false, msg);
        assert.equal(p.highlighted, 0, 'nothing highlighted at load: ' + msg);
        await assertClean(assert, page, path);
      }
    });
  });

  test('seeking highlights exactly the sentence at that time (and its pair in ce); untimed rows never', async () => {
    await withPage(browser, {}, async (page) => {
      for (const path of ['/story/1', '/story/1/ce', '/story/2', '/story/2/ce']) {
        await openStory(page, srv.url + path);
        const ce = path.endsWith('/ce');
        const ss = await sentences(page);
        const untimed = await page.locator('#transcript .s:not([data-t])').count();
        if (path === '/story/2') assert.ok(untimed >= 1, 'story 2 has a caption that is not narrated');
        const end = await page.evaluate(() => parseFloat(document.querySelector('section.player').getAttribute('data-end')));

        // lead-in, before the first sentence: nothing
        await seek(page, ss[0].n / 2);
        let h = await highlighted(page);
        assert.deepEqual(h.t, [], `${path} lead-in: ${JSON.stringify(h)}`);

        // every sentence, in an order that jumps back and forth (first, last, then the rest)
        const order = [0, ss.length - 1, ...ss.map((_, i) => i).slice(1, -1).reverse()];
        for (const i of order) {
          const want = ss[i];
          await seek(page, want.n + 0.05);
          h = await highlighted(page);
          const msg = `${path} seek to ${want.t}+0.05: ${JSON.stringify(h)}`;
          assert.deepEqual(h.t, [want.t], msg);
          assert.deepEqual(h.current, [want.t], msg);
          assert.ok(h.currentOk, msg);
          assert.equal(h.untimed, 0, msg);
          if (ce) {
            assert.equal(h.pairs.length, 1, msg);
            assert.deepEqual(h.pairs, h.pairOfNow, msg);
          } else {
            assert.deepEqual(h.pairs, [], msg);
          }
        }

        // just before a sentence starts, the previous one is still current
        await seek(page, ss[2].n - 0.1);
        h = await highlighted(page);
        assert.deepEqual(h.t, [ss[1].t], `${path} just before ${ss[2].t}: ${JSON.stringify(h)}`);

        // after the end of speech (data-end): nothing
        if (end > 0) {
          await seek(page, end + 0.1);
          h = await highlighted(page);
          assert.deepEqual(h.t, [], `${path} after data-end ${end}: ${JSON.stringify(h)}`);
          assert.deepEqual(h.pairs, [], `${path} after data-end ${end}: ${JSON.stringify(h)}`);
        }
        await assertClean(assert, page, path);
      }
    });
  });

  test('clicking a sentence, or Enter on it, plays from its start', async () => {
    await withPage(browser, {}, async (page) => {
      await openStory(page, srv.url + '/story/1');
      const ss = await sentences(page);
      const state = () => page.evaluate(() => ({
        t: document.querySelector('audio').currentTime, paused: document.querySelector('audio').paused,
        now: document.querySelector('.s.now') && document.querySelector('.s.now').getAttribute('data-t'),
        focus: document.activeElement && document.activeElement.getAttribute('data-t'),
      }));
      const playingFrom = (t) => until(page, (t) => {
        const a = document.querySelector('audio');
        return !a.paused && a.currentTime >= t - 0.05 && !a.seeking;
      }, t, 8000);

      const a = ss[3];
      await clickFirstLine(page, `#transcript .s[data-t="${a.t}"]`);
      const clicked = await playingFrom(a.n);
      let s = await state();
      assert.ok(clicked, `click on ${a.t}: ${JSON.stringify(s)}`);
      assert.ok(s.t >= a.n - 0.05 && s.t < a.n + 2, `click on ${a.t} seeks there: ${JSON.stringify(s)}`);
      assert.equal(s.now, a.t, `clicked sentence highlighted: ${JSON.stringify(s)}`);
      await pause(page);

      const b = ss[ss.length - 2];
      await page.focus(`#transcript .s[data-t="${b.t}"]`);
      await page.keyboard.press('Enter');
      const entered = await playingFrom(b.n);
      s = await state();
      assert.ok(entered, `Enter on ${b.t}: ${JSON.stringify(s)}`);
      assert.ok(s.t >= b.n - 0.05 && s.t < b.n + 2, `Enter on ${b.t} seeks there: ${JSON.stringify(s)}`);
      assert.equal(s.now, b.t, JSON.stringify(s));
      assert.equal(s.focus, b.t, 'focus stays on the sentence');
      await pause(page);

      const c = ss[1];
      await page.focus(`#transcript .s[data-t="${c.t}"]`);
      await page.evaluate(() => window.addEventListener('keydown', (e) => { window.__spacePrevented = e.defaultPrevented; }, { once: true }));
      await page.keyboard.press(' ');
      const spaced = await playingFrom(c.n);
      s = await state();
      assert.ok(spaced && s.t < c.n + 2, `Space on ${c.t}: ${JSON.stringify(s)}`);
      assert.equal(await page.evaluate(() => window.__spacePrevented), true, 'Space does not also scroll the page');
      await pause(page);
      await assertClean(assert, page);
    });
  });

  test('the spoken word is marked inside the spoken sentence; click plays from a word; a remembered toggle; none in Chinese', async () => {
    await withPage(browser, {}, async (page) => {
      await openStory(page, srv.url + '/story/1/en');
      await page.waitForFunction(() => document.querySelectorAll('#transcript .s .w[data-t]').length > 10, null, { timeout: 10000 });
      // a word in the middle of the second timed sentence, and where the next one starts
      const wd = await page.evaluate(() => {
        const s = document.querySelectorAll('#transcript .s[data-t]')[1], ws = s.querySelectorAll('.w');
        const k = Math.floor(ws.length / 2);
        return { text: ws[k].textContent, t: parseFloat(ws[k].getAttribute('data-t')), next: parseFloat(ws[k + 1].getAttribute('data-t')),
          sent: s.getAttribute('data-t'), joined: s.textContent === [...s.childNodes].map((n) => n.textContent).join('') };
      });
      assert.ok(wd.next > wd.t, JSON.stringify(wd));
      await seek(page, (wd.t + wd.next) / 2);
      const marked = () => page.evaluate(() => {
        const w = document.querySelectorAll('.w.wnow');
        return { n: w.length, text: w[0] && w[0].textContent, t: w[0] && w[0].getAttribute('data-t'),
          sent: w[0] && w[0].closest('.s').getAttribute('data-t'), inNow: !!(w[0] && w[0].closest('.s.now')) };
      });
      let m = await marked();
      assert.deepEqual(m, { n: 1, text: wd.text, t: String(wd.t), sent: wd.sent, inNow: true });
      // click on another word: playback starts from that word
      const other = await page.evaluate(() => {
        const w = document.querySelectorAll('#transcript .s[data-t]')[2].querySelectorAll('.w')[2];
        return { t: parseFloat(w.getAttribute('data-t')), text: w.textContent };
      });
      await page.locator('#transcript .s[data-t] >> nth=2').locator('.w >> nth=2').click();
      await page.waitForFunction((t) => { const a = document.querySelector('audio'); return !a.paused && a.currentTime >= t - 0.05; }, other.t, { timeout: 8000 });
      await pause(page);
      const at = await page.evaluate(() => document.querySelector('audio').currentTime);
      assert.ok(at >= other.t - 0.05 && at < other.t + 1.5, `played from ${at}, word at ${other.t}`);
      // the toggle turns word marking off, and the choice survives a reload
      const toggle = page.locator('.pb-words');
      assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
      await toggle.click();
      assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
      assert.equal((await marked()).n, 0);
      await openStory(page, srv.url + '/story/1/en');
      await page.waitForSelector('.pb-words', { timeout: 10000 });
      assert.equal(await page.locator('.pb-words').getAttribute('aria-pressed'), 'false');
      await seek(page, (wd.t + wd.next) / 2);
      m = await marked();
      assert.equal(m.n, 0);
      assert.equal(await page.locator('.s.now').count(), 1, 'the sentence is still marked');
      // Chinese text has no word times: no word spans, no toggle
      await openStory(page, srv.url + '/story/1');
      await page.waitForTimeout(500);
      assert.equal(await page.locator('#transcript .w').count(), 0);
      assert.equal(await page.locator('.pb-words').count(), 0);
      await assertClean(assert, page);
    });
  });

  test('the highlight follows the voice while playing at 2×', async (t) => {
    await withPage(browser, {}, async (page) => {
      await openStory(page, srv.url + '/story/1/en');
      const ss = await sentences(page);
      const end = await page.evaluate(() => parseFloat(document.querySelector('section.player').getAttribute('data-end')) || Infinity);
      // start 1 s before the sentence whose next 5 s of audio cross the most boundaries (3 s at 2× covers 6)
      let start = 0, best = -1;
      for (const s of ss) {
        const n = ss.filter((x) => x.n >= s.n && x.n < s.n + 5).length;
        if (n > best) best = n, start = Math.max(0, s.n - 1);
      }
      await seek(page, start);
      await page.evaluate(() => { const a = document.querySelector('audio'); a.playbackRate = 2; });
      // sample once per animation frame, after app.js's own frame callback: it registers its next
      // frame first (the loop starts on `play`), we register ours from the `playing` event
      const samples = await page.evaluate(({ ms }) => new Promise((resolve, reject) => {
        const a = document.querySelector('audio'), out = [];
        const guard = setTimeout(() => reject(new Error('playback did not start')), 8000);
        a.addEventListener('playing', () => {
          clearTimeout(guard);
          const t0 = performance.now();
          const frame = () => {
            const n = document.querySelectorAll('.s.now');
            out.push({ x: a.currentTime, got: [...n].map((e) => e.getAttribute('data-t')), paused: a.paused,
              rate: a.playbackRate });
            if (performance.now() - t0 < ms) requestAnimationFrame(frame);
            else a.pause(), resolve(out);
          };
          requestAnimationFrame(frame);
        }, { once: true });
        a.play().catch(reject);
      }), { ms: 3000 });
      // the last sentence with data-t <= currentTime (app.js allows 0.01 s for float noise in stamps)
      const expect = (x) => {
        if (!(x < end)) return null;
        let r = null;
        for (const s of ss) if (s.n <= x + 0.01) r = s.t;
        return r;
      };
      const bad = samples.filter((s) => s.got.length > 1 || (s.got[0] ?? null) !== expect(s.x));
      const seen = new Set(samples.map((s) => s.got[0]));
      const span = samples.at(-1).x - samples[0].x;
      assert.ok(samples.length >= 60, `only ${samples.length} frames sampled`);
      assert.ok(samples.every((s) => s.rate === 2), 'playbackRate stayed 2');
      assert.ok(span > 3.5, `audio advanced ${span.toFixed(2)} s in 3 s at 2×`);
      assert.ok(seen.size >= 2, `crossed at least one sentence boundary: ${[...seen]}`);
      t.diagnostic(`${samples.length} frames, audio ${samples[0].x.toFixed(2)} → ${samples.at(-1).x.toFixed(2)} s, ` +
        `highlights seen: ${[...seen].join(', ')}`);
      assert.deepEqual(bad.slice(0, 5), [], `${bad.length}/${samples.length} frames highlighted the wrong sentence`);
      await assertClean(assert, page);
    });
  });
});

describe('player controls', () => {
  test('slider: arrow keys, End and Home move it and update aria-valuenow / aria-valuetext', async () => {
    await withPage(browser, {}, async (page) => {
      await openStory(page, srv.url + '/story/1');
      const D = await page.evaluate(() => document.querySelector('audio').duration);
      const slider = page.getByRole('slider', { name: '播放进度' });
      await seek(page, 10);
      await slider.focus();
      const read = () => page.evaluate(() => {
        const s = document.querySelector('[role="slider"]');
        return { now: s.getAttribute('aria-valuenow'), text: s.getAttribute('aria-valuetext'),
          max: s.getAttribute('aria-valuemax'), t: +document.querySelector('audio').currentTime.toFixed(3),
          focused: document.activeElement === s };
      });
      let r = await read();
      assert.deepEqual([r.now, r.text, r.max, r.focused], ['10', '10秒', String(Math.round(D)), true], JSON.stringify(r));
      await page.keyboard.press('ArrowRight');
      r = await read();
      assert.deepEqual([r.now, r.text, r.t], ['15', '15秒', 15], 'ArrowRight +5 s: ' + JSON.stringify(r));
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('ArrowLeft');
      r = await read();
      assert.deepEqual([r.now, r.text, r.t], ['5', '5秒', 5], 'ArrowLeft −5 s twice: ' + JSON.stringify(r));
      await page.keyboard.press('End');
      r = await read();
      const m = Math.floor(D / 60), s = Math.floor(D) % 60;
      assert.deepEqual([r.now, r.text], [String(Math.floor(D)), (m ? m + '分' : '') + s + '秒'], 'End: ' + JSON.stringify(r));
      assert.ok(Math.abs(r.t - D) < 0.01, 'End seeks to the duration: ' + JSON.stringify(r));
      await page.keyboard.press('Home');
      r = await read();
      assert.deepEqual([r.now, r.text, r.t], ['0', '0秒', 0], 'Home: ' + JSON.stringify(r));
      await page.keyboard.press('PageUp');
      r = await read();
      assert.deepEqual([r.now, r.text], ['30', '30秒'], 'PageUp +30 s: ' + JSON.stringify(r));
      assert.equal(r.focused, true);
      await assertClean(assert, page);
    });
    // English UI: English value text
    await withPage(browser, { locale: 'en-GB' }, async (page) => {
      await openStory(page, srv.url + '/story/1/en');
      await seek(page, 60);
      await page.getByRole('slider', { name: 'Seek' }).focus();
      await page.keyboard.press('ArrowRight');
      const vt = await page.getAttribute('[role="slider"]', 'aria-valuetext');
      assert.equal(vt, '1 minute, 5 seconds');
      await assertClean(assert, page);
    });
  });

  test('speed button cycles, its accessible name says the rate, and the rate survives a reload', async () => {
    await withPage(browser, {}, async (page, ctx) => {
      await openStory(page, srv.url + '/story/1');
      const rate = page.locator('.pb-rate');
      const seen = [];
      for (let i = 0; i < 7; i++) {
        await rate.click();
        // the accessible name as the accessibility tree computes it: `- button "name": text`
        const name = (await rate.ariaSnapshot()).match(/^- button "([^"]*)"/);
        seen.push([name && name[1], await page.evaluate(() => document.querySelector('audio').playbackRate)]);
      }
      assert.deepEqual(seen, [1.25, 1.5, 1.75, 2, 0.5, 0.75, 1].map((r) => [`播放速度 ${r}×`, r]));
      await rate.click();
      await rate.click();
      const cookies = await ctx.cookies(srv.url);
      assert.equal(cookies.find((c) => c.name === 'gz_rate')?.value, '1.5', JSON.stringify(cookies));
      await page.reload();
      await page.waitForFunction(() => document.querySelector('.pb-rate') && document.querySelector('audio').readyState >= 1);
      const after = await page.evaluate(() => ({ r: document.querySelector('audio').playbackRate,
        paused: document.querySelector('audio').paused }));
      assert.deepEqual(after, { r: 1.5, paused: true });
      assert.match(await rate.ariaSnapshot(), /^- button "播放速度 1\.5×"/);
      assert.equal(await page.getByRole('button', { name: '播放速度 1.5×' }).count(), 1);
      await assertClean(assert, page);
    });
  });

  test('font size 最大: html.fs-5, bigger text, kept (server-side) after a reload', async () => {
    await withPage(browser, {}, async (page, ctx) => {
      await openStory(page, srv.url + '/story/1');
      const size = () => page.evaluate(() => parseFloat(getComputedStyle(document.getElementById('transcript')).fontSize));
      const before = await size();
      await page.getByRole('radio', { name: '最大' }).check();
      const cls = await page.evaluate(() => document.documentElement.className);
      assert.match(cls, /\bfs-5\b/);
      assert.doesNotMatch(cls, /\bfs-[1-4]\b/);
      const bigger = await size();
      assert.ok(Math.abs(bigger / before - 1.6) < 0.01, `font ${before}px → ${bigger}px (×1.6 expected)`);
      assert.equal((await ctx.cookies(srv.url)).find((c) => c.name === 'gz_fs')?.value, '5');
      const resp = await page.reload();
      const html = await resp.text();
      assert.match(html, /<html lang="zh-CN" class="fs-5">/, 'served with fs-5');
      assert.match(html, /<input type="radio" name="fs" value="5" checked>/);
      await page.waitForSelector('.pbar');
      assert.match(await page.evaluate(() => document.documentElement.className), /\bfs-5\b/);
      assert.equal(await size(), bigger);
      assert.equal(await page.getByRole('radio', { name: '最大' }).isChecked(), true);
      await assertClean(assert, page);
    });
  });
});

describe('share dialog', () => {
  test('opens modal, traps focus, Esc returns focus to the opener, copy-link confirms', async () => {
    await withPage(browser, {}, async (page, ctx) => {
      await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.url });
      await openStory(page, srv.url + '/story/1');
      const info = () => page.evaluate(() => {
        const dlg = document.getElementById('share-dlg'), a = document.activeElement;
        return { open: dlg.open, modal: dlg.matches(':modal'), inside: dlg.contains(a),
          focus: a.className || a.textContent.trim(), url: location.pathname };
      });
      await page.click('a.share-open');
      let i = await info();
      assert.deepEqual([i.open, i.modal, i.inside, i.url], [true, true, true, '/story/1'], JSON.stringify(i));
      assert.equal(i.focus, 'copy-link', 'focus on the first control');

      const n = await page.evaluate(() => [...document.querySelectorAll('#share-dlg a[href], #share-dlg button')].length);
      const forward = [], backward = [];
      for (let k = 0; k < n + 2; k++) {
        await page.keyboard.press('Tab');
        i = await info();
        forward.push(i.focus);
        assert.ok(i.inside && i.open, `Tab ${k + 1} left the dialog: ${JSON.stringify(i)} after ${forward}`);
      }
      assert.equal(forward[n - 1], 'copy-link', `Tab wraps from the last control to the first: ${forward}`);
      for (let k = 0; k < n + 2; k++) {
        await page.keyboard.press('Shift+Tab');
        i = await info();
        backward.push(i.focus);
        assert.ok(i.inside && i.open, `Shift+Tab ${k + 1} left the dialog: ${JSON.stringify(i)} after ${backward}`);
      }
      assert.ok(backward.includes('dlg-close') && backward.includes('copy-link'), `${backward}`);

      await page.keyboard.press('Escape');
      assert.ok(await until(page, () => !document.getElementById('share-dlg').open, null, 3000), 'Esc closes');
      i = await info();
      assert.equal(i.focus, 'share-open', 'focus back on the opener: ' + JSON.stringify(i));

      await page.click('a.share-open');
      await page.click('#share-dlg .copy-link');
      const copied = await until(page, () => document.querySelector('#share-dlg .copy-status').textContent.trim() !== '', null, 5000);
      const status = await page.textContent('#share-dlg .copy-status');
      assert.ok(copied, 'no confirmation shown');
      assert.equal(status, '链接已复制');
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), srv.url + '/story/1');
      await page.click('#share-dlg .dlg-close');
      i = await info();
      assert.deepEqual([i.open, i.focus], [false, 'share-open'], JSON.stringify(i));
      await assertClean(assert, page);
    });
  });
});

describe('without JavaScript', () => {
  test('native audio controls, the full text, and the font-size form posts and reloads with fs-5', async () => {
    // full text as the enhanced page shows it, for comparison
    const full = await withPage(browser, {}, async (page) => {
      await openStory(page, srv.url + '/story/1');
      return page.$$eval('#transcript .s', (ss) => ss.map((s) => s.textContent));
    });
    await withPage(browser, { javaScriptEnabled: false }, async (page) => {
      await page.goto(srv.url + '/story/1');
      const p = await page.evaluate(() => ({
        js: document.documentElement.classList.contains('js'), bar: !!document.querySelector('.pbar'),
        controls: document.querySelector('audio').hasAttribute('controls'),
        spans: [...document.querySelectorAll('#transcript .s')].map((s) => s.textContent),
      }));
      assert.deepEqual([p.js, p.bar, p.controls], [false, false, true]);
      assert.deepEqual(p.spans, full, 'the same full text');
      assert.ok(await page.locator('audio').isVisible(), 'native audio player visible');
      const box = await page.locator('audio').boundingBox();
      assert.ok(box.width > 200 && box.height > 20, JSON.stringify(box));
      const submit = page.locator('form.fontsize button[type="submit"]');
      assert.ok(await submit.isVisible(), 'the no-JS submit button is visible');
      await page.getByRole('radio', { name: '最大' }).check();
      const [resp] = await Promise.all([page.waitForNavigation(), submit.click()]);
      assert.equal(new URL(page.url()).pathname, '/story/1');
      assert.equal(resp.status(), 200);
      assert.match(await resp.text(), /<html lang="zh-CN" class="fs-5">/);
      assert.equal(await page.getAttribute('html', 'class'), 'fs-5');
      assert.equal(await page.getByRole('radio', { name: '最大' }).isChecked(), true);
      assert.deepEqual(page.problems, []);
    });
  });
});

describe('accessibility (axe-core)', FRONT_END_ONLY, () => {
  test('no violations on home, section, article (zh, en, ce), share page, QR page and with the dialog open', async () => {
    // bypassCSP: axe is injected as an inline script, which the site's CSP rightly forbids
    await withPage(browser, { bypassCSP: true }, async (page) => {
      const found = [];
      const check = async (label) => {
        const v = await axe(page);
        if (v.length) found.push(`${label}:\n    ${v.join('\n    ')}`);
      };
      for (const path of ['/', '/section/business', '/story/1/share', '/story/1/qr']) {
        await page.goto(srv.url + path);
        await check(path);
      }
      for (const { path } of MODES) {
        await openStory(page, srv.url + path);
        const ss = await sentences(page);
        await seek(page, ss[1].n + 0.05); // with a highlighted sentence
        await check(path);
      }
      await page.click('a.share-open');
      await until(page, () => document.getElementById('share-dlg').open, null, 3000);
      await check('/story/1/ce with the share dialog open');
      assert.equal(found.length, 0, 'axe violations:\n  ' + found.join('\n  '));
    });
  });
});

describe('screenshots', FRONT_END_ONLY, () => {
  test('article at 1280×800 and 375×812 (zh, ce) and the share dialog → test-results/', async () => {
    const dir = resultsDir();
    for (const [name, opts] of [['1280', DESKTOP], ['375', PHONE]]) {
      await withPage(browser, opts, async (page) => {
        for (const { mode, path } of MODES.filter((m) => m.mode !== 'en')) {
          await openStory(page, srv.url + path);
          const ss = await sentences(page);
          await seek(page, ss[1].n + 0.05); // show the read-along highlight
          await page.evaluate(() => scrollTo(0, 0));
          await page.screenshot({ path: join(dir, `article-${mode}-${name}.png`), fullPage: true });
          const sw = await page.evaluate(() => document.documentElement.scrollWidth);
          assert.ok(sw <= opts.viewport.width, `${path} at ${name}: horizontal overflow, scrollWidth ${sw}`);
          await assertClean(assert, page, path);
        }
        await openStory(page, srv.url + '/story/1');
        await page.click('a.share-open');
        assert.ok(await until(page, () => document.getElementById('share-dlg').open, null, 3000), 'dialog open');
        await page.screenshot({ path: join(dir, `share-dialog-${name}.png`) });
        await assertClean(assert, page);
      });
    }
    // the other pages, for a look (not part of the brief's article checks)
    await withPage(browser, DESKTOP, async (page) => {
      for (const [file, path] of [['home', '/'], ['section', '/section/business'], ['share-page', '/story/1/share'],
        ['qr-page', '/story/1/qr']]) {
        await page.goto(srv.url + path);
        await page.screenshot({ path: join(dir, `${file}-1280.png`), fullPage: true });
        await assertClean(assert, page, path);
      }
    });
  });
});
