// Newsroom pictures in a real browser (issue 11): an editor uploads a picture on the story's
// editor page (with the upload progress script), inserts its Markdown into the English text with
// the "insert" button, publishes; a reader sees the figure with its caption (loaded, WebP from
// its srcset) and its URL in og:image, at 375 px and 1280 px without horizontal overflow.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, gazette } from '../integration/server.mjs';
import { png } from '../integration/png.mjs';
import { withPage, launch, assertClean, problems, axe, resultsDir, PHONE, DESKTOP } from './lib.mjs';

const EMAIL = 'pic@example.com', PW = 'editor pass phrase';
let srv, browser, dir;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gz-imgb-'));
  const r = gazette(['user', 'add', '--data', join(dir, 'data'), '--role', 'editor', '--password-stdin', EMAIL], { input: PW + '\n' });
  assert.equal(r.status, 0, r.stderr);
  [srv, browser] = await Promise.all([startServer({ demo: false, dataDir: join(dir, 'data') }), launch()]);
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const submit = (page, locator) => Promise.all([page.waitForEvent('load'), locator.click()]);

test('upload a picture, put it in the story, publish; the reader sees figure, caption, og:image', async () => {
  let id, name;
  await withPage(browser, {}, async (page) => {
    await page.goto(srv.url + '/login');
    const login = page.locator('main .account-form form');
    await login.getByLabel('电子邮件/用户名').fill(EMAIL);
    await login.getByLabel('密码', { exact: true }).fill(PW);
    await submit(page, login.getByRole('button', { name: '登录' }));

    await page.goto(srv.url + '/newsroom/new');
    const form = page.locator('form.nr-story');
    await form.getByLabel('或新建栏目：标识、中文名、英文名').fill('ports, 港口, Ports');
    const zh = form.locator('fieldset[lang="zh-CN"]'), en = form.locator('fieldset[lang="en"]');
    await zh.getByLabel('标题').fill('黎明的港口');
    await zh.getByLabel(/^正文/).fill('港口很忙。');
    await en.getByLabel('标题').fill('The port at dawn');
    await en.getByLabel(/^正文/).fill('The port is busy at dawn.\n\nShips wait offshore.');
    await submit(page, page.getByRole('button', { name: '保存草稿' }));
    id = page.url().match(/\/newsroom\/story\/(\d+)/)[1];

    // A file that is not a picture: refused in the page, with the reason.
    const up = page.locator('form.nr-pic-upload');
    await up.locator('input[type=file]').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('not a picture at all') });
    await up.getByRole('button', { name: '上传图片', exact: true }).click();
    await page.locator('form.nr-pic-upload .nr-up.err').waitFor();
    assert.match(await page.locator('form.nr-pic-upload .nr-up.err').textContent(), /422 — this is not a JPEG, PNG or WebP picture/);

    // The real picture; the editor page comes back with it and its Markdown.
    await up.locator('input[type=file]').setInputFiles({ name: 'harbour.png', mimeType: 'image/png', buffer: png(1600, 900) });
    await up.getByLabel('替代文字（图片内容）').fill('Cranes over the quay');
    await up.getByLabel('图片说明').fill('The quay at 6 a.m.');
    await Promise.all([page.waitForURL(/\?picture=[0-9a-f]{20}/), up.getByRole('button', { name: '上传图片', exact: true }).click()]);
    name = page.url().match(/picture=([0-9a-f]{20})/)[1];
    const md = await page.locator(`#md-${name}`).inputValue();
    assert.equal(md, `![Cranes over the quay](/media/img/${name}-1600x900.jpg "The quay at 6 a.m.")`);

    // Into the English text (after its first paragraph), then publish.
    const body = page.locator('form.nr-story fieldset[lang="en"] textarea[name="en_body"]');
    await body.click();
    await body.evaluate((t) => { t.selectionStart = t.selectionEnd = t.value.indexOf('\n'); });
    await page.locator(`li.nr-pic[data-name="${name}"] button.nr-insert`).click();
    assert.equal(await body.inputValue(), `The port is busy at dawn.\n\n${md}\n\nShips wait offshore.`);
    await submit(page, page.getByRole('button', { name: '立即发布' }));
    assert.equal(await page.locator('.form-error').count(), 0, await page.locator('.form-error').allTextContents().then(String));
    // The refused upload's 422 is logged by Chromium; nothing else may be.
    const p = (await problems(page)).filter((x) => !/status of 422 .*\/image\)$/.test(x));
    assert.deepEqual(p, []);
    // The pictures box on a phone: no horizontal overflow.
    await page.setViewportSize({ width: 375, height: 812 });
    await page.goto(`${srv.url}/newsroom/story/${id}`);
    const sw = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(sw <= 375, `editor at 375 px: horizontal overflow, scrollWidth ${sw}`);
    await page.locator('section.nr-pictures').screenshot({ path: join(resultsDir(), 'images-editor-375.png') });
  });

  for (const [label, opts] of [['375', PHONE], ['1280', DESKTOP]]) {
    await withPage(browser, { ...opts, locale: 'en-GB', bypassCSP: true }, async (page) => {
      await page.goto(`${srv.url}/story/${id}/en`);
      const fig = page.locator('article figure.fig');
      assert.equal(await fig.count(), 1);
      await fig.scrollIntoViewIfNeeded();
      assert.equal((await fig.locator('figcaption').textContent()).trim(), 'The quay at 6 a.m.');
      const img = fig.locator('img');
      assert.equal(await img.getAttribute('alt'), 'Cranes over the quay');
      await page.waitForFunction((n) => {
        const i = document.querySelector('article figure.fig img');
        return i.complete && i.naturalWidth > 0 && i.currentSrc.includes(n);
      }, name, { timeout: 10000 });
      const shown = await img.evaluate((i) => ({ src: i.currentSrc, w: i.getBoundingClientRect().width, h: i.getBoundingClientRect().height }));
      assert.match(shown.src, /\.webp$/, 'the WebP source is used');
      // The 375 px phone at 2x needs 750 px, the 1280 px desktop column 720 px: 960 either way.
      assert.match(shown.src, /-960x540\.webp$/, shown.src);
      assert.ok(Math.abs(shown.w / shown.h - 16 / 9) < 0.02, 'aspect kept: ' + JSON.stringify(shown));
      assert.ok(shown.w <= page.viewportSize().width, 'fits the screen');
      const og = await page.locator('meta[property="og:image"]').getAttribute('content');
      assert.equal(og, `${srv.url}/media/img/${name}-1600x900.jpg`);
      assert.equal(await page.locator('meta[name="twitter:card"]').getAttribute('content'), 'summary_large_image');
      const sw = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(sw <= page.viewportSize().width, `${label} px: horizontal overflow, scrollWidth ${sw}`);
      assert.deepEqual(await axe(page, { runOnly: ['wcag2a', 'wcag2aa'] }), [], `axe at ${label} px`);
      await fig.screenshot({ path: join(resultsDir(), `images-figure-${label}.png`) });
      await page.screenshot({ path: join(resultsDir(), `images-story-${label}.png`), fullPage: true });
      await assertClean(assert, page);
    });
  }

  // The editor makes it the lead: it moves to the top of the story and beside the headline on
  // the home page (its smallest size), without overflow on a phone.
  await withPage(browser, {}, async (page) => {
    await page.goto(srv.url + '/login');
    const login = page.locator('main .account-form form');
    await login.getByLabel('电子邮件/用户名').fill(EMAIL);
    await login.getByLabel('密码', { exact: true }).fill(PW);
    await submit(page, login.getByRole('button', { name: '登录' }));
    await page.goto(`${srv.url}/newsroom/story/${id}`);
    await submit(page, page.locator(`li.nr-pic[data-name="${name}"]`).getByRole('button', { name: '设为主图' }));
    assert.equal(await page.locator(`li.nr-pic[data-name="${name}"] .nr-lead`).textContent(), '主图');
  });
  await withPage(browser, { ...PHONE, locale: 'en-GB' }, async (page) => {
    await page.goto(`${srv.url}/story/${id}/en`);
    assert.equal(await page.locator('article figure.fig').count(), 1, 'shown once');
    assert.equal(await page.locator('article figure.fig.lead figcaption').textContent(), 'The quay at 6 a.m.');
    await page.goto(srv.url + '/');
    const thumb = page.locator('li.has-thumb .thumb img');
    await thumb.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => { const i = document.querySelector('li.has-thumb .thumb img'); return i.complete && i.naturalWidth > 0; });
    assert.match(await thumb.evaluate((i) => i.currentSrc), new RegExp(`/media/img/${name}-480x270\\.webp$`));
    const sw = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(sw <= 375, `home at 375 px: horizontal overflow, scrollWidth ${sw}`);
    await page.locator('li.has-thumb').screenshot({ path: join(resultsDir(), 'images-home-375.png') });
    await assertClean(assert, page);
  });
});
