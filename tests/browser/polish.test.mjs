// Reader polish (issue 11): Chinese sentences follow each other without a space; the page fits a
// 375 px phone and a desktop at every font size, the headline never smaller than the standfirst;
// the same for the account and newsroom pages (signed in as an editor), which also follow the
// dark theme; the newsroom list and the waveform's numbers hold together on a phone.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, gazette } from '../integration/server.mjs';
import { withPage, newContext, launch, assertClean, resultsDir, axe, until, PHONE, DESKTOP, FRONT_END_ONLY } from './lib.mjs';

const EMAIL = 'polish-ed@example.com', PW = 'editor pass phrase';
let srv, browser, dir;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gz-polish-'));
  const r = gazette(['user', 'add', '--data', join(dir, 'data'), '--role', 'editor', '--password-stdin', EMAIL], { input: PW + '\n' });
  assert.equal(r.status, 0, r.stderr);
  [srv, browser] = await Promise.all([startServer({ demo: true, dataDir: join(dir, 'data') }), launch()]);
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Sign the context in as the editor through the sign-in form's POST (any UI language).
async function signIn(ctx) {
  const form = await (await ctx.request.get(srv.url + '/login')).text();
  const csrf = form.match(/name="csrf" value="([\w-]+)"/)[1];
  const r = await ctx.request.post(srv.url + '/login', { form: { csrf, login: EMAIL, password: PW }, maxRedirects: 0 });
  assert.equal(r.status(), 303, 'signed in');
}
const NEWSROOM = ['/newsroom', '/newsroom/story/1', '/newsroom/story/1/timing/zh'];


describe('sentence spacing', FRONT_END_ONLY, () => {
  test('no space between Chinese sentences, one between English ones', async () => {
    await withPage(browser, {}, async (page) => {
      await page.goto(srv.url + '/story/1', { waitUntil: 'load' });
      const zh = await page.$$eval('#transcript p.para', (ps) => ps.map((p) => p.textContent));
      assert.ok(zh.some((t) => /。./.test(t)), 'a Chinese paragraph with two sentences');
      for (const t of zh) assert.doesNotMatch(t, /[。！？”] /, `space after a Chinese sentence: ${t}`);
      await page.goto(srv.url + '/story/1/en', { waitUntil: 'load' });
      const en = await page.$$eval('#transcript p.para', (ps) => ps.map((p) => p.textContent));
      assert.ok(en.some((t) => /[.!?] [A-Z]/.test(t)), 'English sentences keep their space');
      for (const t of en) assert.doesNotMatch(t, /[a-z][.!?][A-Z]/, `English sentences run together: ${t}`);
      await page.goto(srv.url + '/story/1/ce', { waitUntil: 'load' });
      const ce = await page.$$eval('#transcript p.para[lang="zh-CN"], #transcript [lang="zh-CN"] p.para',
        (ps) => ps.map((p) => p.textContent));
      for (const t of ce) assert.doesNotMatch(t, /[。！？”] /, `对照: space after a Chinese sentence: ${t}`);
      await assertClean(assert, page);
    });
  });
});

describe('seed parity', () => {
  test('the Chinese page also shows the English headline and standfirst, smaller, lang="en"', async () => {
    await withPage(browser, {}, async (page) => {
      await page.goto(srv.url + '/story/1/en', { waitUntil: 'load' });
      const en = await page.evaluate(() => ({
        h1: document.querySelector('h1').textContent, sf: document.querySelector('.standfirst').textContent }));
      for (const path of ['/story/1', '/story/1/ce']) {
        await page.goto(srv.url + path, { waitUntil: 'load' });
        const zh = await page.evaluate(() => {
          const q = (s) => document.querySelector(s);
          const px = (e) => parseFloat(getComputedStyle(e).fontSize);
          return {
            h: q('.headline-alt[lang="en"]')?.textContent, s: q('.standfirst-alt[lang="en"]')?.textContent,
            smaller: !!q('.headline-alt') && px(q('.headline-alt')) < px(q('h1')) &&
              !!q('.standfirst-alt') && px(q('.standfirst-alt')) < px(q('.standfirst')),
          };
        });
        assert.equal(zh.h, en.h1, `${path}: English headline`);
        assert.equal(zh.s, en.sf, `${path}: English standfirst`);
        assert.ok(zh.smaller, `${path}: the English lines are smaller than the Chinese ones`);
      }
      await page.goto(srv.url + '/story/1/en', { waitUntil: 'load' });
      assert.equal(await page.$$eval('.headline-alt,.standfirst-alt', (e) => e.length), 0, 'not on the English page');
    });
  });
});

