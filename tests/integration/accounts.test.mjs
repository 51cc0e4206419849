// Reader accounts end to end on the real binary: registration, sign-in, remember me, resets,
// phone codes and binding, the account page, the JSON API, throttling, CSRF and hostile input.
// The server's clock is moved with GAZETTE_CLOCK_FILE to test expiry.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, Client } from './server.mjs';

let srv, clockFile, offset = 0, ipSeq = 0;
const PW = 'correct horse battery';

function advance(seconds) { offset += seconds; writeFileSync(clockFile, String(offset)); }
// Each test uses its own client address (through the trusted proxy header), so per-client
// rate limits of one test do not leak into another.
function client() { return new Client(srv.url, { 'x-forwarded-for': `10.9.${(ipSeq >> 8) & 255}.${++ipSeq & 255}` }); }

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gz-acc-'));
  clockFile = join(dir, 'clock');
  writeFileSync(clockFile, '0');
  srv = await startServer({ demo: false, args: ['--dev', '--trust-proxy'], env: { GAZETTE_CLOCK_FILE: clockFile } });
});
after(async () => { await srv?.stop(); });

async function register(c, email, username, password = PW) {
  await c.get('/register');
  return c.post('/register', { email, username, password, agree: '1' });
}

async function outbox(kind, to) {
  const { text } = await new Client(srv.url).get('/dev/outbox');
  const items = [...text.matchAll(/<li class="msg" data-kind="(\w+)" data-to="([^"]*)">([\s\S]*?)<\/li>/g)]
    .filter((m) => m[1] === kind && m[2] === to);
  assert.ok(items.length, `no ${kind} to ${to} in the outbox`);
  return items[0][3].replace(/&amp;/g, '&');
}

describe('register and sign in', () => {
  test('registration: field-level errors, then success signs in and records the agreement', async () => {
    const c = client();
    const page = await c.get('/register');
    for (const f of ['name="email"', 'autocomplete="email"', 'name="username"', 'name="password"',
      'autocomplete="new-password"', 'name="agree"', 'href="/terms"', 'href="/privacy"', 'name="csrf"'])
      assert.ok(page.text.includes(f), f);
    const cases = [
      [{ email: 'not-an-email', username: 'carol', password: PW, agree: '1' }, 'e-email', /有效的电子邮件/],
      [{ email: 'carol@example.com', username: 'x', password: PW, agree: '1' }, 'e-username', /用户名须为/],
      [{ email: 'carol@example.com', username: 'carol', password: 'short', agree: '1' }, 'e-password', /至少需要8个字符/],
      [{ email: 'carol@example.com', username: 'carol', password: 'x'.repeat(129), agree: '1' }, 'e-password', /不能超过128/],
      [{ email: 'carol@example.com', username: 'carol', password: 'qwerty123', agree: '1' }, 'e-password', /过于常见/],
      [{ email: 'carol@example.com', username: 'carol', password: PW }, 'e-agree', /同意/],
    ];
    for (const [fields, id, re] of cases) {
      const r = await c.post('/register', fields);
      assert.equal(r.status, 400, JSON.stringify(fields));
      const m = r.text.match(new RegExp(`id="${id}">([^<]*)<`));
      assert.ok(m, `${id} error shown for ${JSON.stringify(fields)}`);
      assert.match(m[1], re);
      assert.ok(r.text.includes('aria-invalid="true"'));
    }
    const ok = await c.post('/register', { email: 'carol@example.com', username: 'carol', password: PW, agree: '1' });
    assert.equal(ok.status, 303);
    assert.equal(ok.location, '/account');
    const acct = await c.get('/account');
    assert.equal(acct.status, 200);
    assert.ok(acct.text.includes('carol@example.com'));
    assert.match(acct.text, /<td data-event="register">注册<\/td><td>[^<]*<\/td><td>2026-11-01<\/td>/);
    const again = await register(client(), 'CAROL@example.com', 'carol2');
    assert.equal(again.status, 409);
    assert.match(again.text, /该邮箱已注册/);
    const again2 = await register(client(), 'dave@example.com', 'Carol');
    assert.equal(again2.status, 409);
    assert.match(again2.text, /该用户名已被使用/);
  });

  test('sign in with email or username; cookies HttpOnly + SameSite; generic failure', async () => {
    await register(client(), 'erin@example.com', 'erin');
    for (const login of ['erin@example.com', 'ERIN', 'erin']) {
      const c = client();
      await c.get('/login');
      const r = await c.post('/login', { login, password: PW, back: '/story/1' });
      assert.equal(r.status, 303, login);
      assert.equal(r.location, '/story/1');
      const set = r.res.headers.getSetCookie().join('\n');
      assert.match(set, /gz_sid=[\w-]{43}; Path=\/; SameSite=Lax; HttpOnly(?!; Max-Age)/);
      assert.doesNotMatch(set, /gz_rm=/, 'no remember-me cookie unless asked');
      assert.equal((await c.get('/account')).status, 200);
    }
    const c = client();
    await c.get('/login');
    const wrong = await c.post('/login', { login: 'erin', password: 'nope nope nope' });
    const nobody = await c.post('/login', { login: 'nobody-here', password: 'nope nope nope' });
    assert.equal(wrong.status, 401);
    assert.equal(nobody.status, 401);
    const msg = (t) => t.match(/class="form-error" role="alert">([^<]*)</)[1];
    assert.equal(msg(wrong.text), msg(nobody.text), 'the same message for both');
    assert.equal((await c.get('/account')).status, 303);
  });

  test('sign out, and sign out everywhere', async () => {
    await register(client(), 'frank@example.com', 'frank');
    const a = client(), b = client();
    for (const c of [a, b]) { await c.get('/login'); await c.post('/login', { login: 'frank', password: PW, remember: '1' }); }
    await a.post('/logout', {});
    assert.equal((await a.get('/account')).status, 303);
    assert.equal((await b.get('/account')).status, 200);
    const b2 = client(); await b2.get('/login'); await b2.post('/login', { login: 'frank', password: PW });
    await b2.post('/logout-all', {});
    assert.equal((await b.get('/account')).status, 303, 'other device signed out');
    b.jar.delete('gz_sid');
    assert.equal((await b.get('/account')).status, 303, 'and its remember-me is gone');
  });
});

