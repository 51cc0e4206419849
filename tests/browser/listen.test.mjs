// Listening that continues (issue 11, item 4) in a real browser: the saved position offered after a
// reload (this browser when signed out, the account when signed in) and seeking there; the lock-screen
// metadata; "play all" going from one story page to the next; a story kept for offline opening and
// playing with the network cut. The real binary with the demo; one headless Chromium.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer } from '../integration/server.mjs';
import { withPage, launch, assertClean, until, openStory, seek, pause, axe, resultsDir, PHONE } from './lib.mjs';

let srv, browser;

before(async () => {
  [srv, browser] = await Promise.all([startServer({ demo: true }), launch()]);
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

const resumeButton = (page) => page.locator('.ls-row button.ls-resume');

async function register(page, name) {
  await page.goto(srv.url + '/');
  const r = await page.evaluate(async (name) => {
    const res = await fetch('/api/v1/register', { method: 'POST', headers: { 'Content-Type': 'application/json',
      'X-CSRF-Token': document.querySelector('input[name="csrf"]').value },
    body: JSON.stringify({ email: name + '@example.com', username: name, password: 'correct horse battery', agree: true }) });
    return res.status;
  }, name);
  assert.equal(r, 200, 'registered');
  await page.reload();
  assert.equal(await page.locator('header a.account-link').count(), 1, 'signed in');
}

describe('saved position', () => {
  test('signed out: kept in this browser, offered after a reload as "从 0:42 继续", seeks there; axe clean', async () => {
    await withPage(browser, { bypassCSP: true }, async (page) => {
      await openStory(page, srv.url + '/story/2');
      assert.equal(await resumeButton(page).count(), 0, 'nothing to resume on a first visit');
      await page.click('.pb-play');
      await until(page, () => document.querySelector('audio').currentTime > 0.2);
      await seek(page, 42.3);
      await pause(page);
      const saved = await page.evaluate(() => JSON.parse(localStorage.getItem('gz-pos:2:' +
        document.querySelector('article.story').getAttribute('data-narration-lang'))));
      assert.ok(saved && Math.abs(saved.t - 42.3) < 1.5, JSON.stringify(saved));

      await openStory(page, srv.url + '/story/2');
      await resumeButton(page).waitFor();
      assert.match(await resumeButton(page).textContent(), /^从 0:4[234] 继续$/);
      assert.ok(await page.evaluate(() => document.querySelector('audio').currentTime) < 1, 'not moved by itself');
      const v = await axe(page, { include: [['section.player'], ['.ls-row']] });
      assert.deepEqual(v, [], 'axe:\n' + v.join('\n'));
      await resumeButton(page).click();
      assert.ok(await until(page, () => { const a = document.querySelector('audio'); return !a.paused && a.currentTime > 41; }),
        'plays from the saved place: ' + await page.evaluate(() => document.querySelector('audio').currentTime));
      assert.equal(await resumeButton(page).count(), 0, 'the offer is gone once taken');
      await page.screenshot({ path: join(resultsDir(), 'listen-resume-1280.png') });
      await assertClean(assert, page);

      // heard to the end: forgotten, no offer next time
      await seek(page, await page.evaluate(() => document.querySelector('audio').duration - 0.3));
      await until(page, () => document.querySelector('audio').ended);
      await openStory(page, srv.url + '/story/2');
      await page.waitForTimeout(300);
      assert.equal(await resumeButton(page).count(), 0, 'finished stories are not offered');
      assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('gz-pos:2:')).length), 0);
    });
  });

  test('signed in: kept on the account (another browser gets it), English UI "Resume from 1:05"; phone width', async () => {
    await withPage(browser, { ...PHONE, locale: 'en-GB' }, async (page, ctx) => {
      await register(page, 'listener');
      await openStory(page, srv.url + '/story/3/en');
      await page.click('.pb-play');
      await until(page, () => document.querySelector('audio').currentTime > 0.2);
      // saved at once after the seek (while playing) or on the pause, whichever comes first
      const saved = page.waitForResponse((r) => r.url().endsWith('/listen/position') && r.request().method() === 'POST' &&
        JSON.parse(r.request().postData()).t >= 65);
      await seek(page, 65.4);
      await pause(page);
      assert.equal((await saved).status(), 200);
      assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('gz-pos:')).length), 0,
        'signed in: nothing in this browser');
      // the same account in a fresh browser (only the session cookies carried over)
      const cookies = (await ctx.cookies()).filter((c) => /^gz_(sid|session|remember)/.test(c.name) || c.httpOnly);
      await withPage(browser, { ...PHONE, locale: 'en-GB', bypassCSP: true }, async (p2, ctx2) => {
        await ctx2.addCookies(cookies);
        await openStory(p2, srv.url + '/story/3/en');
        await resumeButton(p2).waitFor();
        assert.match(await resumeButton(p2).textContent(), /^Resume from 1:0[5-7]$/);
        const fits = await p2.evaluate(() => [...document.querySelectorAll('.ls-row > *')]
          .every((e) => { const r = e.getBoundingClientRect(); return r.left >= 0 && r.right <= innerWidth; }));
        assert.ok(fits, 'the row fits in 375 px');
        await p2.locator('.ls-row').scrollIntoViewIfNeeded();
        await p2.screenshot({ path: join(resultsDir(), 'listen-resume-375.png') });
        await resumeButton(p2).click();
        assert.ok(await until(p2, () => document.querySelector('audio').currentTime > 64.5));
        const v = await axe(p2, { include: [['section.player'], ['.ls-row']] });
        assert.deepEqual(v, [], 'axe:\n' + v.join('\n'));
        await assertClean(assert, p2);
      });
    });
  });
});

