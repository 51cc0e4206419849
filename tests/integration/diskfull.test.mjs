// A full disk on the real binary: the data folder is a small tmpfs, filled up while the server
// runs. Whatever the server answers must be true afterwards: a registration answered "ok" exists,
// one answered 507 does not; a sign-in whose session could not be written sets no cookie.
// Mounting needs root (CAP_SYS_ADMIN); where that is impossible the test says so and skips.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, unlinkSync, openSync, writeSync, closeSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, gazette, Client, PG } from './server.mjs';

const PW = 'correct horse battery';
let dir, srv, mounted = false, why = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gz-full-'));
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', dir], { encoding: 'utf8' });
  if (m.status !== 0) { why = `cannot mount a tmpfs (${(m.stderr || m.error?.message || '').trim()})`; return; }
  mounted = true;
  const u = gazette(['user', 'add', '--data', dir, '--role', 'editor', '--password-stdin', 'ed@example.com'], { input: PW + '\n' });
  assert.equal(u.status, 0, u.stderr);
  srv = await startServer({ demo: false, dataDir: dir, args: ['--dev', '--trust-proxy'] });
});

after(async () => {
  await srv?.stop({ keep: true });
  if (mounted) spawnSync('umount', [dir]);
  rmSync(dir, { recursive: true, force: true });
});

// Fill the file system to the last byte; returns the filler's path (delete it to make room).
function fill() {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try { for (;;) writeSync(fd, chunk); } catch (e) { if (e.code !== 'ENOSPC') throw e; }
  try { for (;;) writeSync(fd, chunk, 0, 512); } catch (e) { if (e.code !== 'ENOSPC') throw e; }
  closeSync(fd);
  return path;
}

test('disk full: register and sign-in answer only what is stored', { skip: !!PG && 'SQLite: the database lives on the full disk; PostgreSQL keeps its own' }, async (t) => {
  if (!mounted) { console.log(`# skipped: ${why}`); t.skip(why); return; }
  const c = new Client(srv.url);
  await c.get('/register');
  const first = await c.api('register', { email: 'owner@example.com', username: 'owner', password: PW, agree: true });
  assert.equal(first.status, 200);

  // The editor signs in and opens the editor while there is room.
  const ed = new Client(srv.url, { 'x-forwarded-for': '10.5.0.1' });
  await ed.get('/login');
  assert.equal((await ed.post('/login', { login: 'ed@example.com', password: PW })).status, 303);
  await ed.get('/newsroom/new');
  const made = await ed.post('/newsroom/new', { version: '0', slug: 'has-room', new_section: 'ports, 港口, Ports',
    en_headline: 'Made while there was room', en_body: 'One sentence. Two sentences.', action: 'save' });
  assert.equal(made.status, 303);
  const storyId = made.location.match(/story\/(\d+)/)[1];
  await ed.get(`/newsroom/story/${storyId}`);

  const filler = fill();
  const answers = [];
  for (let i = 0; i < 40; i++) {
    const r = new Client(srv.url, { 'x-forwarded-for': `10.6.0.${i + 1}` });
    await r.get('/register');
    const res = await r.api('register', { email: `user${i}@example.com`, username: `user${i}`, password: PW, agree: true });
    answers.push({ i, status: res.status, json: res.json, cookie: r.jar.has('gz_sid') });
  }
  const full = answers.filter((a) => a.status === 507);
  console.log('answers while full:', answers.map((a) => a.status).join(' '));
  assert.ok(full.length > 0, 'the disk filled up: some registration must have been refused');
  for (const a of full) {
    assert.equal(a.json.ok, undefined);
    assert.equal(a.json.error.code, 'disk_full');
    assert.ok(!a.cookie, 'no session cookie for a refused registration');
  }
  for (const a of answers) assert.ok(a.status === 200 || a.status === 507, `u${a.i}: ${a.status}`);

  // Sign-in while full: either a stored session (303 + cookie) or 507 and no cookie.
  const s = new Client(srv.url);
  await s.get('/login');
  const li = await s.post('/login', { login: 'owner', password: PW });
  if (li.status === 507) {
    assert.ok(!s.jar.has('gz_sid'), 'no cookie for a session that was not written');
    assert.match(li.text, /out of storage space|存储空间已满/);
  } else {
    assert.equal(li.status, 303);
    assert.equal((await s.get('/account')).status, 200, 'the cookie names a stored session');
  }
  const api = new Client(srv.url);
  await api.get('/login');
  const la = await api.api('login', { login: 'owner', password: PW });
  assert.ok(la.status === 200 || la.status === 507, String(la.status));
  if (la.status === 507) assert.ok(!api.jar.has('gz_sid'));

  // An editor's save on a full disk: a clear message, and the editor's own text back.
  {
    const text = 'Words written on a full disk must come back. 满盘时写下的字要回来。';
    const sv = await ed.post('/newsroom/new', { version: '0', slug: 'full-disk', new_section: 'ports, 港口, Ports',
      en_headline: 'Saved on a full disk', en_body: text, action: 'save' });
    assert.equal(sv.status, 507, 'a full disk, said as such');
    assert.match(sv.text, /out of storage space|存储空间已满/);
    assert.ok(sv.text.includes('Words written on a full disk must come back.'), "the editor's text is on the page");
  }

  // A narration upload on a full disk: 507 and nothing changed.
  {
    const pcm = Buffer.alloc(44 + 400000);
    pcm.write('RIFF', 0); pcm.writeUInt32LE(36 + 400000, 4); pcm.write('WAVEfmt ', 8); pcm.writeUInt32LE(16, 16);
    pcm.writeUInt16LE(1, 20); pcm.writeUInt16LE(1, 22); pcm.writeUInt32LE(16000, 24); pcm.writeUInt32LE(32000, 28);
    pcm.writeUInt16LE(2, 32); pcm.writeUInt16LE(16, 34); pcm.write('data', 36); pcm.writeUInt32LE(400000, 40);
    const fd = new FormData();
    fd.append('csrf', ed.csrf);
    fd.append('audio', new Blob([pcm]), 'speech.wav');
    const up = await fetch(`${srv.url}/newsroom/story/${storyId}/narration/en`, { method: 'POST', body: fd,
      redirect: 'manual', headers: { cookie: ed.cookieHeader(), 'x-forwarded-for': '10.5.0.1' } });
    assert.equal(up.status, 507);
    assert.match(await up.text(), /disk is full: nothing was changed/);
    assert.deepEqual(readdirSync(join(dir, 'media')), [], 'no partial upload left behind');
  }

  // Room again: every "ok" exists, every 507 does not (its e-mail is still free).
  unlinkSync(filler);
  for (const a of answers) {
    const v = new Client(srv.url, { 'x-forwarded-for': `10.7.0.${a.i + 1}` });
    await v.get('/login');
    const r = await v.api('login', { login: `user${a.i}`, password: PW });
    if (a.status === 200) assert.equal(r.status, 200, `u${a.i} was answered ok and must exist`);
    else assert.equal(r.status, 401, `u${a.i} was refused and must not exist`);
  }
  const again = new Client(srv.url);
  await again.get('/register');
  const re = await again.api('register', { email: `user${full[0].i}@example.com`, username: `user${full[0].i}`, password: PW, agree: true });
  assert.equal(re.status, 200, 'a refused registration can be done again');
});
