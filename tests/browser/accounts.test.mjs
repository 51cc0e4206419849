// Reader accounts in a real browser: the /register form, the header's sign-in dialog (an accessible
// modal), remember-me across a browser restart, phone sign-in with the SMS countdown and binding an
// email, axe-core on every account page, and screenshots. One server without demo stories, in --dev
// mode (/dev/outbox). Requests all come from 127.0.0.1 and the server allows one SMS a minute per
// client address, so exactly ONE SMS is sent per run (in the phone test, which also checks the
// countdown). The tests run in order: the later ones sign in as the reader the first one registers.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer } from '../integration/server.mjs';
import { withPage, launch, newContext, assertClean, until, axe, resultsDir, DESKTOP, PHONE } from './lib.mjs';

const PW = 'correct horse battery';
const READER = { email: 'reader@example.com', username: 'reader1' };
const PHONE_NO = '13800138000', PHONE_E164 = '+8613800138000';
const BOUND_EMAIL = 'phone.reader@example.com';

let srv, browser;

before(async () => {
  [srv, browser] = await Promise.all([startServer({ demo: false, args: ['--dev'] }), launch()]);
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});


const dialogOpen = (page) => until(page, () => document.getElementById('signin-dlg')?.open === true, null, 3000);
const dialogClosed = (page) => until(page, () => document.getElementById('signin-dlg')?.open === false, null, 3000);
// Where the focus is: inside the dialog? which element (id, class or text)?
const focusInfo = (page) => page.evaluate(() => {
  const a = document.activeElement, dlg = document.getElementById('signin-dlg');
  return { inside: !!dlg && dlg.contains(a), id: a.id || a.className || a.textContent.trim() };
});
// Submit a form by clicking its button and wait for the page that answers (a redirect's target).
const submit = (page, button) => Promise.all([page.waitForEvent('load'), button.click()]);
// The errors the server rendered (page and field level), for assertion messages.
const pageErrors = (page) => page.evaluate(() =>
  [...document.querySelectorAll('.form-error, .field-error')].map((e) => e.textContent.trim()).join(' | '));

async function signInOnLoginPage(page) {
  await page.goto(srv.url + '/login');
  const form = page.locator('main .account-form form');
  await form.getByLabel('电子邮件/用户名').fill(READER.username);
  await form.getByLabel('密码', { exact: true }).fill(PW);
  await submit(page, form.getByRole('button', { name: '登录' }));
  assert.equal(await page.locator('header a.account-link').count(), 1, 'signed in: ' + await pageErrors(page));
}