describe('remember me', () => {
  test('a closed browser stays signed in; the token rotates; a stolen old token revokes the series', async () => {
    await register(client(), 'gina@example.com', 'gina');
    const c = client();
    await c.get('/login');
    const r = await c.post('/login', { login: 'gina', password: PW, remember: '1' });
    assert.match(r.res.headers.getSetCookie().join('\n'), /gz_rm=[\w-]{43}\.[\w-]{43}; Path=\/; SameSite=Lax; HttpOnly; Max-Age=2592000/);
    const stolen = c.jar.get('gz_rm');
    c.jar.delete('gz_sid'); // the browser closed: session cookie gone
    const back = await c.get('/account');
    assert.equal(back.status, 200, 'signed in again from the remember-me cookie');
    assert.notEqual(c.jar.get('gz_rm'), stolen, 'rotated on use');
    assert.ok(c.jar.get('gz_sid'));
    // The thief replays the old cookie later than a browser's parallel tabs would (the grace
    // window is 20 s): the series is revoked for everyone.
    advance(60);
    const thief = client();
    thief.jar.set('gz_rm', stolen);
    assert.equal((await thief.get('/account')).status, 303);
    c.jar.delete('gz_sid');
    assert.equal((await c.get('/account')).status, 303, 'the owner must sign in again too');
    const acct = client(); await acct.get('/login'); await acct.post('/login', { login: 'gina', password: PW });
    assert.match((await acct.get('/account')).text, /remember-me-reuse/);
  });

  test('parallel tabs sending the same cookie right after a rotation keep the reader signed in', async () => {
    await register(client(), 'tabs@example.com', 'tabs');
    const c = client(); await c.get('/login');
    await c.post('/login', { login: 'tabs', password: PW, remember: '1' });
    const cookie = c.jar.get('gz_rm');
    c.jar.delete('gz_sid'); // the browser restarts and restores five tabs at once
    const tabs = Array.from({ length: 5 }, () => {
      const t = client(); t.headers = c.headers; t.jar.set('gz_rm', cookie); return t;
    });
    const pages = await Promise.all(tabs.map((t) => t.get('/account')));
    for (const p of pages) assert.equal(p.status, 200, 'every tab is signed in');
    // The series survives: the rotated cookie still works afterwards.
    const rotated = tabs.map((t) => t.jar.get('gz_rm')).find((v) => v && v !== cookie);
    assert.ok(rotated, 'one tab got the rotated cookie');
    const later = client(); later.headers = c.headers; later.jar.set('gz_rm', rotated);
    assert.equal((await later.get('/account')).status, 200);
    const acct = (await later.get('/account')).text;
    assert.doesNotMatch(acct, /remember-me-reuse/);
  });

  test('remember-me expires after 30 days', async () => {
    await register(client(), 'hank@example.com', 'hank');
    const c = client(); await c.get('/login');
    await c.post('/login', { login: 'hank', password: PW, remember: '1' });
    advance(31 * 86400);
    c.jar.delete('gz_sid');
    assert.equal((await c.get('/account')).status, 303);
  });
});

