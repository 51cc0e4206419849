// The learner's read-along (issue 11 items 2 and 3), in a real browser against the real binary:
// loop the sentence, 0.5× among the speeds, the keyboard shortcuts and their help dialog, and the
// 对照 narration picker. Phone (375 px) and desktop (1280 px), Chinese and English UI.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../integration/server.mjs';
import {
  withPage, launch, assertClean, until, openStory, seek, pause, highlighted, sentences, axe,
  resultsDir, DESKTOP, PHONE, FRONT_END_ONLY } from './lib.mjs';

let srv, browser;

before(async () => {
  [srv, browser] = await Promise.all([startServer({ demo: true }), launch()]);
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

const VIEWS = [['phone', PHONE], ['desktop', DESKTOP]];
const UIS = [['zh', 'zh-CN'], ['en', 'en-US']];
const T = {
  zh: { loop: '单句循环', keys: '键盘快捷键', speed: '播放速度', narr: '朗读语言', close: '关闭' },
  en: { loop: 'Loop this sentence', keys: 'Keyboard shortcuts', speed: 'Playback speed', narr: 'Narration', close: 'Close' },
};

// Elements whose box leaves the viewport (closed dialogs and the skip link excepted).
const outside = (page) => page.evaluate(() => [...document.querySelectorAll('body *')].filter((e) => {
  const b = e.getBoundingClientRect();
  return b.width > 0 && (b.right > innerWidth + 0.5 || b.left < -0.5) && !e.closest('dialog:not([open]),.skip,.visually-hidden');
}).slice(0, 5).map((e) => `${e.tagName.toLowerCase()}.${e.className}`)
  .concat(document.documentElement.scrollWidth > innerWidth ? [`scrollWidth ${document.documentElement.scrollWidth}`] : []));

const pressed = (page, sel) => page.$eval(sel, (b) => b.getAttribute('aria-pressed'));
const audioState = (page) => page.evaluate(() => {
  const a = document.querySelector('audio');
  return { paused: a.paused, t: a.currentTime, rate: a.playbackRate, src: a.getAttribute('src') };
});

describe('loop this sentence', FRONT_END_ONLY, () => {
  for (const [vname, view] of VIEWS) {
    test(`${vname}: playback returns to the sentence's start at the next one's, until the loop is off`, async (t) => {
      await withPage(browser, { ...view }, async (page) => {
        await openStory(page, srv.url + '/story/1/en');
        const ss = await sentences(page);
        const loop = page.locator('.pb-loop');
        assert.equal(await loop.getAttribute('aria-label'), T.zh.loop);
        assert.equal(await pressed(page, '.pb-loop'), 'false');
        // a short sentence keeps the test short: the shortest of the first ones, not the last
        let k = 1;
        for (let i = 1; i < Math.min(ss.length - 1, 6); i++) if (ss[i + 1].n - ss[i].n < ss[k + 1].n - ss[k].n) k = i;
        const start = ss[k].n, next = ss[k + 1].n;
        await loop.click();
        assert.equal(await pressed(page, '.pb-loop'), 'true');
        await page.evaluate(() => { document.querySelector('audio').playbackRate = 2; });
        // record every seek and the furthest point reached, from the sentence's start
        await page.evaluate(() => {
          const a = document.querySelector('audio');
          window.__seeks = [];
          window.__max = 0;
          a.addEventListener('seeking', () => window.__seeks.push(a.currentTime));
          const f = () => { window.__max = Math.max(window.__max, a.currentTime); requestAnimationFrame(f); };
          requestAnimationFrame(f);
        });
        await page.locator('#transcript .s[data-t]').nth(k).click();
        const timeout = ((next - start) / 2 + 4) * 1000;
        const jumped = await until(page, ({ start, next }) => {
          const back = window.__seeks.filter((x) => Math.abs(x - start) < 0.05);
          return back.length >= 2 && window.__max > next - 0.3; // the click's seek, then the loop's
        }, { start, next }, timeout);
        const rec = await page.evaluate(() => ({ seeks: window.__seeks, max: window.__max }));
        t.diagnostic(`sentence ${k}: ${start}–${next} s; seeks ${rec.seeks.map((x) => x.toFixed(2)).join(', ')}; furthest ${rec.max.toFixed(2)}`);
        assert.ok(jumped, `no jump back to ${start}: ${JSON.stringify(rec)}`);
        assert.ok(rec.max < next + 0.3, `played past the next sentence (${next}) to ${rec.max}`);
        const h = await highlighted(page);
        assert.deepEqual(h.t, [ss[k].t], 'the looped sentence stays highlighted');
        // L turns it off: playback goes on into the next sentence
        await page.locator('body').press('l');
        assert.equal(await pressed(page, '.pb-loop'), 'false');
        assert.ok(await until(page, (n) => document.querySelector('audio').currentTime > n + 0.2, next, timeout),
          `loop off: did not go on past ${next}`);
        await pause(page);
        await assertClean(assert, page);
      });
    });
  }
});

describe('speeds', FRONT_END_ONLY, () => {
  test('0.5× is in the cycle and remembered after a reload', async () => {
    await withPage(browser, {}, async (page, ctx) => {
      await openStory(page, srv.url + '/story/1');
      const rate = page.locator('.pb-rate');
      const seen = [];
      for (let i = 0; i < 7; i++) {
        await rate.click();
        seen.push([await rate.getAttribute('aria-label'), (await audioState(page)).rate]);
      }
      assert.deepEqual(seen, [1.25, 1.5, 1.75, 2, 0.5, 0.75, 1].map((r) => [`播放速度 ${r}×`, r]));
      for (let i = 0; i < 5; i++) await rate.click();
      assert.equal((await ctx.cookies(srv.url)).find((c) => c.name === 'gz_rate')?.value, '0.5');
      await openStory(page, srv.url + '/story/1/en');
      assert.equal((await audioState(page)).rate, 0.5);
      assert.equal(await rate.textContent(), '0.5×');
      await assertClean(assert, page);
    });
  });
});

describe('keyboard shortcuts', FRONT_END_ONLY, () => {
  for (const [vname, view] of VIEWS) {
    for (const [ui, locale] of UIS) {
      test(`${vname}, ${ui} UI: Space, ←/→, L and ?; not while typing or with modifiers; help dialog axe-clean`, async () => {
        await withPage(browser, { ...view, locale, bypassCSP: true }, async (page) => {
          await openStory(page, srv.url + '/story/1/en');
          const ss = await sentences(page);
          const now = async () => (await highlighted(page)).t;

          // Space plays and pauses (focus on the page, not on a control)
          await page.locator('h1').click();
          await page.keyboard.press('Space');
          assert.ok(await until(page, () => !document.querySelector('audio').paused), 'Space did not play');
          await page.keyboard.press('Space');
          assert.ok(await until(page, () => document.querySelector('audio').paused), 'Space did not pause');

          // → and ← move by sentence
          await seek(page, ss[1].n + 0.2);
          assert.deepEqual(await now(), [ss[1].t]);
          await page.keyboard.press('ArrowRight');
          assert.deepEqual(await now(), [ss[2].t], '→ to the next sentence');
          assert.ok(Math.abs((await audioState(page)).t - ss[2].n) < 0.05, '→ seeks to its start');
          await page.keyboard.press('ArrowRight');
          await page.keyboard.press('ArrowLeft');
          assert.deepEqual(await now(), [ss[2].t], '← back to the previous sentence');
          await page.keyboard.press('ArrowLeft');
          assert.deepEqual(await now(), [ss[1].t]);
          // more than 1.5 s into a sentence, ← first goes back to its start
          const long = ss.findIndex((x, i) => i > 0 && i + 1 < ss.length && ss[i + 1].n - x.n > 2.2);
          await seek(page, ss[long].n + 2);
          await page.keyboard.press('ArrowLeft');
          assert.deepEqual(await now(), [ss[long].t], '← restarts the sentence');
          assert.ok(Math.abs((await audioState(page)).t - ss[long].n) < 0.05);
          await page.keyboard.press('ArrowLeft');
          assert.deepEqual(await now(), [ss[long - 1].t], '← again: the previous one');
          await seek(page, ss[1].n + 0.2);
          // from a focused sentence too (after a click, focus is on it)
          await page.locator('#transcript .s[data-t]').nth(3).focus();
          await page.keyboard.press('ArrowRight');
          assert.deepEqual(await now(), [ss[2].t], 'keys act on the spoken sentence, not the focused one');

          // L toggles the loop
          await page.keyboard.press('l');
          assert.equal(await pressed(page, '.pb-loop'), 'true');
          await page.keyboard.press('L');
          assert.equal(await pressed(page, '.pb-loop'), 'false');

          // with a modifier, or while typing in the search box: nothing happens
          const before = await audioState(page);
          for (const k of ['Control+ArrowRight', 'Alt+ArrowLeft', 'Meta+ArrowRight', 'Meta+l', 'Control+l', 'Alt+l', 'Shift+L']) {
            await page.keyboard.press(k); // one at a time: a pair could undo each other
            const a = await audioState(page);
            assert.deepEqual([a.t, await pressed(page, '.pb-loop')], [before.t, 'false'], `${k} fired a shortcut`);
          }
          const search = page.locator('header.site input[name=q]');
          await search.click();
          await page.keyboard.type('l ? ');
          await page.keyboard.press('ArrowLeft');
          const afterTyping = await audioState(page);
          assert.equal(await search.inputValue(), 'l ? ');
          assert.deepEqual([afterTyping.paused, afterTyping.t], [before.paused, before.t], 'no shortcut fired');
          assert.equal(await pressed(page, '.pb-loop'), 'false');
          assert.equal(await page.locator('dialog[open]').count(), 0);
          await page.locator('h1').click();

          // ? opens the help: modal, focus inside, Tab kept inside, Esc closes, focus comes back
          await page.keyboard.press('Shift+?');
          const dlg = page.locator('#keys-dlg');
          assert.ok(await until(page, () => document.getElementById('keys-dlg').open), '? did not open the help');
          const info = await page.evaluate(() => {
            const d = document.getElementById('keys-dlg');
            return { modal: d.matches(':modal'), h: d.querySelector('h2').textContent,
              keys: [...d.querySelectorAll('dt')].map((e) => e.textContent), n: d.querySelectorAll('dd').length,
              focusIn: d.contains(document.activeElement) };
          });
          assert.equal(info.modal, true);
          assert.equal(info.h, T[ui].keys);
          assert.deepEqual(info.keys, [ui === 'zh' ? '空格' : 'Space', '← →', 'L', '?']);
          assert.equal(info.n, 4);
          assert.ok(info.focusIn, 'focus moved into the dialog');
          for (let i = 0; i < 3; i++) {
            await page.keyboard.press(i % 2 ? 'Shift+Tab' : 'Tab');
            assert.ok(await page.evaluate(() => document.getElementById('keys-dlg').contains(document.activeElement)), 'focus left the dialog');
          }
          // keys do not reach the player while it is open
          const t0 = (await audioState(page)).t;
          await page.keyboard.press('ArrowRight');
          await page.keyboard.press('l');
          assert.equal((await audioState(page)).t, t0);
          assert.equal(await pressed(page, '.pb-loop'), 'false');
          assert.deepEqual(await outside(page), [], 'help dialog: nothing outside the viewport');
          const v = await axe(page);
          assert.deepEqual(v, [], `axe with the help dialog open:\n${v.join('\n')}`);
          if (vname === 'phone') await page.screenshot({ path: `${resultsDir()}learner-keys-${ui}-${vname}.png` });
          await page.keyboard.press('Escape');
          assert.equal(await dlg.evaluate((d) => d.open), false, 'Esc closes');

          // the player's ? button opens it too, and focus returns to it
          const kb = page.locator('.pb-keys');
          assert.equal(await kb.getAttribute('aria-label'), T[ui].keys);
          await kb.click();
          assert.equal(await dlg.evaluate((d) => d.open), true);
          await page.locator('#keys-dlg .dlg-close').click();
          assert.equal(await dlg.evaluate((d) => d.open), false);
          assert.ok(await kb.evaluate((b) => b === document.activeElement), 'focus back on the ? button');

          assert.equal(await page.locator('.pb-loop').getAttribute('aria-label'), T[ui].loop);
          assert.deepEqual(await outside(page), [], 'page: nothing outside the viewport');
          await assertClean(assert, page);
        });
      });
    }
  }
});

describe('对照: which narration plays', () => {
  for (const [vname, view] of VIEWS) {
    for (const [ui, locale] of UIS) {
      test(`${vname}, ${ui} UI: the picker switches the audio and the timed column, remembered after a reload`, async () => {
        await withPage(browser, { ...view, locale, bypassCSP: true }, async (page, ctx) => {
          await openStory(page, srv.url + '/story/1/ce');
          const state = () => page.evaluate(() => ({
            narr: document.querySelector('article.story').getAttribute('data-narration-lang'),
            src: document.querySelector('audio').getAttribute('src'),
            track: document.querySelector('audio track').getAttribute('srclang'),
            timedCols: [...new Set([...document.querySelectorAll('#transcript .s[data-t]')].map((e) => e.closest('.col').lang))],
            checked: document.querySelector('form.narr input:checked').value,
            legend: document.querySelector('form.narr legend').textContent,
          }));
          let s = await state();
          assert.deepEqual([s.narr, s.track, s.timedCols, s.checked], ['en', 'en', ['en'], 'en'], JSON.stringify(s));
          assert.match(s.src, /\.en\./);
          assert.equal(s.legend, T[ui].narr);
          assert.deepEqual(await outside(page), []);
          const v = await axe(page);
          assert.deepEqual(v, [], `axe on 对照 with the picker:\n${v.join('\n')}`);

          // pick 中文: the page comes back with the Chinese narration and the Chinese column timed
          await Promise.all([page.waitForEvent('load'), page.locator('form.narr label[lang="zh-CN"]').click()]);
          await page.waitForFunction(() => document.querySelector('.pbar') && document.querySelector('audio').readyState >= 1);
          s = await state();
          assert.deepEqual([s.narr, s.track, s.timedCols, s.checked], ['zh', 'zh', ['zh-CN'], 'zh'], JSON.stringify(s));
          assert.match(s.src, /\.zh\./);
          assert.equal((await ctx.cookies(srv.url)).find((c) => c.name === 'gz_narr')?.value, 'zh');

          // the highlight follows the Chinese transcript
          const ss = await sentences(page);
          await seek(page, ss[2].n + 0.05);
          const h = await highlighted(page);
          assert.deepEqual(h.t, [ss[2].t]);
          assert.equal(await page.$eval('.s.now', (e) => e.closest('.col').lang), 'zh-CN');

          // remembered: a reload, and another story's 对照
          await openStory(page, srv.url + '/story/1/ce');
          assert.equal((await state()).narr, 'zh');
          await openStory(page, srv.url + '/story/2/ce');
          assert.match((await state()).src, /\.zh\./);
          // the single-language pages are not affected
          await openStory(page, srv.url + '/story/1/en');
          assert.match((await audioState(page)).src, /\.en\./);
          assert.equal(await page.locator('form.narr').count(), 0);
          assert.deepEqual(await outside(page), []);
          await assertClean(assert, page);
        });
      });
    }
  }

  test('without JavaScript: the form posts, the server sets gz_narr and renders that narration', async () => {
    await withPage(browser, { javaScriptEnabled: false }, async (page, ctx) => {
      await page.goto(srv.url + '/story/1/ce');
      assert.equal(await page.locator('form.narr button[type=submit]').isVisible(), true);
      await page.locator('form.narr input[value="zh"]').check();
      await Promise.all([page.waitForURL(/\/story\/1\/ce$/), page.locator('form.narr button[type=submit]').click()]);
      assert.equal(await page.$eval('article.story', (e) => e.getAttribute('data-narration-lang')), 'zh');
      assert.match(await page.$eval('audio', (e) => e.getAttribute('src')), /\.zh\./);
      assert.equal((await ctx.cookies(srv.url)).find((c) => c.name === 'gz_narr')?.value, 'zh');
    });
  });
});