describe('reader accounts', () => {
  test('register through the /register form → the account page shows the email', async () => {
    await withPage(browser, {}, async (page) => {
      await page.goto(srv.url + '/register');
      // Submitted empty first: field errors, in red, tied to their inputs.
      await submit(page, page.getByRole('button', { name: '免费注册' }));
      const err = await page.evaluate(() => {
        const i = document.querySelector('#f-email'), e = document.getElementById(i.getAttribute('aria-describedby'));
        return { invalid: i.getAttribute('aria-invalid'), text: e && e.textContent, color: e && getComputedStyle(e).color,
          border: getComputedStyle(i).borderTopColor, n: document.querySelectorAll('[aria-invalid="true"]').length };
      });
      assert.equal(err.invalid, 'true', JSON.stringify(err));
      assert.ok(err.text && err.n >= 1, JSON.stringify(err));
      assert.equal(err.color, 'rgb(179, 38, 30)', 'field errors are red');
      assert.equal(err.border, 'rgb(179, 38, 30)', 'invalid inputs have a red border');
      await page.screenshot({ path: join(resultsDir(), 'register-errors-1280.png'), fullPage: true });
      page.problems = page.problems.filter((p) => !/status of 400/.test(p)); // the refused form's own status

      const form = page.locator('.account-form'); // (the closed dialog has labelled fields too)
      await form.getByLabel('电子邮件').fill(READER.email);
      await form.getByLabel('用户名').fill(READER.username);
      await form.getByLabel('新密码').fill(PW);
      await page.check('#f-agree');
      await submit(page, page.getByRole('button', { name: '免费注册' }));
      assert.equal(new URL(page.url()).pathname, '/account', await pageErrors(page));
      await page.locator('.account dl').getByText(READER.email, { exact: true }).waitFor();
      assert.equal(await page.locator('header a.account-link').count(), 1);
      await assertClean(assert, page);
    });
  });

  test('sign out, sign in through the header dialog; remember-me survives a browser restart', async () => {
    const ctx = await newContext(browser);
    let cookies;
    try {
      const page = await ctx.newPage();
      await signInOnLoginPage(page);
      await page.goto(srv.url + '/account');
      await submit(page, page.getByRole('button', { name: '退出登录', exact: true }));
      const open = page.locator('header a.signin-open');
      assert.equal(await open.textContent(), '登录', 'signed out');
      await page.goto(srv.url + '/');
      await page.getByRole('link', { name: '登录' }).click();
      assert.ok(await dialogOpen(page), 'the dialog opens');
      assert.match(new URL(page.url()).pathname, /^\/$/, 'the link did not navigate');
      const dlg = page.locator('#signin-dlg');
      await dlg.getByLabel('电子邮件/用户名').fill(READER.email);
      await dlg.getByLabel('密码', { exact: true }).fill(PW);
      assert.equal(await dlg.getByLabel('记住我').isChecked(), true, '记住我 is ticked by default');
      await submit(page, dlg.getByRole('button', { name: '登录' }));
      assert.equal(new URL(page.url()).pathname, '/', 'back where the dialog was opened');
      await page.locator('header a.account-link').waitFor();
      await assertClean(assert, page);
      cookies = await ctx.cookies();
    } finally {
      await ctx.close();
    }
    const names = cookies.map((c) => c.name);
    assert.ok(names.includes('gz_sid') && names.includes('gz_rm'), names.join(' '));
    assert.ok(cookies.find((c) => c.name === 'gz_sid').expires === -1, 'gz_sid is a session cookie');
    // The browser closes: session cookies go, the persistent remember-me cookie stays.
    const ctx2 = await newContext(browser);
    try {
      await ctx2.addCookies(cookies.filter((c) => c.name !== 'gz_sid'));
      const page = await ctx2.newPage();
      const resp = await page.goto(srv.url + '/account');
      assert.equal(new URL(page.url()).pathname, '/account', 'still signed in (remember-me)');
      assert.equal(resp.status(), 200);
      await page.locator('.account dl').getByText(READER.email, { exact: true }).waitFor();
      assert.ok((await ctx2.cookies()).some((c) => c.name === 'gz_sid'), 'a new session');
    } finally {
      await ctx2.close();
    }
  });

  test('the sign-in dialog is an accessible modal', async () => {
    await withPage(browser, {}, async (page) => {
      await page.goto(srv.url + '/');
      const link = page.locator('header a.signin-open');
      assert.equal(await link.getAttribute('aria-haspopup'), 'dialog');
      await link.click();
      assert.ok(await dialogOpen(page));
      assert.deepEqual(await focusInfo(page), { inside: true, id: 'd-login' }, 'focus on the first field');
      assert.equal(await page.evaluate(() => document.getElementById('signin-dlg').matches(':modal')), true);
      // every visible input has a label, and Playwright finds them by it
      assert.deepEqual(await page.$$eval('#signin-dlg input:not([type=hidden])', (l) => l.filter((i) => !i.labels.length).map((i) => i.id)), []);
      const dlg = page.locator('#signin-dlg');
      assert.equal(await dlg.getByLabel('电子邮件/用户名').getAttribute('id'), 'd-login');
      assert.equal(await dlg.getByLabel('密码', { exact: true }).getAttribute('id'), 'd-password');
      // Tab cycles through every control and wraps; Shift+Tab goes back round the other way
      const n = await page.$$eval('#signin-dlg :is(a[href],button,input:not([type=hidden]))', (l) => l.length);
      const seen = [];
      for (let i = 0; i < n; i++) {
        await page.keyboard.press('Tab');
        const f = await focusInfo(page);
        assert.ok(f.inside, `Tab ${i + 1}: focus left the dialog (${f.id})`);
        seen.push(f.id);
      }
      assert.equal(seen[n - 1], 'd-login', `after ${n} Tabs back to the first field: ${seen.join(', ')}`);
      assert.equal(seen[n - 2], 'dlg-close');
      await page.keyboard.press('Shift+Tab');
      assert.deepEqual(await focusInfo(page), { inside: true, id: 'dlg-close' }, 'Shift+Tab from the first wraps to the last');
      await page.keyboard.press('Shift+Tab');
      assert.ok((await focusInfo(page)).inside);
      await page.keyboard.press('Escape');
      assert.ok(await dialogClosed(page), 'Esc closes');
      assert.equal(await page.evaluate(() => document.activeElement.className), 'signin-open', 'focus back on 登录');
      // from the keyboard: Enter on the link opens it; the × button closes it
      await page.keyboard.press('Enter');
      assert.ok(await dialogOpen(page), 'Enter on the link opens it');
      await dlg.getByRole('button', { name: '关闭' }).click();
      assert.ok(await dialogClosed(page), '× closes');
      assert.equal(await page.evaluate(() => document.activeElement.className), 'signin-open');
      await assertClean(assert, page);
    });
  });

  test('phone: code by SMS (with the resend countdown), sign in, bind an email and password', async () => {
    await withPage(browser, {}, async (page, ctx) => {
      await page.goto(srv.url + '/phone');
      const form = page.locator('.account-form');
      await form.getByLabel('手机号码').fill(PHONE_NO);
      await submit(page, page.getByRole('button', { name: '获取验证码' }));
      const sent = Date.now();
      // the only SMS of the run: the countdown shows at once and the resend button is disabled
      const wait = page.locator('.actions button:disabled');
      await wait.waitFor({ timeout: 3000 });
      const t1 = await wait.textContent(), s1 = +(t1.match(/^(\d+)秒后重新获取$/) || [])[1];
      assert.ok(s1 > 50 && s1 <= 60, `countdown text: ${t1} (${await pageErrors(page)})`);
      const verify = form.getByRole('button', { name: '验证', exact: true });
      assert.equal(await verify.isEnabled(), true, 'the code can be entered at once');
      assert.ok(await until(page, (s) => {
        const b = document.querySelector('.actions button:disabled');
        return b && +b.textContent.match(/\d+/)[0] < s;
      }, s1, 3000), 'the countdown counts down');
      assert.ok(Date.now() - sent < 5000);
      await page.screenshot({ path: join(resultsDir(), 'phone-code-1280.png'), fullPage: true });
      // the code from the development outbox (newest first)
      const box = await ctx.newPage();
      await box.goto(srv.url + '/dev/outbox');
      const sms = await box.locator(`li.msg[data-kind="sms"][data-to="${PHONE_E164}"] pre.body`).first().textContent();
      await box.close();
      const code = (sms.match(/\b(\d{6})\b/) || [])[1];
      assert.ok(code, sms);
      await form.getByLabel('6位验证码').fill(code);
      await page.check('#f-agree');
      await submit(page, verify);
      assert.equal(new URL(page.url()).pathname, '/bind', await pageErrors(page));
      await form.getByLabel('电子邮件').fill(BOUND_EMAIL);
      await form.getByLabel('密码').fill('my own passphrase');
      await submit(page, page.getByRole('button', { name: '绑定' }));
      assert.equal(new URL(page.url()).pathname, '/account', await pageErrors(page));
      const dl = page.locator('.account dl');
      await dl.getByText(BOUND_EMAIL, { exact: true }).waitFor();
      await dl.getByText(PHONE_E164).waitFor();
      await assertClean(assert, page);
    });
  });

  test('axe-core: no violations on the account pages and with the sign-in dialog open', async () => {
    // bypassCSP: axe is injected as an inline script, which the site's CSP rightly forbids
    await withPage(browser, { bypassCSP: true }, async (page) => {
      const found = [];
      const check = async (label) => {
        const v = await axe(page);
        if (v.length) found.push(`${label}:\n    ${v.join('\n    ')}`);
      };
      await page.goto(srv.url + '/');
      await page.click('header a.signin-open');
      assert.ok(await dialogOpen(page));
      await check('/ with the sign-in dialog open');
      for (const path of ['/login', '/register', '/phone', '/forgot', '/terms', '/privacy']) {
        await page.goto(srv.url + path);
        await check(path);
      }
      await page.goto(srv.url + '/register');
      await page.getByRole('button', { name: '免费注册' }).click();
      await page.waitForSelector('.field-error');
      await check('/register with errors');
      await signInOnLoginPage(page);
      for (const path of ['/account', '/bind']) {
        await page.goto(srv.url + path);
        assert.equal(new URL(page.url()).pathname, path);
        await check(path + ' (signed in)');
      }
      await page.setViewportSize(PHONE.viewport);
      await page.goto(srv.url + '/account');
      await check('/account at 375');
      assert.equal(found.length, 0, 'axe violations:\n  ' + found.join('\n  '));
    });
  });

  test('screenshots of /login, /account and the open dialog at 1280 and 375 → test-results/', async () => {
    const dir = resultsDir();
    for (const [name, opts] of [['1280', DESKTOP], ['375', PHONE]]) {
      await withPage(browser, opts, async (page) => {
        const shot = async (file, path, full = true) => {
          await page.screenshot({ path: join(dir, `${file}-${name}.png`), fullPage: full });
          const sw = await page.evaluate(() => document.documentElement.scrollWidth);
          assert.ok(sw <= opts.viewport.width, `${path} at ${name}: horizontal overflow, scrollWidth ${sw}`);
          await assertClean(assert, page, path);
        };
        await page.goto(srv.url + '/');
        await page.click('header a.signin-open');
        assert.ok(await dialogOpen(page));
        await shot('signin-dialog', '/ (dialog)', false);
        await page.keyboard.press('Escape');
        for (const path of ['/login', '/phone', '/terms']) {
          await page.goto(srv.url + path);
          await shot(path.slice(1), path);
        }
        await signInOnLoginPage(page);
        await page.goto(srv.url + '/account');
        await shot('account', '/account');
        await page.goto(srv.url + '/dev/outbox');
        await shot('outbox', '/dev/outbox');
      });
    }
  });
});