describe('throttling', () => {
  test('repeated failures get 429 with Retry-After, per account, and clear with time', async () => {
    await register(client(), 'ivan@example.com', 'ivan');
    const c = client(); await c.get('/login');
    let r;
    for (let i = 0; i < 5; i++) {
      r = await c.post('/login', { login: 'ivan', password: 'wrong password ' + i });
      assert.equal(r.status, 401, `attempt ${i}`);
    }
    r = await c.post('/login', { login: 'ivan', password: 'wrong again!' });
    assert.equal(r.status, 429);
    assert.ok(Number(r.res.headers.get('retry-after')) >= 1);
    // That client waits, even with the right password.
    r = await c.post('/login', { login: 'ivan', password: PW });
    assert.equal(r.status, 429);
    // The owner elsewhere is not locked out by someone else's failures.
    const other = client(); await other.get('/login');
    r = await other.post('/login', { login: 'ivan', password: PW });
    assert.equal(r.status, 303);
    advance(20 * 60);
    r = await c.post('/login', { login: 'ivan', password: PW });
    assert.equal(r.status, 303);
  });

  test('failures from many clients slow the account by seconds at most, never lock the owner out', async () => {
    await register(client(), 'owner@example.com', 'owner');
    for (let i = 0; i < 30; i++) {
      const a = client(); await a.get('/login');
      const st = (await a.post('/login', { login: 'owner', password: 'guess ' + i })).status;
      assert.ok(st === 401 || st === 429, `attempt ${i}: ${st}`);
      if (st === 429) advance(1);
    }
    const owner = client(); await owner.get('/login');
    let r = await owner.post('/login', { login: 'owner', password: PW });
    assert.equal(r.status, 429, 'account-wide: a short wait after many failures');
    assert.ok(Number(r.res.headers.get('retry-after')) <= 5, 'capped at 5 s');
    advance(5);
    r = await owner.post('/login', { login: 'owner', password: PW });
    assert.equal(r.status, 303, 'then the owner signs in');
  });
});

describe('password reset', () => {
  test('a link by mail, single use, expires in 30 minutes, and ends other sessions', async () => {
    await register(client(), 'judy@example.com', 'judy');
    const other = client(); await other.get('/login');
    await other.post('/login', { login: 'judy', password: PW, remember: '1' });
    const c = client(); await c.get('/forgot');
    const r = await c.post('/forgot', { email: 'judy@example.com' });
    assert.equal(r.status, 200);
    assert.match(r.text, /重设链接/);
    const unknown = await c.post('/forgot', { email: 'nobody@example.com' });
    assert.equal(unknown.status, 200, 'the same answer for unknown addresses');
    const mail = await outbox('mail', 'judy@example.com');
    const token = mail.match(/\/reset\?token=([\w-]{43})/)[1];
    await c.get(`/reset?token=${token}`);
    const weak = await c.post('/reset', { token, password: 'password' });
    assert.equal(weak.status, 400);
    const done = await c.post('/reset', { token, password: 'a brand new passphrase' });
    assert.equal(done.status, 303);
    const replay = await c.post('/reset', { token, password: 'another new passphrase' });
    assert.equal(replay.status, 400);
    assert.match(replay.text, /无效、已使用或已过期/);
    other.jar.delete('gz_sid');
    assert.equal((await other.get('/account')).status, 303, 'remembered devices signed out');
    await c.get('/login');
    assert.equal((await c.post('/login', { login: 'judy', password: 'a brand new passphrase' })).status, 303);
    // Expiry.
    await c.post('/forgot', { email: 'judy@example.com' });
    const tok2 = (await outbox('mail', 'judy@example.com')).match(/token=([\w-]{43})/)[1];
    advance(31 * 60);
    const late = await c.post('/reset', { token: tok2, password: 'yet another passphrase' });
    assert.equal(late.status, 400);
  });
});

