// Shared helpers for the browser tests (not a test file itself: node --test only runs *.test.mjs).
// One headless Chromium (playwright-core, the system /usr/bin/chromium), many short-lived contexts.
import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';

const require = createRequire(import.meta.url);
export const AXE_PATH = require.resolve('axe-core/axe.min.js');
// In make test's second run (every server on PostgreSQL), suites about the front end alone
// (layout, theme, keys, speeds, axe, screenshots) are skipped: the backends render the same
// HTML from the same data, and the SQLite run has checked it. Flows that read or write the
// store (accounts, newsroom, pictures, positions, read-along, offline) run on both.
export const FRONT_END_ONLY = process.env.GAZETTE_TEST_PG
  ? { skip: 'front end only: the same HTML on both backends, checked in the SQLite run' } : {};
export const RESULTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export const DESKTOP = { viewport: { width: 1280, height: 800 } };
export const PHONE = { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
  });
}

export function resultsDir() {
  mkdirSync(RESULTS, { recursive: true });
  return RESULTS;
}

// A fresh context (cookies, permissions and the viewport are per context), Chinese UI by default.
// Every page opened in it records console errors, uncaught exceptions and CSP violations (the
// securitypolicyviolation event; Chromium also logs each one as a console error).
// A page in a fresh context of browser, closed after fn (also when fn throws).
export async function withPage(browser, opts, fn) {
  const ctx = await newContext(browser, opts);
  try {
    return await fn(await ctx.newPage(), ctx);
  } finally {
    await ctx.close();
  }
}

export async function newContext(browser, opts = {}) {
  const ctx = await browser.newContext({ ...DESKTOP, locale: 'zh-CN', reducedMotion: 'reduce', ...opts });
  ctx.setDefaultTimeout(10000);
  ctx.setDefaultNavigationTimeout(15000);
  if (opts.javaScriptEnabled !== false) {
    await ctx.addInitScript(() => {
      window.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) => {
        window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} in ${e.sourceFile || '?'}`);
      });
    });
  }
  ctx.on('page', watch);
  return ctx;
}

function watch(page) {
  page.problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') page.problems.push(`console.error: ${m.text()} (${m.location().url || '?'})`);
  });
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
}

export async function problems(page) {
  const csp = await page.evaluate(() => window.__csp || []).catch(() => []);
  return [...page.problems, ...csp.map((c) => 'CSP: ' + c)];
}

export async function assertClean(assert, page, label = page.url()) {
  const p = await problems(page);
  assert.deepEqual(p, [], `${label}: console errors / exceptions / CSP violations:\n  ${p.join('\n  ')}`);
}

// Wait for a condition in the page; returns false on timeout instead of throwing, so the caller's
// assertion can print what the page actually looked like.
export async function until(page, fn, arg, timeout = 5000) {
  try {
    await page.waitForFunction(fn, arg, { timeout, polling: 'raf' });
    return true;
  } catch (e) {
    if (/Timeout/i.test(e.message)) return false;
    throw e;
  }
}

// Article page with the app's player built and the audio's metadata loaded.
export async function openStory(page, url) {
  const resp = await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => document.querySelector('.pbar') &&
    document.querySelector('audio').readyState >= 1, null, { timeout: 15000 });
  return resp;
}

// Seek and resolve after the media element's `seeked` event has been handled (app.js listens first,
// so its highlight is up to date), plus one task for good measure. Bounded by a timeout.
export function seek(page, t) {
  return page.evaluate((t) => new Promise((resolve, reject) => {
    const a = document.querySelector('audio');
    const timer = setTimeout(() => reject(new Error(`no seeked event after currentTime = ${t}`)), 5000);
    a.addEventListener('seeked', () => { clearTimeout(timer); setTimeout(resolve, 0); }, { once: true });
    a.currentTime = t;
  }), t);
}

export function pause(page) {
  return page.evaluate(() => new Promise((resolve) => {
    const a = document.querySelector('audio');
    if (a.paused) return resolve();
    a.addEventListener('pause', () => setTimeout(resolve, 0), { once: true });
    a.pause();
  }));
}

// What is highlighted now: the .s.now spans, aria-current, .pair.now, and any untimed row marked.
export function highlighted(page) {
  return page.evaluate(() => {
    const now = [...document.querySelectorAll('.s.now')];
    const pairOf = (e) => (e.closest('.pair') ? e.closest('.pair').getAttribute('data-pair') : null);
    return {
      t: now.map((e) => e.getAttribute('data-t')),
      current: [...document.querySelectorAll('[aria-current="true"]')].map((e) => e.getAttribute('data-t')),
      currentOk: now.every((e) => e.getAttribute('aria-current') === 'true'),
      pairs: [...document.querySelectorAll('.pair.now')].map((e) => e.getAttribute('data-pair')),
      pairOfNow: now.map(pairOf),
      untimed: document.querySelectorAll('.s.now:not([data-t]), .s[aria-current]:not([data-t])').length,
      time: document.querySelector('audio').currentTime,
    };
  });
}

// Timed sentences in document order: data-t as written, and as a number.
export function sentences(page) {
  return page.evaluate(() => [...document.querySelectorAll('#transcript .s[data-t]')]
    .map((e) => ({ t: e.getAttribute('data-t'), n: parseFloat(e.getAttribute('data-t')) })));
}

// Inject axe-core (needs a context with bypassCSP: the page's CSP forbids the inline script tag
// Playwright adds) and return the violations, formatted for an assertion message.
export async function axe(page, opts = {}) {
  if (!(await page.evaluate(() => !!window.axe))) await page.addScriptTag({ path: AXE_PATH });
  const r = await page.evaluate((o) => window.axe.run(document, { resultTypes: ['violations'], ...o }), opts);
  return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n` + v.nodes.slice(0, 5)
    .map((n) => `      ${n.target.join(' ')} :: ${(n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 300)}`)
    .join('\n'));
}

// Click a point on the first line box of an inline element (a wrapped sentence's bounding box centre
// may fall on a neighbouring sentence).
export async function clickFirstLine(page, selector) {
  const pos = await page.$eval(selector, (e) => {
    e.scrollIntoView({ block: 'center' });
    const bb = e.getBoundingClientRect(), r = e.getClientRects()[0];
    return { x: r.left - bb.left + Math.min(12, r.width / 2), y: r.top - bb.top + r.height / 2 };
  });
  await page.click(selector, { position: pos });
}