// Every font size, phone and desktop, both UI languages: nothing wider than the viewport, the
// headline at least as big as the standfirst, the header pills and 分享 on the rows they belong to.
const PAGES = ['/', '/story/1', '/story/1/en', '/story/1/ce', '/search?q=%E7%94%B5%E6%B1%A0', '/login'];
const SIGNED_IN = ['/account', ...NEWSROOM];
const VIEWS = [['phone', PHONE], ['desktop', DESKTOP]];

describe('layout at every font size', FRONT_END_ONLY, () => {
  for (const [vname, view] of VIEWS) {
    for (const ui of ['zh', 'en']) {
      test(`${vname}, ${ui} UI: no overflow, headline >= standfirst, pills in place`, async () => {
        await withPage(browser, { ...view, locale: ui === 'zh' ? 'zh-CN' : 'en-US' }, async (pageOut, ctx) => {
          const bad = [];
          const ctxIn = await newContext(browser, { ...view, locale: ui === 'zh' ? 'zh-CN' : 'en-US' });
          await signIn(ctxIn);
          const pageIn = await ctxIn.newPage();
          for (let fs = 1; fs <= 5; fs++) {
            for (const c of [ctx, ctxIn]) {
              await c.addCookies([{ name: 'gz_fs', value: String(fs), url: srv.url },
                { name: 'gz_ui', value: ui, url: srv.url }]);
            }
            for (const path of [...PAGES, ...SIGNED_IN]) {
              const page = SIGNED_IN.includes(path) ? pageIn : pageOut;
              await page.goto(srv.url + path, { waitUntil: 'load' });
              const r = await page.evaluate(() => {
                const px = (e) => (e ? parseFloat(getComputedStyle(e).fontSize) : 0);
                const box = (s) => { const e = document.querySelector(s); return e ? e.getBoundingClientRect() : null; };
                // Inside a scroll box that itself fits (the account's activity table) is no overflow.
                const clipped = (e) => {
                  for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
                    if (getComputedStyle(p).overflowX === 'visible') continue;
                    const b = p.getBoundingClientRect();
                    if (b.left >= -0.5 && b.right <= innerWidth + 0.5) return true;
                  }
                  return false;
                };
                const wide = [...document.querySelectorAll('body *')].filter((e) => {
                  const b = e.getBoundingClientRect();
                  return b.width > 0 && (b.right > innerWidth + 0.5 || b.left < -0.5) &&
                    !e.closest('dialog:not([open]),.skip,.visually-hidden') && !clipped(e);
                }).slice(0, 3).map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
                const pill = box('.signin-open,.account-link'), brand = box('.brand');
                const share = box('.share-open'), fsz = box('.fontsize');
                return {
                  scroll: document.documentElement.scrollWidth, inner: innerWidth, wide,
                  h1: px(document.querySelector('article h1')), sf: px(document.querySelector('.standfirst')),
                  pillOut: pill ? pill.right > innerWidth - 8 || pill.left < 8 : false,
                  pillAlone: pill && brand ? pill.top >= brand.bottom + 40 : false,
                  shareAlone: share && fsz ? share.top >= fsz.bottom - 2 : false,
                };
              });
              const at = `${path} fs=${fs}`;
              if (r.scroll > r.inner) bad.push(`${at}: scrollWidth ${r.scroll} > ${r.inner} (${r.wide.join(', ')})`);
              if (r.wide.length) bad.push(`${at}: outside the viewport: ${r.wide.join(', ')}`);
              if (r.h1 && r.sf && r.h1 < r.sf) bad.push(`${at}: headline ${r.h1}px < standfirst ${r.sf}px`);
              if (r.pillOut) bad.push(`${at}: the sign-in/account pill is outside the margin`);
              if (r.shareAlone) bad.push(`${at}: 分享 dropped below the font sizes`);
              if (vname === 'phone' && ui === 'zh' && fs === 5 && path === '/story/1') {
                await page.screenshot({ path: resultsDir() + 'polish-phone-zh-fs5.png' });
              }
            }
          }
          await ctxIn.close();
          assert.deepEqual(bad, []);
        });
      });
    }
  }
});

