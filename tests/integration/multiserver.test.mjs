// Two app servers on one PostgreSQL database and one shared media folder (issue 10): what only
// several servers can show. Runs when GAZETTE_TEST_PG names a cluster (make test starts one).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startServer, gazette, Client, PG, pgCreate, pgDrop } from './server.mjs';

const PW = 'editor pass phrase';
let dir, db, a, b;

function sql(q) {
  const r = spawnSync('psql', [db, '-qAtc', q], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

async function signIn(srv, login, pw = PW) {
  const c = new Client(srv.url);
  await c.get('/login');
  const r = await c.post('/login', { login, password: pw });
  return { c, status: r.status };
}

const story = (slug, extra = {}) => ({
  version: '0', slug, new_section: 'ports, 港口, Ports', en_headline: `Story ${slug}`,
  en_body: 'The harbour said traffic rose. Rates fell again.', zh_headline: `报道 ${slug}`,
  zh_body: '港口表示吞吐量上升。', action: 'save', ...extra,
});

async function newStory(ed, slug, extra) {
  await ed.get('/newsroom/new');
  const r = await ed.post('/newsroom/new', story(slug, extra));
  assert.equal(r.status, 303, r.text?.match(/role="alert">[^<]*/)?.[0]);
  return r.location.match(/story\/(\d+)/)[1];
}

describe('two servers, one PostgreSQL database', { skip: !PG && 'needs GAZETTE_TEST_PG' }, () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gz-multi-'));
    db = pgCreate();
    for (const [email, role] of [['ed@example.com', 'editor'], ['vic@example.com', 'reader']]) {
      const r = gazette(['user', 'add', '--db', db, '--role', role, '--password-stdin', email], { input: PW + '\n' });
      assert.equal(r.status, 0, r.stderr);
    }
    // Short leases so that a dead server's job is taken over within seconds.
    const env = { GAZETTE_JOB_LEASE: '3' };
    a = await startServer({ demo: false, dataDir: join(dir, 'data'), db, env });
    b = await startServer({ demo: false, dataDir: join(dir, 'data'), db, env });
  });
  after(async () => {
    await a?.stop({ keep: true });
    await b?.stop({ keep: true });
    if (db) pgDrop(db);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a story published on A shows on B within 1 s (LISTEN/NOTIFY)', async () => {
    const { c: ed } = await signIn(a, 'ed@example.com');
    const id = await newStory(ed, 'notify');
    const reader = new Client(b.url);
    assert.equal((await reader.get(`/story/${id}`)).status, 404); // a draft: B caches the 404
    const link = new RegExp(`href="/story/${id}"`);
    assert.doesNotMatch((await reader.get('/')).text, link);
    const page = await ed.get(`/newsroom/story/${id}`);
    const v = page.text.match(/name="version" value="(\d+)"/)[1];
    const t0 = Date.now();
    const r = await ed.post(`/newsroom/story/${id}`, story('notify', { version: v, section: 'ports', new_section: '', action: 'publish' }));
    assert.equal(r.status, 303);
    let seen = 0;
    while (Date.now() - t0 < 1000) {
      if (link.test((await reader.get('/')).text)) { seen = Date.now() - t0; break; }
      await new Promise((res) => setTimeout(res, 20));
    }
    assert.ok(seen > 0, 'B still served the old home page 1 s after the publish on A');
    assert.equal((await reader.get(`/story/${id}`)).status, 200);
  });

  test('ten jobs, both servers working: each runs once', async () => {
    const { c: ed, status } = await signIn(b, 'ed@example.com');
    assert.equal(status, 303);
    const ids = [];
    for (let i = 0; i < 10; i++) ids.push(await newStory(ed, `job-${i}`));
    for (const id of ids) {
      await ed.get(`/newsroom/story/${id}`);
      assert.equal((await ed.post(`/newsroom/story/${id}/synthesize/en`, {})).status, 303);
    }
    const t0 = Date.now();
    for (;;) {
      const left = Number(sql(`SELECT count(*) FROM job WHERE state IN ('queued', 'running')`));
      if (left === 0) break;
      assert.ok(Date.now() - t0 < 120000, `${left} jobs still waiting after 120 s`);
      await new Promise((res) => setTimeout(res, 200));
    }
    assert.equal(sql(`SELECT count(*) FROM job WHERE state = 'done' AND attempts = 1`), '10');
    const workers = sql(`SELECT count(DISTINCT split_part(owner, ':', 2)) FROM job`);
    assert.equal(workers, '2', 'both servers took jobs');
    for (const id of ids) {
      const page = await new Client(a.url).get(`/newsroom/story/${id}/job/en`);
      assert.ok(page.status === 200 || page.status === 303);
    }
  });

  test('kill -9 the server running a job: the other takes it over when its lease runs out', async () => {
    const { c: ed } = await signIn(a, 'ed@example.com');
    // A long body: espeak-ng takes a while, so the job is still running at the kill.
    const body = Array.from({ length: 200 }, (_, i) => `Sentence number ${i + 1} says the harbour is busy.`).join(' ');
    const id = await newStory(ed, 'killed', { en_body: body });
    await ed.get(`/newsroom/story/${id}`);
    assert.equal((await ed.post(`/newsroom/story/${id}/synthesize/en`, {})).status, 303);
    const t0 = Date.now();
    while (sql(`SELECT state FROM job WHERE story_id = ${id}`) !== 'running') {
      assert.ok(Date.now() - t0 < 20000, 'no server started the job');
      await new Promise((res) => setTimeout(res, 20));
    }
    const owner1 = sql(`SELECT owner FROM job WHERE story_id = ${id}`);
    const pid = Number(owner1.split(':')[1]);
    const [dead, alive] = pid === a.proc.pid ? [a, b] : [b, a];
    assert.equal(dead.proc.pid, pid, `owner ${owner1} is neither server`);
    dead.proc.kill('SIGKILL');
    await new Promise((res) => dead.proc.once('exit', res));
    const killedAt = Date.now();
    for (;;) {
      const st = sql(`SELECT state FROM job WHERE story_id = ${id}`);
      if (st === 'done' || st === 'failed') break;
      assert.ok(Date.now() - t0 < 180000, 'the job was never finished');
      await new Promise((res) => setTimeout(res, 100));
    }
    const [state, attempts, owner2] = sql(`SELECT state, attempts, owner FROM job WHERE story_id = ${id}`).split('|');
    assert.equal(state, 'done');
    assert.equal(attempts, '2');
    assert.equal(Number(owner2.split(':')[1]), alive.proc.pid);
    assert.ok(Date.now() - killedAt >= 2000, 'taken over before the 3 s lease could run out');
    assert.match(sql(`SELECT audio FROM story_lang WHERE story_id = ${id} AND lang = 'en'`), /\w/);
    const fresh = await startServer({ demo: false, dataDir: join(dir, 'data'), db, env: { GAZETTE_JOB_LEASE: '3' } });
    if (dead === a) a = fresh; else b = fresh;
  });
  test('backup: gazette backup prints the pg_dump steps; following them restores a working site', async () => {
    const dest = join(dir, 'bk');
    const r = gazette(['backup', '--db', db, '--data', join(dir, 'data'), dest]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /pg_dump --format=custom --file \S+\/gazette\.pgdump/);
    assert.match(r.stderr, /pg_restore --clean --if-exists --no-owner --dbname/);
    // The documented steps, as an operator would run them.
    spawnSync('mkdir', [dest]);
    let x = spawnSync('pg_dump', ['--format=custom', '--file', join(dest, 'gazette.pgdump'), db], { encoding: 'utf8' });
    assert.equal(x.status, 0, x.stderr);
    x = spawnSync('cp', ['-a', join(dir, 'data', 'media'), join(dest, 'media')]);
    assert.equal(x.status, 0);
    const db2 = pgCreate();
    x = spawnSync('pg_restore', ['--clean', '--if-exists', '--no-owner', '--dbname', db2, join(dest, 'gazette.pgdump')], { encoding: 'utf8' });
    assert.equal(x.status, 0, x.stderr);
    const data2 = join(dir, 'data2');
    spawnSync('mkdir', ['-p', join(data2, 'media')]);
    assert.equal(spawnSync('cp', ['-a', join(dest, 'media') + '/.', join(data2, 'media') + '/']).status, 0);
    const c = await startServer({ demo: false, dataDir: data2, db: db2 });
    try {
      const id = sql(`SELECT id FROM story WHERE slug = 'notify'`);
      const page = await new Client(c.url).get(`/story/${id}`);
      assert.equal(page.status, 200);
      const { status } = await signIn(c, 'ed@example.com');
      assert.equal(status, 303);
    } finally {
      await c.stop({ keep: true });
      pgDrop(db2);
    }
  });

  // Last: the failures leave this client's address throttled for a while.
  test('sign-in throttling counts failures on both servers together', async () => {
    // Sessions are shared: signed in on A, known on B.
    const { c, status } = await signIn(a, 'vic@example.com');
    assert.equal(status, 303);
    const onB = await fetch(`${b.url}/account`, { headers: { cookie: c.cookieHeader() }, redirect: 'manual' });
    assert.equal(onB.status, 200);
    const ca = new Client(a.url); await ca.get('/login');
    const cb = new Client(b.url); await cb.get('/login');
    const got = [];
    for (let i = 0; i < 6; i++) {
      const c = i % 2 ? cb : ca;
      got.push((await c.post('/login', { login: 'vic@example.com', password: 'wrong guess ' + i })).status);
    }
    // 5 failures in all (not 5 per server), then both refuse.
    assert.deepEqual(got.slice(0, 5), [401, 401, 401, 401, 401]);
    assert.equal(got[5], 429, got.join(','));
    assert.equal((await ca.post('/login', { login: 'vic@example.com', password: 'again' })).status, 429);
  });
});