describe('lock screen and queue', () => {
  test('Media Session: title, Gazette · section, artwork; play/pause, ±15 s, seek-to, next only in a queue', async () => {
    await withPage(browser, {}, async (page, ctx) => {
      // record the handlers the page installs, to call them as the lock screen would
      await ctx.addInitScript(() => {
        const ms = navigator.mediaSession, set = ms.setActionHandler.bind(ms);
        window.__ms = {};
        ms.setActionHandler = (a, f) => { window.__ms[a] = f; set(a, f); };
      });
      await openStory(page, srv.url + '/story/1');
      const m = await page.evaluate(() => {
        const x = navigator.mediaSession.metadata;
        return { title: x.title, artist: x.artist, art: x.artwork.map((a) => a.src),
          h1: document.querySelector('h1').textContent, sec: document.querySelector('.section-label').textContent,
          actions: Object.keys(window.__ms).filter((k) => window.__ms[k]).sort() };
      });
      assert.equal(m.title, m.h1);
      assert.equal(m.artist, 'Gazette · ' + m.sec);
      assert.ok(m.art.length >= 1 && m.art.every((u) => /\/static\/icon-\d+\.png$|^https?:/.test(u)), m.art.join(' '));
      assert.deepEqual(m.actions, ['pause', 'play', 'seekbackward', 'seekforward', 'seekto'], 'no next track outside a queue');
      const at = () => page.evaluate(() => document.querySelector('audio').currentTime);
      await page.evaluate(() => window.__ms.seekto({ seekTime: 30 }));
      assert.ok(await until(page, () => Math.abs(document.querySelector('audio').currentTime - 30) < 0.5), String(await at()));
      await page.evaluate(() => window.__ms.seekforward({}));
      assert.ok(await until(page, () => Math.abs(document.querySelector('audio').currentTime - 45) < 0.5), String(await at()));
      await page.evaluate(() => window.__ms.seekbackward({}));
      assert.ok(await until(page, () => Math.abs(document.querySelector('audio').currentTime - 30) < 0.5), String(await at()));
      await page.evaluate(() => window.__ms.play());
      assert.ok(await until(page, () => !document.querySelector('audio').paused));
      assert.equal(await page.evaluate(() => navigator.mediaSession.playbackState), 'playing');
      await page.evaluate(() => window.__ms.pause());
      assert.ok(await until(page, () => document.querySelector('audio').paused));
      await assertClean(assert, page);
    });
  });

  test('play all: the home button queues the latest stories; at the end of one the next page plays', async () => {
    await withPage(browser, {}, async (page, ctx) => {
      await ctx.addInitScript(() => { // the lock screen's buttons, as in the Media Session test
        const ms = navigator.mediaSession, set = ms.setActionHandler.bind(ms);
        window.__ms = {};
        ms.setActionHandler = (a, f) => { window.__ms[a] = f; set(a, f); };
      });
      await page.goto(srv.url + '/');
      const b = page.locator('.ls-playall button');
      await b.waitFor();
      assert.match(await b.textContent(), /连续播放最新的 5 篇报道/);
      await withPage(browser, { bypassCSP: true }, async (p2) => {
        await p2.goto(srv.url + '/');
        await p2.locator('.ls-playall button').waitFor();
        const v = await axe(p2);
        assert.deepEqual(v, [], 'axe on the home page with the play-all button:\n' + v.join('\n'));
      });
      await b.click();
      await page.waitForURL(/\/story\/5$/);
      await page.waitForFunction(() => document.querySelector('.pbar'));
      assert.ok(await until(page, () => !document.querySelector('audio').paused, null, 8000), 'the first story plays');
      assert.match(await page.locator('.ls-q').textContent(), /连播 1\/5/);
      await seek(page, await page.evaluate(() => document.querySelector('audio').duration - 0.5));
      await page.waitForURL(/\/story\/4$/, { timeout: 10000 });
      await page.waitForFunction(() => document.querySelector('.ls-q'));
      assert.match(await page.locator('.ls-q').textContent(), /连播 2\/5/);
      assert.ok(await until(page, () => !document.querySelector('audio').paused, null, 8000), 'the next story plays');
      // "next track" on the lock screen goes on to the third
      assert.equal(await page.evaluate(() => typeof window.__ms.nexttrack), 'function');
      await page.evaluate(() => window.__ms.nexttrack());
      await page.waitForURL(/\/story\/3$/, { timeout: 10000 });
      await page.waitForFunction(() => document.querySelector('.ls-q'));
      assert.match(await page.locator('.ls-q').textContent(), /连播 3\/5/);
      // stop the queue: the next story no longer follows
      await page.getByRole('button', { name: '停止连播' }).click();
      assert.equal(await page.evaluate(() => sessionStorage.getItem('gz-queue')), null);
      await assertClean(assert, page);
    });
  });
});

