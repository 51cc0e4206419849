// The newsroom in a real browser, as an editor: write a bilingual story with the editor form,
// autosave (and its conflict stop), upload an English narration with progress, follow the timing
// job in the page, review the timing on the waveform (nudge, drag, play a sentence), save,
// preview, publish; then as a reader the nudged start drives the highlight. Also a quiz from the
// newsroom answered by a reader, axe-core on every page, and screenshots. One server, no demo
// content; the editor account is created with `gazette user add` before it starts.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startServer, gazette } from '../integration/server.mjs';
import {
  withPage, launch, assertClean, until, openStory, seek, highlighted, sentences, axe, resultsDir, PHONE,
} from './lib.mjs';

const EMAIL = 'ed@example.com', PW = 'editor pass phrase';
const CORPUS = process.env.GZ_CORPUS || resolve('..', 'shared', 'corpus', 'dev'); // dev01.flac + dev01.txt when present
const ZH_BODY = '港口表示吞吐量连续三个月上升。\n\n运价再次下跌，承运人削减了航班。\n\n分析人士预计明年运力仍将过剩。';
const QUIZ = {
  gazette_quiz: 1, slug: 'browser-quiz', published: '2026-11-27T12:00:00Z',
  title: { zh: '浏览器小测', en: 'Browser quiz' },
  questions: [
    { question: { zh: '一加一等于几？', en: 'One plus one?' }, answer: { zh: '二', en: 'Two' },
      wrong: [{ zh: '一', en: 'One' }, { zh: '三', en: 'Three' }, { zh: '四', en: 'Four' }], explain: { zh: '算术。', en: 'Arithmetic.' } },
    { question: { zh: '一周有几天？', en: 'Days in a week?' }, answer: { zh: '七', en: 'Seven' },
      wrong: [{ zh: '五', en: 'Five' }, { zh: '六', en: 'Six' }, { zh: '八', en: 'Eight' }], explain: { zh: '常识。', en: 'Common knowledge.' } },
  ],
};

let srv, browser, dir, audioFile, enBody;
const state = {}; // story id, nudged start, quiz id: the tests run in order

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gz-nrb-'));
  const r = gazette(['user', 'add', '--data', join(dir, 'data'), '--role', 'editor', '--password-stdin', EMAIL], { input: PW + '\n' });
  assert.equal(r.status, 0, r.stderr);
  if (existsSync(join(CORPUS, 'dev01.flac'))) {
    audioFile = join(CORPUS, 'dev01.flac');
    enBody = readFileSync(join(CORPUS, 'dev01.txt'), 'utf8').trim().split('\n').join('\n\n');
  } else {
    const lines = ['The harbour said traffic rose for a third month.', 'Rates fell again.',
      'Carriers cancelled several sailings in December.', 'Analysts expect a glut of ships next year.'];
    audioFile = join(dir, 'speech.wav');
    execFileSync('espeak-ng', ['-v', 'en', '-w', audioFile, lines.join(' ')]);
    enBody = lines.join('\n\n');
  }
  [srv, browser] = await Promise.all([startServer({ demo: false, dataDir: join(dir, 'data') }), launch()]);
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});


// Click and wait for the page the click navigates to.
const submit = (page, locator) => Promise.all([page.waitForEvent('load'), locator.click()]);
const text = (page, sel) => page.locator(sel).first().textContent().then((t) => t.trim());
const version = (page) => page.locator('form.nr-story input[name="version"]').inputValue();

async function signIn(page) {
  await page.goto(srv.url + '/login');
  const form = page.locator('main .account-form form');
  await form.getByLabel('电子邮件/用户名').fill(EMAIL);
  await form.getByLabel('密码', { exact: true }).fill(PW);
  await submit(page, form.getByRole('button', { name: '登录' }));
  assert.equal(await page.locator('header a.account-link').count(), 1, 'signed in');
}