describe('dark mode and print', FRONT_END_ONLY, () => {
  test('prefers-color-scheme: dark turns the page dark and axe stays clean', async () => {
    await withPage(browser, { colorScheme: 'dark', bypassCSP: true }, async (page) => {
      const bad = [];
      for (const path of ['/', '/story/1', '/story/1/en', '/story/1/ce', '/search?q=%E7%94%B5%E6%B1%A0', '/login']) {
        await page.goto(srv.url + path, { waitUntil: 'load' });
        const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        const lum = bg.match(/\d+/g).slice(0, 3).reduce((a, v) => a + Number(v), 0) / 3;
        if (lum > 80) bad.push(`${path}: background ${bg} is not dark`);
        const v = await axe(page);
        if (v.length) bad.push(`${path}: axe\n${v.join('\n')}`);
      }
      await page.screenshot({ path: resultsDir() + 'polish-dark.png' });
      assert.deepEqual(bad, []);
    });
  });

  test('the account and newsroom pages follow the dark theme too (system, then the toggle)', async () => {
    await withPage(browser, { colorScheme: 'dark', bypassCSP: true }, async (page, ctx) => {
      await signIn(ctx);
      // Light surfaces that must turn dark: the body, form fields, the filter box, the waveform.
      const lums = () => page.evaluate(() => {
        const lum = (e) => {
          if (!e) return null;
          const m = getComputedStyle(e).backgroundColor.match(/[\d.]+/g).map(Number);
          return m[3] === 0 ? null : (m[0] + m[1] + m[2]) / 3;
        };
        const sel = ['body', '.nr-filter', 'select', 'textarea', '.nr-lang', 'canvas.nr-canvas', 'input[type=number]', '.newsroom button:not(.primary)'];
        return Object.fromEntries(sel.map((s) => [s, lum(document.querySelector(s))]).filter(([, v]) => v !== null));
      });
      const bad = [];
      for (const path of ['/account', ...NEWSROOM]) {
        await page.goto(srv.url + path, { waitUntil: 'load' });
        if (path.includes('/timing/')) {
          await page.locator('canvas.nr-canvas').waitFor();
          // The waveform's bars are drawn in the theme's (light) ink, not the light theme's grey.
          assert.ok(await until(page, () => (document.querySelector('canvas.nr-canvas').nrLabels || []).length > 0), 'waveform drawn');
          const bars = await page.evaluate(() => {
            const c = document.querySelector('canvas.nr-canvas'), d = c.getContext('2d').getImageData(0, c.height / 2 - 2, c.width, 4).data;
            let best = 0;
            for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 200) best = Math.max(best, (d[i] + d[i + 1] + d[i + 2]) / 3);
            return best;
          });
          if (bars < 150) bad.push(`${path}: waveform bars too dark on a dark page (${bars})`);
        }
        for (const [s, l] of Object.entries(await lums())) if (l > 80) bad.push(`${path}: ${s} background ${l} is not dark`);
        const v = await axe(page);
        if (v.length) bad.push(`${path}: axe\n${v.join('\n')}`);
        await assertClean(assert, page, path);
      }
      await page.screenshot({ path: resultsDir() + 'polish-dark-timing.png' });
      // The header toggle (cookie gz_theme) turns the newsroom light again.
      await page.goto(srv.url + '/newsroom', { waitUntil: 'load' });
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('.theme button:visible')]);
      assert.match(await page.evaluate(() => document.documentElement.className), /theme-light/);
      for (const [s, l] of Object.entries(await lums())) if (l < 200) bad.push(`/newsroom toggled light: ${s} background ${l}`);
      assert.deepEqual(bad, []);
    });
  });

  test('the header toggle picks dark or light, remembered in a cookie, applied by the server', async () => {
    for (const scheme of ['light', 'dark']) {
      await withPage(browser, { colorScheme: scheme, bypassCSP: true }, async (page, ctx) => {
        const dark = () => page.evaluate(() => {
          const m = getComputedStyle(document.body).backgroundColor.match(/\d+/g).slice(0, 3);
          return m.reduce((a, v) => a + Number(v), 0) / 3 < 80;
        });
        await page.goto(srv.url + '/story/1', { waitUntil: 'load' });
        assert.equal(await dark(), scheme === 'dark', `${scheme}: follows the system first`);
        const visible = await page.$$eval('.theme button', (bs) => bs.filter((b) => b.getClientRects().length).map((b) => b.value));
        assert.deepEqual(visible, [scheme === 'dark' ? 'light' : 'dark'], 'one button: the other scheme');
        await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('.theme button:visible')]);
        assert.equal(await dark(), scheme !== 'dark', `${scheme}: toggled: ${page.url()} ${await page.evaluate(() => document.documentElement.className + ' ' + document.body.textContent.slice(0, 80))} ${JSON.stringify(await ctx.cookies())}`);
        const ck = (await ctx.cookies()).find((c) => c.name === 'gz_theme');
        assert.equal(ck?.value, scheme === 'dark' ? 'light' : 'dark');
        assert.match(await page.evaluate(() => document.documentElement.className), /theme-(dark|light)/);
        assert.deepEqual(await axe(page), []);
        await assertClean(assert, page);
      });
    }
  });

  test('print shows the headline, byline, text, copyright and URL, and no chrome', async () => {
    await withPage(browser, {}, async (page) => {
      await page.goto(srv.url + '/story/1', { waitUntil: 'load' });
      await page.emulateMedia({ media: 'print' });
      const r = await page.evaluate(() => {
        const vis = (s) => [...document.querySelectorAll(s)].some((e) => e.getClientRects().length > 0);
        return {
          shown: ['article h1', '.byline', '#transcript .s', '.copyright', '.print-url'].filter((s) => !vis(s)),
          hidden: ['header.site', '.player', '.tools', '.modes', 'button', '.related', 'footer'].filter(vis),
          url: document.querySelector('.print-url')?.textContent,
        };
      });
      assert.deepEqual(r.shown, [], 'missing in print');
      assert.deepEqual(r.hidden, [], 'chrome in print');
      assert.match(r.url, /\/story\/1$/);
      await page.emulateMedia({ media: 'screen' });
      assert.equal(await page.$eval('.print-url', (e) => e.getClientRects().length), 0, 'the URL line only in print');
    });
  });
});