describe('phone', () => {
  test('mainland numbers only; a code by SMS; sign in, then bind an email and password', async () => {
    const c = client();
    const page = await c.get('/phone');
    assert.match(page.text, /仅支持中国大陆手机号/);
    assert.ok(page.text.includes('autocomplete="tel"'));
    let r = await c.post('/phone/send', { phone: '+1 415 555 0100' });
    assert.equal(r.status, 400);
    assert.match(r.text, /仅支持中国大陆手机号/);
    r = await c.post('/phone/send', { phone: '12345' });
    assert.equal(r.status, 400);
    r = await c.post('/phone/send', { phone: '+86 139-0000-1111' });
    assert.equal(r.status, 200);
    assert.match(r.text, /验证码已发送/);
    assert.ok(r.text.includes('autocomplete="one-time-code"'));
    assert.match(r.text, /data-wait="60"/);
    const sms = await outbox('sms', '+8613900001111');
    const code = sms.match(/验证码 (\d{6})/)[1];
    r = await c.post('/phone/verify', { phone: '13900001111', code, agree: '1' });
    assert.equal(r.status, 303, r.text.match(/role="alert">[^<]*|field-error[^<]*/g)?.join(' '));
    assert.equal(r.location, '/bind');
    const bind = await c.get('/bind');
    assert.match(bind.text, /请输入邮箱和密码进行绑定操作/);
    r = await c.post('/bind', { email: 'phone.user@example.com', password: 'my own passphrase' });
    assert.equal(r.status, 303, r.text.match(/role="alert">[^<]*|field-error[^<]*/g)?.join(' '));
    const acct = await c.get('/account');
    assert.ok(acct.text.includes('+8613900001111') && acct.text.includes('phone.user@example.com'));
    // Later: sign in with phone + code.
    advance(120);
    const d = client();
    await d.post('/phone/send', { phone: '13900001111' });
    const code2 = (await outbox('sms', '+8613900001111')).match(/验证码 (\d{6})/)[1];
    r = await d.post('/phone/verify', { phone: '13900001111', code: code2 });
    assert.equal(r.status, 303);
    assert.equal(r.location, '/account');
  });

  test('codes: 5 attempts, 5 minutes, limits per number (1/min, 5/h) with a countdown', async () => {
    advance(2 * 86400);
    const c = client();
    let r = await c.post('/phone/send', { phone: '13700002222' });
    assert.equal(r.status, 200);
    r = await c.post('/phone/send', { phone: '13700002222' });
    assert.equal(r.status, 429, 'one a minute');
    assert.ok(Number(r.res.headers.get('retry-after')) > 0);
    assert.match(r.text, /data-wait="\d+"/);
    for (let i = 0; i < 4; i++) {
      r = await c.post('/phone/verify', { phone: '13700002222', code: '000000', agree: '1' });
      assert.equal(r.status, 400);
    }
    r = await c.post('/phone/verify', { phone: '13700002222', code: '000001', agree: '1' });
    const code = (await outbox('sms', '+8613700002222')).match(/验证码 (\d{6})/)[1];
    r = await c.post('/phone/verify', { phone: '13700002222', code, agree: '1' });
    assert.equal(r.status, 429, 'the right code after 5 wrong ones is refused');
    // A new code, then let it expire.
    for (let i = 0; i < 4; i++) { advance(61); assert.equal((await c.post('/phone/send', { phone: '13700002222' })).status, 200); }
    advance(61);
    r = await c.post('/phone/send', { phone: '13700002222' });
    assert.equal(r.status, 429, 'five an hour');
    advance(3600);
    r = await c.post('/phone/send', { phone: '13700002222' });
    assert.equal(r.status, 200);
    const late = (await outbox('sms', '+8613700002222')).match(/验证码 (\d{6})/)[1];
    advance(6 * 60);
    r = await c.post('/phone/verify', { phone: '13700002222', code: late, agree: '1' });
    assert.equal(r.status, 400, 'expired after 5 minutes');
  });

  test('binding merges into an existing email account after its password; conflicts refused', async () => {
    advance(2 * 86400);
    await register(client(), 'kate@example.com', 'kate');
    const c = client();
    await c.post('/phone/send', { phone: '13600003333' });
    let code = (await outbox('sms', '+8613600003333')).match(/验证码 (\d{6})/)[1];
    await c.post('/phone/verify', { phone: '13600003333', code, agree: '1' });
    let r = await c.post('/bind', { email: 'kate@example.com', password: 'not her password' });
    assert.equal(r.status, 401);
    r = await c.post('/bind', { email: 'kate@example.com', password: PW });
    assert.equal(r.status, 303);
    const acct = await c.get('/account');
    assert.ok(acct.text.includes('kate@example.com') && acct.text.includes('+8613600003333'));
    assert.match(acct.text, /phone-merged/);
    // Another account cannot bind the same number.
    await register(client(), 'liam@example.com', 'liam');
    const l = client(); await l.get('/login'); await l.post('/login', { login: 'liam', password: PW });
    advance(61);
    await l.post('/phone/send', { phone: '13600003333' });
    code = (await outbox('sms', '+8613600003333')).match(/验证码 (\d{6})/)[1];
    r = await l.post('/phone/verify', { phone: '13600003333', code });
    assert.equal(r.status, 409);
    assert.match(r.text, /已绑定其他账户/);
  });
});