// Records, across reloads of the tab, that a <progress> appeared in the upload or job status.
function recordProgress() {
  new MutationObserver((list) => {
    for (const m of list) for (const n of m.addedNodes) {
      if (n.nodeName !== 'PROGRESS') continue;
      const where = n.closest('.nr-up') ? 'upload' : n.closest('.job') ? 'job' : 'other';
      sessionStorage.setItem('progress-' + where, '1');
    }
  }).observe(document, { childList: true, subtree: true });
}

const noOverflow = async (page, label) => {
  const sw = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(sw <= page.viewportSize().width, `${label}: horizontal overflow, scrollWidth ${sw}`);
};

describe('newsroom', () => {
  test('write, autosave, narrate, review timing, publish; the reader hears the nudged start', async () => {
    await withPage(browser, {}, async (page, ctx) => {
      const dialogs = [];
      page.on('dialog', (d) => { dialogs.push(d.type()); d.accept().catch(() => {}); });
      await ctx.addInitScript(recordProgress);
      let autosaves = 0;
      page.on('request', (r) => { if (r.url().endsWith('/autosave')) autosaves++; });
      await signIn(page);

      // A new bilingual story through the editor form.
      await page.goto(srv.url + '/newsroom');
      await submit(page, page.getByRole('link', { name: '新建文章' }));
      const form = page.locator('form.nr-story');
      await form.getByLabel('标识（a-z、0-9、-）').fill('printing-browser');
      await form.getByLabel('或新建栏目：标识、中文名、英文名').fill('books, 读书, Books');
      const zh = form.locator('fieldset[lang="zh-CN"]'), en = form.locator('fieldset[lang="en"]');
      await zh.getByLabel('标题').fill('印刷术的起源');
      await zh.getByLabel(/^正文/).fill(ZH_BODY);
      await en.getByLabel('标题').fill('On printing');
      await en.getByLabel(/^正文/).fill(enBody);
      await submit(page, page.getByRole('button', { name: '保存草稿' }));
      const m = page.url().match(/\/newsroom\/story\/(\d+)\?saved=1$/);
      assert.ok(m, 'saved: ' + page.url() + ' ' + await page.locator('.form-error').allTextContents());
      const id = state.id = m[1];
      assert.equal(await text(page, '.form-status'), '已保存。');

      // Autosave: about 2 s after typing stops; the version moves on.
      const v0 = Number(await version(page));
      const t0 = Date.now();
      await en.getByLabel('导语').pressSequentially('Movable type, briefly.', { delay: 5 });
      const typed = Date.now();
      assert.ok(await until(page, () => /^已自动保存 \d\d:\d\d:\d\d$/.test(document.querySelector('.form-status').textContent), null, 8000),
        'autosave status: ' + await text(page, '.form-status'));
      assert.ok(Date.now() - typed >= 1500, `debounced (${Date.now() - typed} ms after typing, ${typed - t0} ms typing)`);
      assert.equal(autosaves, 1, 'one autosave request');
      assert.equal(Number(await version(page)), v0 + 1);

      // Someone else saves meanwhile: the next autosave (at most one per 10 s) is refused, shown,
      // and autosave stops.
      const st = await page.evaluate(async () => {
        const f = document.querySelector('form.nr-story'), b = new URLSearchParams(new FormData(f));
        const r = await fetch(f.getAttribute('data-autosave'), { method: 'POST', body: b });
        return r.status;
      });
      assert.equal(st, 200);
      await en.getByLabel('署名').pressSequentially('By A. Tester', { delay: 5 });
      assert.ok(await until(page, () => document.querySelector('.nr-autosave.conflict[role="alert"]'), null, 13000), 'conflict shown');
      assert.match(await text(page, '.nr-autosave'), /其他编辑已保存了这篇文章/);
      const after409 = autosaves;
      await en.getByLabel('署名').pressSequentially(' Jr', { delay: 5 });
      await page.waitForTimeout(2600);
      assert.equal(autosaves, after409, 'no autosave after a conflict');
      // Leaving with unsaved text asks first (beforeunload), then a fresh copy.
      await page.reload({ waitUntil: 'load' });
      assert.deepEqual(dialogs, ['beforeunload'], 'beforeunload warning');
      assert.equal(await en.getByLabel('署名').inputValue(), '', 'the refused byline was not saved');

      // A file over 200 MB is refused in the page (the server refuses it too).
      const en_ = page.locator('section.nr-narration[aria-labelledby="nar-en"]');
      await page.evaluate(() => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(201 * 1024 * 1024)], 'huge.wav', { type: 'audio/wav' }));
        const input = document.getElementById('up-en');
        input.files = dt.files;
        input.form.requestSubmit();
      });
      await en_.locator('.nr-up.err').waitFor();
      assert.match(await text(page, '#up-en ~ .nr-up'), /201 MB，超过 200 MB 上限/);

      // Upload the recording: progress while it uploads, then the editor with the job.
      await en_.getByLabel(/^上传录音/).setInputFiles(audioFile);
      await Promise.all([page.waitForURL(/\/newsroom\/story\/\d+\?job=\d+$/, { timeout: 15000 }),
        en_.getByRole('button', { name: '上传并对齐' }).click()]);
      const job = page.locator('p.job[data-job$="/job/en"]');
      await job.locator('a[href$="/timing/en"]').waitFor({ timeout: 40000 });
      const jobText = await job.textContent();
      assert.match(jobText, /对齐任务 #\d+ · 已完成，用时 [\d.]+ 秒，\d+ 句待核对/);
      const seen = await page.evaluate(() => ({ up: sessionStorage.getItem('progress-upload'), job: sessionStorage.getItem('progress-job') }));
      assert.equal(seen.up, '1', 'upload progress bar shown');
      console.log(`# job: ${jobText.trim()}; progress bar seen while the job ran: ${!!seen.job}`);
      // The narration box now has the audio; the job's write did not leave the form behind.
      await en_.locator('audio').waitFor({ state: 'attached' });
      await zh.getByLabel('导语').fill('简述活字印刷。');
      assert.ok(await until(page, () => /^已自动保存/.test(document.querySelector('.form-status').textContent) &&
        !document.querySelector('.nr-autosave'), null, 8000), 'autosave after the job: ' + await page.locator('.nr-autosave').allTextContents());
      // A window as tall as the page, so the sticky action bar sits where it ends (a full-page
      // screenshot would paint it where the 800 px viewport ends, over the form).
      await page.setViewportSize({ width: 1280, height: await page.evaluate(() => document.documentElement.scrollHeight) });
      await page.screenshot({ path: join(resultsDir(), 'newsroom-editor-1280.png') });
      await page.setViewportSize({ width: 1280, height: 800 });
      const expected = page.problems.filter((p) => /status of 409 .*\/autosave\)$/.test(p));
      assert.equal(expected.length, 1, 'the refused autosave');
      page.problems = page.problems.filter((p) => !expected.includes(p));
      await assertClean(assert, page, 'editor');

      // Timing review.
      await submit(page, job.getByRole('link', { name: '校对时间' }));
      assert.equal(new URL(page.url()).pathname, `/newsroom/story/${id}/timing/en`);
      const canvas = page.getByRole('img', { name: /波形/ });
      await canvas.waitFor();
      assert.ok(await until(page, () => {
        const c = document.querySelector('canvas.nr-canvas');
        if (!c.width) return false;
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) n += d[i] > 0;
        return n > c.width * 4; // bars and markers drawn
      }, null, 5000), 'waveform drawn');
      const rows = page.locator('form.nr-timing tr.seg');
      const n = await rows.count();
      assert.ok(n >= 3, 'sentences: ' + n);
      const start = (k) => page.locator(`input[name="t${k}"]`).inputValue().then(Number);
      const s1 = await start(1), s2 = await start(2), s3 = await start(3);
      assert.ok(s1 > 0 && s2 > s1 && s3 > s2, `increasing: ${s1} ${s2} ${s3}`);

      // Drag the third marker far right: it stops just before the fourth.
      const box = await canvas.boundingBox();
      const dur = await page.evaluate(() => fetch(document.querySelector('.nr-wave').dataset.peaks).then((r) => r.json()).then((j) => j.duration));
      const xOf = (t) => box.x + (t / dur) * box.width;
      await page.mouse.move(xOf(s2), box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(xOf(s3) + 40, box.y + box.height / 2, { steps: 4 });
      await page.mouse.move(xOf(s3) + 80, box.y + box.height / 2, { steps: 2 });
      await page.mouse.up();
      assert.equal(await start(2), Math.round((s3 - 0.01) * 1000) / 1000, 'clamped below the next start');
      await page.locator('input[name="t2"]').fill(String(s2));

      // Nudge the second sentence by +50 ms with its button.
      await page.getByRole('button', { name: '+50 ms（第 2 句）' }).click();
      const nudged = state.nudged = Math.round((s1 + 0.05) * 1000) / 1000;
      assert.equal(await start(1), nudged);
      await page.screenshot({ path: join(resultsDir(), 'newsroom-timing-1280.png'), fullPage: true });

      // Clicking a sentence plays it from its start and stops at the next start.
      await rows.nth(1).locator('td.text').click();
      assert.ok(await until(page, () => !document.getElementById('nr-audio').paused, null, 5000), 'playing');
      const playing = await page.evaluate(() => ({ t: document.getElementById('nr-audio').currentTime,
        now: [...document.querySelectorAll('tr.seg')].findIndex((r) => r.classList.contains('now')) }));
      assert.ok(playing.t >= nudged - 0.05 && playing.t < s2, JSON.stringify(playing));
      assert.equal(playing.now, 1, 'the row being played is marked');
      assert.ok(await until(page, () => document.getElementById('nr-audio').paused, null, (s2 - nudged) * 1000 + 4000), 'stopped');
      const stopped = await page.evaluate(() => document.getElementById('nr-audio').currentTime);
      assert.ok(Math.abs(stopped - s2) < 0.25, `stopped at the next start: ${stopped} vs ${s2}`);

      await submit(page, page.getByRole('button', { name: '保存时间' }));
      assert.equal(await text(page, '.form-status'), '已保存。', await page.locator('.form-error').allTextContents());
      assert.equal(await start(1), nudged);
      await assertClean(assert, page, 'timing');

      // Preview, then publish from the editor.
      await page.goto(`${srv.url}/newsroom/story/${id}/preview/en`);
      assert.equal(await text(page, 'h1'), 'On printing');
      assert.equal((await sentences(page))[1].n, nudged, 'preview has the new timing');
      await page.goto(`${srv.url}/newsroom/story/${id}`);
      await submit(page, page.getByRole('button', { name: '立即发布' }));
      assert.match(await text(page, 'h1'), /^已发布 #/);
      assert.equal(dialogs.length, 1, 'no leave warning after saving: ' + dialogs);
      await assertClean(assert, page, 'editor after publishing');
    });

    // A reader, signed out: the second sentence starts at the nudged time and seeking there lights it.
    await withPage(browser, {}, async (page) => {
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        status = (await page.request.get(`${srv.url}/story/${state.id}/en`)).status();
        if (status !== 200) await page.waitForTimeout(100);
      }
      assert.equal(status, 200, 'published');
      await openStory(page, `${srv.url}/story/${state.id}/en`);
      const ss = await sentences(page);
      assert.equal(ss[1].n, state.nudged, `data-t ${ss[1].t}`);
      await seek(page, state.nudged + 0.02);
      const h = await highlighted(page);
      assert.deepEqual(h.t, [ss[1].t], JSON.stringify(h));
      await assertClean(assert, page, 'reader');
    });
  });

  test('a quiz from the newsroom: a reader answers once and sees the verdicts and the score', async () => {
    await withPage(browser, {}, async (page) => {
      await signIn(page);
      await page.goto(srv.url + '/newsroom/quiz');
      // The quiz editor's form: slug, titles, then each question's texts.
      await page.locator('#nr-slug').fill(QUIZ.slug);
      await page.locator('#nr-publish_at').fill(QUIZ.published.slice(0, 16));
      await page.locator('#nr-title_zh').fill(QUIZ.title.zh);
      await page.locator('#nr-title_en').fill(QUIZ.title.en);
      for (const [i, q] of QUIZ.questions.entries()) {
        for (const lang of ['zh', 'en']) {
          await page.locator(`#nr-q${i}_question_${lang}`).fill(q.question[lang]);
          await page.locator(`#nr-q${i}_answer_${lang}`).fill(q.answer[lang]);
          for (const [k, w] of q.wrong.entries()) await page.locator(`#nr-q${i}_wrong${k + 1}_${lang}`).fill(w[lang]);
          await page.locator(`#nr-q${i}_explain_${lang}`).fill(q.explain[lang]);
        }
        if (q.story) await page.locator(`#nr-q${i}_story`).fill(q.story);
      }
      await submit(page, page.getByRole('button', { name: '立即发布' }));
      assert.equal(await text(page, '.form-status'), '已保存。', await page.locator('.form-error').allTextContents());
      await assertClean(assert, page, '/newsroom/quiz');
    });
    await withPage(browser, {}, async (page) => {
      let href = null;
      for (let i = 0; i < 50 && !href; i++) {
        await page.goto(srv.url + '/');
        href = await page.locator('.quiz-teaser a').first().getAttribute('href', { timeout: 200 }).catch(() => null);
      }
      assert.match(href || '', /^\/quiz\/\d+$/);
      state.quiz = href;
      await page.goto(srv.url + href);
      assert.equal(await text(page, 'h1'), '浏览器小测');
      await page.getByRole('group', { name: '一加一等于几？' }).getByLabel('二', { exact: true }).check();
      await page.getByRole('group', { name: '一周有几天？' }).getByLabel('六', { exact: true }).check();
      await submit(page, page.getByRole('button', { name: '提交答案' }));
      const result = async () => ({
        verdicts: await page.locator('.verdict').allTextContents(),
        score: await text(page, '.score'),
        form: await page.locator('form[action^="/quiz/"]').count(),
      });
      const want = { verdicts: ['回答正确', '回答错误，正确答案应为七'], score: '得分：1 / 2', form: 0 };
      assert.deepEqual(await result(), want);
      await page.goto(srv.url + href);
      assert.deepEqual(await result(), want, 'one attempt: the same result when opened again');
      await assertClean(assert, page, 'quiz');
    });
  });

  test('axe-core: no violations on the newsroom pages and the quiz; no overflow at 375 px', async () => {
    const found = [];
    const check = async (page, label) => {
      const v = await axe(page);
      if (v.length) found.push(`${label}:\n    ${v.join('\n    ')}`);
    };
    await withPage(browser, { bypassCSP: true }, async (page) => {
      await signIn(page);
      const pages = ['/newsroom', `/newsroom/story/${state.id}`, `/newsroom/story/${state.id}/timing/en`];
      for (const path of pages) {
        await page.goto(srv.url + path);
        if (path.includes('/timing/')) await page.locator('canvas.nr-canvas').waitFor();
        if (path.endsWith(state.id)) await page.locator('p.job[aria-busy="false"] a').waitFor();
        await check(page, path);
      }
      await page.setViewportSize(PHONE.viewport);
      for (const path of pages) {
        await page.goto(srv.url + path);
        await noOverflow(page, path + ' at 375');
        if (path !== '/newsroom') await page.screenshot({ path: join(resultsDir(), `newsroom-${path.includes('timing') ? 'timing' : 'editor'}-375.png`), fullPage: true });
      }
    });
    await withPage(browser, { bypassCSP: true }, async (page) => {
      await page.goto(srv.url + state.quiz);
      await check(page, state.quiz + ' (form)');
      for (const g of await page.getByRole('group').all()) await g.getByRole('radio').first().check();
      await submit(page, page.getByRole('button', { name: '提交答案' }));
      await page.locator('.score').waitFor();
      await check(page, state.quiz + ' (results)');
    });
    assert.equal(found.length, 0, 'axe violations:\n  ' + found.join('\n  '));
  });
});