describe('newsroom on a phone', () => {
  test('the story list is one card a story; the waveform numbers never overlap or leave the canvas', async () => {
    await withPage(browser, PHONE, async (page, ctx) => {
      await signIn(ctx);
      await page.goto(srv.url + '/newsroom', { waitUntil: 'load' });
      const list = await page.evaluate(() => {
        const out = [];
        const thead = document.querySelector('.nr-list thead').getBoundingClientRect();
        if (thead.height > 1 || thead.width > 1) out.push(`the header row shows (${thead.width}x${thead.height})`);
        for (const tr of document.querySelectorAll('.nr-list tbody tr')) {
          const row = tr.getBoundingClientRect(), cells = [...tr.cells].map((td) => td.getBoundingClientRect());
          const [n, h, sec, st, d] = cells;
          cells.forEach((c, i) => {
            if (c.width && (c.left < row.left - 0.5 || c.right > row.right + 0.5)) out.push(`row ${tr.cells[0].textContent} cell ${i} leaves its row`);
          });
          if (!(h.left > n.right && st.top >= h.bottom - 0.5 && d.top >= h.bottom - 0.5)) out.push(`row ${tr.cells[0].textContent}: headline, then state and date`);
          if (sec.width && (sec.left < st.right || sec.right > d.left)) out.push(`row ${tr.cells[0].textContent}: the section overlaps`);
          if (row.right > innerWidth) out.push(`row ${tr.cells[0].textContent} wider than the screen`);
        }
        return out;
      });
      assert.deepEqual(list, []);
      await page.screenshot({ path: resultsDir() + 'polish-newsroom-list-375.png', fullPage: true });

      await page.goto(srv.url + '/newsroom/story/5/timing/zh', { waitUntil: 'load' });
      await page.locator('canvas.nr-canvas').waitFor();
      assert.ok(await until(page, () => (document.querySelector('canvas.nr-canvas').nrLabels || []).length > 1), 'numbers drawn');
      const r = await page.evaluate(() => {
        const c = document.querySelector('canvas.nr-canvas');
        return { w: c.clientWidth, labels: c.nrLabels, rows: document.querySelectorAll('tr.seg').length };
      });
      const bad = [];
      for (const [i, a] of r.labels.entries()) {
        if (a.x < 0 || a.x + a.w > r.w) bad.push(`${a.text} leaves the canvas (${a.x}..${a.x + a.w} of ${r.w})`);
        for (const b of r.labels.slice(i + 1)) {
          if (a.y === b.y && a.x < b.x + b.w && b.x < a.x + a.w) bad.push(`${a.text} overlaps ${b.text}`);
        }
      }
      assert.deepEqual(bad, []);
      assert.ok(r.labels.length >= Math.min(r.rows, 8), `most numbers shown: ${r.labels.length} of ${r.rows}`);
      await assertClean(assert, page);
    });
  });
});