describe('concurrency', () => {
  test('ten parallel registrations of one e-mail: exactly one account, the others 409, none 500', async () => {
    const clients = Array.from({ length: 10 }, () => client());
    await Promise.all(clients.map((c) => c.get('/register')));
    const res = await Promise.all(clients.map((c, i) =>
      c.api('register', { email: 'race@example.com', username: `racer${i}`, password: PW, agree: true })));
    const codes = res.map((r) => r.status).sort();
    assert.deepEqual(codes, [200, 409, 409, 409, 409, 409, 409, 409, 409, 409], codes.join(' '));
    const winner = res.findIndex((r) => r.status === 200);
    assert.ok(clients[winner].jar.has('gz_sid'), 'the one account is signed in');
    for (const [i, c] of clients.entries()) if (i !== winner) assert.ok(!c.jar.has('gz_sid'));
  });
});

describe('probing accounts', () => {
  test('bind: password guesses back off with 429, and a weak guess does not tell whether the e-mail exists', async () => {
    advance(2 * 86400);
    await register(client(), 'target@example.com', 'target');
    const c = client();
    await c.post('/phone/send', { phone: '13500004444' });
    const code = (await outbox('sms', '+8613500004444')).match(/验证码 (\d{6})/)[1];
    assert.equal((await c.post('/phone/verify', { phone: '13500004444', code, agree: '1' })).status, 303);
    // A weak password: the same answer for an existing and an unknown address.
    const known = await c.api('bind', { email: 'target@example.com', password: 'password' });
    const unknown = await c.api('bind', { email: 'nobody-here@example.com', password: 'password' });
    assert.equal(known.status, 400);
    assert.deepEqual(known.json, unknown.json);
    let r;
    for (let i = 0; i < 5; i++) {
      r = await c.api('bind', { email: 'target@example.com', password: `wrong guess number ${i}` });
      assert.equal(r.status, 401, `guess ${i}`);
    }
    r = await c.api('bind', { email: 'target@example.com', password: 'wrong guess number 6' });
    assert.equal(r.status, 429, 'guesses back off like sign-in');
    assert.ok(Number(r.res.headers.get('retry-after')) >= 1);
    r = await c.api('bind', { email: 'target@example.com', password: PW });
    assert.equal(r.status, 429, 'even the right one waits from this client');
  });

  test('phone/verify without agree does not tell registered numbers, and is throttled', async () => {
    advance(2 * 86400);
    const owner = client();
    await owner.post('/phone/send', { phone: '13400005555' });
    const code = (await outbox('sms', '+8613400005555')).match(/验证码 (\d{6})/)[1];
    assert.equal((await owner.post('/phone/verify', { phone: '13400005555', code, agree: '1' })).status, 303);
    const probe = client();
    const reg = await probe.api('phone/verify', { phone: '13400005555', code: '123456' });
    const unreg = await probe.api('phone/verify', { phone: '13400006666', code: '123456' });
    assert.equal(reg.status, 400);
    assert.deepEqual(reg.json, unreg.json, 'registered and unknown numbers answer alike');
    assert.equal(unreg.json.error.code, 'invalid_code');
    let r;
    for (let i = 0; i < 12; i++) r = await probe.api('phone/verify', { phone: `1340000${7000 + i}`, code: '123456' });
    assert.equal(r.status, 429, 'wrong codes from one client back off');
    // The agreement is still asked for, once the code is right.
    advance(3600);
    const fresh = client();
    await fresh.post('/phone/send', { phone: '13400008888' });
    const c2 = (await outbox('sms', '+8613400008888')).match(/验证码 (\d{6})/)[1];
    r = await fresh.api('phone/verify', { phone: '13400008888', code: c2 });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, 'agreement_required');
    r = await fresh.api('phone/verify', { phone: '13400008888', code: c2, agree: true });
    assert.equal(r.status, 200, 'the code still works with the agreement');
  });
});

