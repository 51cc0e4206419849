// The zh UI speaks Chinese throughout (issue 11): activity events, device names read from the
// User-Agent, an unset username; the search page has one search landmark and a hit count.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client } from './server.mjs';

let srv;
const PW = 'correct horse battery';
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

before(async () => { srv = await startServer({ demo: true, args: ['--dev'] }); });
after(async () => { await srv?.stop(); });

test('account page: events, details and devices in the UI language', async () => {
  const c = new Client(srv.url, { 'user-agent': UA });
  await c.get('/register');
  const r = await c.post('/register', { email: 'polish@example.com', username: 'polish', password: PW, agree: '1' });
  assert.equal(r.status, 303);
  await c.post('/logout', {});
  await c.get('/login');
  const li = await c.post('/login', { login: 'polish@example.com', password: PW });
  assert.equal(li.status, 303);
  const zh = (await c.get('/account')).text;
  assert.match(zh, /<td data-event="register">注册<\/td>/);
  assert.match(zh, /<td data-event="sign-in">登录<\/td><td>[^<]*<\/td><td>密码<\/td>/);
  assert.match(zh, /<span class="ua">Linux 上的 Chrome<\/span>/);
  assert.doesNotMatch(zh, /<td>(sign-in|register|password)<\/td>/);
  const en = (await c.get('/account', { cookie: c.cookieHeader() + '; gz_ui=en' })).text;
  assert.match(en, /<td data-event="sign-in">Signed in<\/td><td>[^<]*<\/td><td>password<\/td>/);
  assert.match(en, /<span class="ua">Chrome on Linux<\/span>/);
});

test('search: one search landmark and a hit count in both languages', async () => {
  const c = new Client(srv.url);
  const zh = (await c.get('/search?q=' + encodeURIComponent('电池'))).text;
  assert.equal(zh.match(/role="search"/g).length, 1, 'one search landmark');
  const n = (zh.split('<ul class="briefs">')[1].split('</ul>')[0].match(/<li>/g) || []).length;
  assert.ok(n > 0, 'the demo has a story about batteries');
  assert.match(zh, new RegExp(`<p class="hits" role="status">找到 ${n} 篇</p>`));
  const en = (await c.get('/search?q=zzzzqqq', { cookie: 'gz_ui=en' })).text;
  assert.match(en, /<p class="hits" role="status">0 results<\/p>/);
});
