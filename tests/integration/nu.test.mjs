// The W3C Nu HTML checker (vnu.jar from npm, run by Debian's Java) on every kind of page the
// server renders: home, section, the story in 中文 / English / 对照, share, QR, search, sign-in,
// register, account, the newsroom's list, editor, timing review and roles, a quiz (form and results)
// and the 404 page, in both UI languages. One Java start for all pages (~10 s). No errors; the
// warnings we accept are listed in ACCEPTED with the reason.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { startServer, gazette, Client, PG } from './server.mjs';

const require = createRequire(import.meta.url);
const VNU = (() => { try { return require.resolve('vnu-jar/build/dist/vnu.jar'); } catch { return null; } })();
const JAVA = spawnSync('java', ['-version']).status === 0;
const EMAIL = 'nu-admin@example.com', PW = 'editor pass phrase';

// Warnings that are not defects of our HTML (message pattern → why it stays).
const ACCEPTED = [
];

let srv, dir;
const skip = !VNU || !JAVA ? `needs ${!JAVA ? 'java (Debian default-jre-headless)' : 'vnu-jar (npm ci)'}` : false;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'gz-nu-'));
  const r = gazette(['user', 'add', '--data', join(dir, 'data'), '--role', 'admin', '--password-stdin', EMAIL], { input: PW + '\n' });
  assert.equal(r.status, 0, r.stderr);
  srv = await startServer({ demo: true, dataDir: join(dir, 'data') });
});

after(async () => {
  await srv?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('Nu HTML checker: no errors on any page', { skip: PG ? 'the same HTML on both backends: checked in the SQLite run' : skip && !process.env.CI ? skip : false }, async () => {
  assert.ok(!skip, skip);
  const pages = new Map(); // file name → what it is
  const save = (name, html) => { writeFileSync(join(dir, name + '.html'), html); pages.set(name + '.html', name); };
  for (const ui of ['zh', 'en']) {
    const anon = new Client(srv.url);
    anon.jar.set('gz_ui', ui);
    const home = await anon.get('/');
    assert.equal(home.status, 200);
    const section = home.text.match(/href="(\/section\/[a-z0-9-]+)"/)?.[1];
    const quiz = home.text.match(/href="(\/quiz\/[^"]+)"/)?.[1];
    assert.ok(section && quiz, 'the home page links a section and a quiz');
    const paths = {
      home: '/', section, zh: '/story/1', en: '/story/1/en', ce: '/story/1/ce', share: '/story/1/share',
      qr: '/story/1/qr', search: '/search?q=' + encodeURIComponent('电池'), 'search-empty': '/search',
      login: '/login', register: '/register', quiz, missing: '/story/999999',
    };
    for (const [name, path] of Object.entries(paths)) {
      const r = await anon.get(path);
      assert.equal(r.status, name === 'missing' ? 404 : 200, `${ui} ${path}`);
      save(`${ui}-${name}`, r.text);
    }
    // Signed in as an admin: account, newsroom (with roles), a quiz answered.
    const ed = new Client(srv.url);
    ed.jar.set('gz_ui', ui);
    await ed.get('/login');
    assert.equal((await ed.post('/login', { login: EMAIL, password: PW })).status, 303);
    const list = await ed.get('/newsroom');
    const story = list.text.match(/href="(\/newsroom\/story\/\d+)"/)[1];
    const editor = await ed.get(story);
    const timing = editor.text.match(/href="(\/newsroom\/story\/\d+\/timing\/(?:zh|en))"/)[1];
    for (const [name, path] of Object.entries({ account: '/account', newsroom: '/newsroom', editor: story,
      timing, 'new-story': '/newsroom/new', 'new-quiz': '/newsroom/quiz', roles: '/newsroom/users' })) {
      const r = await ed.get(path);
      assert.equal(r.status, 200, `${ui} ${path}`);
      save(`${ui}-${name}`, r.text);
    }
    const form = await ed.get(quiz);
    const fields = {};
    for (const m of form.text.matchAll(/<input type="radio" required name="([^"]+)" value="([^"]+)"/g)) fields[m[1]] ??= m[2];
    // One attempt per reader: the second UI language sees the first one's results.
    const done = Object.keys(fields).length ? await ed.post(quiz, fields) : form;
    const res = done.status === 303 ? await ed.get(done.location) : done;
    assert.match(res.text, /class="score"/, `${ui}: the quiz's results page`);
    save(`${ui}-quiz-result`, res.text);
  }
  const files = [...pages.keys()].map((f) => join(dir, f));
  for (const css of ['app.css', 'newsroom.css']) {
    pages.set(css, 'web/' + css);
    files.push(join(process.cwd(), 'web', css));
  }
  const t0 = Date.now();
  const r = spawnSync('java', ['-Xss2m', '-jar', VNU, '--format', 'json', '--also-check-css', ...files],
    { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 120000 });
  const ms = Date.now() - t0;
  assert.ok(r.stderr.trim().startsWith('{'), `vnu did not run (${r.status}): ${r.stderr.slice(0, 500)} ${r.error || ''}`);
  const out = JSON.parse(r.stderr).messages;
  const where = (m) => `${pages.get(m.url.split('/').pop()) || m.url}:${m.lastLine}`;
  const errors = out.filter((m) => m.type === 'error' || m.subType === 'fatal');
  const warnings = out.filter((m) => m.type === 'info' && m.subType === 'warning' && !ACCEPTED.some(([re]) => re.test(m.message)));
  const fmt = (m) => `${where(m)}: ${m.message} [${(m.extract || '').replace(/\s+/g, ' ').slice(0, 120)}]`;
  console.log(`# vnu: ${files.length} files in ${ms} ms: ${out.length} messages, ${errors.length} errors, ${warnings.length} unexpected warnings`);
  assert.deepEqual(errors.map(fmt), [], 'Nu checker errors');
  assert.deepEqual(warnings.map(fmt), [], 'Nu checker warnings not in ACCEPTED');
});