describe('unbinding a phone', () => {
  test('with a code sent to the bound number; refused while it is the only way in', async () => {
    advance(2 * 86400);
    const c = client();
    await c.post('/phone/send', { phone: '13500004444' });
    let code = (await outbox('sms', '+8613500004444')).match(/验证码 (\d{6})/)[1];
    await c.post('/phone/verify', { phone: '13500004444', code, agree: '1' });
    let r = await c.post('/account/phone/send', {});
    assert.equal(r.status, 409, 'a phone-only account cannot drop its phone');
    assert.match(r.text, /请先绑定邮箱和密码/);
    await c.post('/bind', { email: 'olga@example.com', password: 'olga own passphrase' });
    advance(61);
    const page = await c.get('/account/phone');
    assert.match(page.text, /解除绑定手机号/);
    r = await c.post('/account/phone/send', {});
    assert.equal(r.status, 200);
    code = (await outbox('sms', '+8613500004444')).match(/验证码 (\d{6})/)[1];
    r = await c.post('/account/phone/unbind', { code: '999999' === code ? '999998' : '999999' });
    assert.equal(r.status, 400);
    r = await c.post('/account/phone/unbind', { code });
    assert.equal(r.status, 200);
    assert.match(r.text, /手机号已解除绑定/);
    assert.match(r.text, /<dt>手机号码<\/dt><dd>未绑定/);
    assert.match(r.text, /phone-unbound/);
  });
});

describe('account page', () => {
  test('devices with revoke, preferences that follow the reader, activity log', async () => {
    await register(client(), 'mona@example.com', 'mona');
    const a = client(), b = client();
    for (const c of [a, b]) { await c.get('/login'); await c.post('/login', { login: 'mona', password: PW }); }
    const page = await a.get('/account');
    const bIp = b.headers['x-forwarded-for'];
    const row = [...page.text.matchAll(/<li><span class="ua">.*?<\/li>/g)].map((m) => m[0])
      .find((li) => li.includes(`class="meta">${bIp} `));
    assert.ok(row, 'the other device is listed with its address');
    assert.match(page.text, /当前设备/);
    await a.post('/account/sessions/revoke', { id: row.match(/name="id" value="(\d+)"/)[1] });
    assert.equal((await b.get('/account')).status, 303, 'the other device was signed out');
    await a.post('/account/prefs', { fs: '5', rate: '1.5' });
    const c = client(); await c.get('/login'); await c.post('/login', { login: 'mona', password: PW });
    const story = await c.get('/');
    assert.match(story.text, /<html lang="zh-CN" class="fs-5">/, 'font size follows the account');
    const api = await c.api('me');
    assert.equal(api.json.font_size, 5);
    assert.equal(api.json.rate, 1.5);
    assert.match((await a.get('/account')).text, /session-revoked/);
    // The page's own preference forms update the account too when signed in.
    await c.post('/prefs/fs', { fs: '2', back: '/' });
    const r2 = await c.post('/prefs/rate', { rate: '1.25', back: '/' });
    assert.equal(r2.status, 303);
    assert.match(r2.res.headers.getSetCookie().join('\n'), /gz_rate=1\.25/);
    const me = await c.api('me');
    assert.equal(me.json.font_size, 2);
    assert.equal(me.json.rate, 1.25);
  });
});