describe('offline', () => {
  test('a kept story opens and plays with the network cut; a story not kept says offline', async () => {
    await withPage(browser, { bypassCSP: true }, async (page, ctx) => {
      await register(page, 'offline'); // a signed-in reader: the kept copy must still be the public page
      await openStory(page, srv.url + '/story/1');
      await page.evaluate(() => navigator.serviceWorker.ready);
      const keep = page.locator('button.ls-keep');
      await keep.waitFor();
      assert.equal(await keep.textContent(), '离线保存');
      await keep.click();
      await until(page, () => /已保存/.test(document.querySelector('.ls-status').textContent), null, 15000);
      assert.equal(await keep.textContent(), '已离线保存 · 移除');

      // online, the page still comes from the network (network first), not from the kept copy
      let resp = await page.goto(srv.url + '/story/1', { waitUntil: 'load' });
      assert.equal(resp.headers()['x-gz-title'], undefined, 'online: the live page');
      assert.equal(await page.locator('header a.account-link').count(), 1, 'online: signed in');

      await ctx.setOffline(true);
      try {
        page.problems.length = 0;
        resp = await page.goto(srv.url + '/story/1', { waitUntil: 'load' });
        assert.ok(resp.headers()['x-gz-title'], 'offline: the kept copy');
        assert.equal(await page.locator('header a.account-link').count(), 0, 'the kept copy is not a signed-in page');
        assert.equal(await page.locator('header a.signin-open').count(), 1);
        await page.waitForFunction(() => document.querySelector('.pbar'));
        assert.equal(await page.locator('h1').count(), 1);
        await page.click('.pb-play');
        assert.ok(await until(page, () => document.querySelector('audio').currentTime > 1, null, 8000),
          'plays offline: ' + await page.evaluate(() => { const a = document.querySelector('audio'); return a.currentTime + ' ' + (a.error && a.error.code); }));
        await seek(page, 60);
        assert.ok(await until(page, () => document.querySelector('audio').currentTime > 60.3, null, 8000), 'seeks offline (ranges)');
        assert.ok(await page.locator('.s.now').count() >= 1, 'the read-along follows');
        const v = await axe(page);
        assert.deepEqual(v, [], 'axe on the kept page offline:\n' + v.join('\n'));
        await page.screenshot({ path: join(resultsDir(), 'listen-offline-1280.png') });
        // (the browser reports the refused fetches of the cut network; nothing else)
        const other = page.problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch|net::|status of 503/.test(p));
        assert.deepEqual(other, []);

        await page.goto(srv.url + '/story/2', { waitUntil: 'load' });
        assert.match(await page.locator('h1').textContent(), /离线/);
        assert.ok(await page.locator('a[href="/story/1"]').count() === 1, 'lists the kept story');
      } finally {
        await ctx.setOffline(false);
      }
      // online again: pages come from the network (a story not kept is the live page)
      await page.goto(srv.url + '/story/2', { waitUntil: 'load' });
      assert.doesNotMatch(await page.locator('h1').textContent(), /离线/);
    });
  });
});
