// Reader polish (issue 11): Chinese sentences follow each other without a space; the page fits a
// 375 px phone and a desktop at every font size, the headline never smaller than the standfirst.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../integration/server.mjs';
import { launch, newContext, assertClean } from './lib.mjs';

let srv, browser;

before(async () => {
  [srv, browser] = await Promise.all([startServer({ demo: true }), launch()]);
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function withPage(opts, fn) {
  const ctx = await newContext(browser, opts);
  try {
    return await fn(await ctx.newPage(), ctx);
  } finally {
    await ctx.close();
  }
}

describe('sentence spacing', () => {
  test('no space between Chinese sentences, one between English ones', async () => {
    await withPage({}, async (page) => {
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