describe('JSON API', () => {
  test('register, me, logout, login; JSON and the CSRF header required', async () => {
    const c = client();
    let r = await c.api('register', { email: 'nina@example.com', username: 'nina', password: 'short', agree: true });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.field, 'password');
    assert.equal(r.json.error.code, 'weak_password');
    r = await c.api('register', { email: 'nina@example.com', username: 'nina', password: PW, agree: true });
    assert.equal(r.status, 200);
    assert.equal(r.json.ok, true);
    assert.equal((await c.api('me')).json.email, 'nina@example.com');
    assert.equal((await c.api('logout', {})).status, 200);
    assert.equal((await c.api('me')).status, 401);
    r = await c.api('login', { login: 'nina', password: PW });
    assert.equal(r.status, 200);
    r = await c.api('login', { login: 'nina', password: PW }, { 'x-csrf-token': 'forged' });
    assert.equal(r.status, 403);
    r = await c.api('login', { login: 'nina', password: PW }, { 'content-type': 'text/plain' });
    assert.equal(r.status, 415);
    r = await c.api('login', { login: 'nina', password: PW }, { origin: 'https://evil.example' });
    assert.equal(r.status, 403);
  });
});

describe('CSRF and hostile input', () => {
  test('every form refuses a missing or wrong token', async () => {
    const c = client(); await c.get('/');
    for (const path of ['/login', '/register', '/logout', '/logout-all', '/forgot', '/reset', '/phone/send',
      '/phone/verify', '/bind', '/account/prefs', '/account/sessions/revoke', '/prefs/fs', '/prefs/lang']) {
      const res = await fetch(srv.url + path, { method: 'POST', redirect: 'manual', body: 'login=x&password=y',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: c.cookieHeader() } });
      assert.ok([403, 303].includes(res.status), `${path}: ${res.status}`);
      if (res.status === 303) assert.equal(res.headers.get('location'), '/login', path);
    }
  });

  test('SQL-ish and script-ish input in every field is refused or shown escaped', async () => {
    const evil = ["' OR '1'='1' --", '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', 'Robert\'); DROP TABLE user;--'];
    const c = client(); await c.get('/register');
    for (const v of evil) {
      for (const field of ['email', 'username', 'password']) {
        const fields = { email: 'ok@example.com', username: 'okname', password: PW, agree: '1', [field]: v };
        const r = await c.post('/register', fields);
        assert.ok(r.status === 400 || r.status === 409 || r.status === 303, `${field}=${v}: ${r.status}`);
        assert.ok(!r.text.includes('<script>alert(1)') && !r.text.includes('<img src=x'), `${field} reflected raw`);
      }
      const l = await c.post('/login', { login: v, password: v });
      assert.equal(l.status, 401);
      assert.ok(!l.text.includes('<script>alert(1)') && !l.text.includes('<img src=x'));
      const p = await c.post('/phone/send', { phone: v });
      assert.equal(p.status, 400);
      const f = await c.post('/forgot', { email: v });
      assert.ok([400, 200, 429].includes(f.status));
    }
    // The database is intact: an account registered earlier still signs in.
    const d = client(); await d.get('/login');
    assert.equal((await d.post('/login', { login: 'kate', password: PW })).status, 303);
  });
});
