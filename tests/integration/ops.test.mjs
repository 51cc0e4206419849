// Operations: compression and caching headers, health and readiness, metrics, access log.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { startServer, PG } from './server.mjs';

let srv;

// A GET with exact request headers; the body as raw bytes (no decoding).
function get(url, headers = {}) {
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

const TOKEN = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG'; // 43 characters, like the site's
const cookie = `gz_csrf=${TOKEN}`;

before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

describe('compression', () => {
  test('pages: gzip with the reader\'s token, identical to the plain page; Vary', async () => {
    for (const path of ['/', '/story/1', '/story/1/ce', '/story/1/en']) {
      const plain = await get(srv.url + path, { cookie });
      const gz = await get(srv.url + path, { cookie, 'accept-encoding': 'gzip, deflate, br' });
      assert.equal(plain.status, 200);
      assert.equal(plain.headers['content-encoding'], undefined);
      assert.equal(plain.headers.vary, 'Accept-Encoding');
      // Pages with forms carry a per-reader token: gzip (built once, token spliced), not br.
      assert.equal(gz.headers['content-encoding'], 'gzip', path);
      assert.equal(gz.headers.vary, 'Accept-Encoding');
      const body = zlib.gunzipSync(gz.body);
      assert.ok(body.equals(plain.body), `${path}: gunzipped page differs`);
      assert.ok(body.includes(TOKEN), `${path}: token missing`);
      assert.ok(gz.body.length < plain.body.length / 2, `${path}: ${gz.body.length} of ${plain.body.length}`);
    }
  });

  test('a new reader gets the token of its new cookie inside the gzip body', async () => {
    const r = await get(srv.url + '/story/1', { 'accept-encoding': 'gzip' });
    const tok = r.headers['set-cookie'].find((c) => c.startsWith('gz_csrf=')).split(/[=;]/)[1];
    assert.ok(zlib.gunzipSync(r.body).includes(`value="${tok}"`));
  });

  test('bodies without forms (feeds, transcripts) also come as brotli; q-values are honoured', async () => {
    const plain = await get(srv.url + '/feed.xml');
    const br = await get(srv.url + '/feed.xml', { 'accept-encoding': 'gzip;q=0.8, br' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.ok(zlib.brotliDecompressSync(br.body).equals(plain.body));
    const gz = await get(srv.url + '/feed.xml', { 'accept-encoding': 'gzip, br;q=0.5' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    const none = await get(srv.url + '/feed.xml', { 'accept-encoding': 'gzip;q=0, br;q=0' });
    assert.equal(none.headers['content-encoding'], undefined);
    const idFirst = await get(srv.url + '/feed.xml', { 'accept-encoding': 'gzip;q=0.5, identity' });
    assert.equal(idFirst.headers['content-encoding'], undefined);
  });

  test('static files: compressed once, immutable for a year when versioned', async () => {
    const home = (await get(srv.url + '/', { cookie })).body.toString();
    const js = home.match(/src="(\/static\/app\.js\?v=[0-9a-f]+)"/)[1];
    const css = home.match(/href="(\/static\/app\.css\?v=[0-9a-f]+)"/)[1];
    for (const path of [js, css]) {
      const plain = await get(srv.url + path);
      const br = await get(srv.url + path, { 'accept-encoding': 'br, gzip' });
      assert.equal(br.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.equal(br.headers['content-encoding'], 'br');
      assert.equal(br.headers.vary, 'Accept-Encoding');
      assert.ok(zlib.brotliDecompressSync(br.body).equals(plain.body));
      const gz = await get(srv.url + path, { 'accept-encoding': 'gzip' });
      assert.ok(zlib.gunzipSync(gz.body).equals(plain.body));
      assert.notEqual(gz.headers.etag, br.headers.etag); // one ETag per coding
      const again = await get(srv.url + path, { 'accept-encoding': 'br', 'if-none-match': br.headers.etag });
      assert.equal(again.status, 304);
      assert.equal(again.body.length, 0);
    }
  });

  test('media and tiny bodies are never compressed; media cached long with validators', async () => {
    const t = JSON.parse((await get(srv.url + '/story/1/transcript.json')).body);
    const audio = t.audio || t.media || Object.values(t).find((v) => typeof v === 'string' && v.startsWith('/media/'));
    assert.ok(audio, 'demo story has narration');
    const m = await get(srv.url + audio, { 'accept-encoding': 'gzip, br' });
    assert.equal(m.status, 200);
    assert.equal(m.headers['content-encoding'], undefined);
    assert.equal(m.headers.vary, undefined);
    assert.match(m.headers['cache-control'], /max-age=(\d{7,})/);
    assert.ok(m.headers.etag && m.headers['last-modified']);
    const nm = await get(srv.url + audio, { 'if-none-match': m.headers.etag });
    assert.equal(nm.status, 304);
    // A compressible static file under 1 KB goes as it is, even to a client that takes br.
    const home = (await get(srv.url + '/', { cookie })).body.toString();
    const icon = home.match(/href="(\/static\/icon\.svg\?v=[0-9a-f]+)"/)[1];
    const tiny = await get(srv.url + icon, { 'accept-encoding': 'br, gzip' });
    assert.equal(tiny.status, 200);
    assert.equal(tiny.headers['content-type'], 'image/svg+xml');
    assert.ok(tiny.body.length > 0 && tiny.body.length < 1024, `${tiny.body.length} bytes`);
    assert.ok(tiny.body.toString().startsWith('<svg'), 'the plain SVG');
    assert.equal(tiny.headers['content-encoding'], undefined);
  });
});

describe('page validators', () => {
  test('ETag and 304 on If-None-Match, per reader token and coding', async () => {
    const a = await get(srv.url + '/story/1', { cookie, 'accept-encoding': 'gzip' });
    assert.ok(a.headers.etag);
    const nm = await get(srv.url + '/story/1', { cookie, 'accept-encoding': 'gzip', 'if-none-match': a.headers.etag });
    assert.equal(nm.status, 304);
    assert.equal(nm.body.length, 0);
    assert.equal(nm.headers.etag, a.headers.etag);
    // Another reader's copy holds another token: no 304 for them.
    const other = await get(srv.url + '/story/1', { cookie: `gz_csrf=${'z'.repeat(43)}`, 'accept-encoding': 'gzip', 'if-none-match': a.headers.etag });
    assert.equal(other.status, 200);
    // Without the cookie the reader gets a new token, so never a 304.
    const fresh = await get(srv.url + '/story/1', { 'accept-encoding': 'gzip', 'if-none-match': a.headers.etag });
    assert.equal(fresh.status, 200);
    // The plain variant has its own ETag.
    const plain = await get(srv.url + '/story/1', { cookie, 'if-none-match': a.headers.etag });
    assert.equal(plain.status, 200);
    assert.notEqual(plain.headers.etag, a.headers.etag);
  });
});

describe('probes', () => {
  test('/healthz answers without the database and without cookies', async () => {
    const r = await get(srv.url + '/healthz');
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'ok\n');
    assert.equal(r.headers['set-cookie'], undefined);
  });

  test('/readyz checks the database, disk space and the job queue, no cookies', async () => {
    const r = await get(srv.url + '/readyz');
    assert.equal(r.status, 200, r.body.toString());
    assert.match(r.body.toString(), /database: ok\ndisk: ok \(\d+ MB free\)\njobs: ok\n/);
    assert.equal(r.headers['set-cookie'], undefined);
    assert.equal(r.headers['cache-control'], 'no-store');
  });

  test('/readyz: 503 naming the disk when free space is below the floor', async () => {
    const s = await startServer({ demo: false, args: ['--min-free-mb', '1000000000'] });
    try {
      const r = await get(s.url + '/readyz');
      assert.equal(r.status, 503);
      assert.match(r.body.toString(), /disk: \d+ MB free, below the floor of 1000000000 MB/);
      assert.equal((await get(s.url + '/healthz')).status, 200); // up, but not ready
    } finally { await s.stop(); }
  });

  test('/readyz: 503 naming the database when it cannot answer', { skip: !!PG && 'damages the SQLite file' }, async () => {
    const s = await startServer({ demo: false, args: ['--threads', '1'] });
    try {
      const { writeFileSync, rmSync } = await import('node:fs');
      for (const f of ['gazette.db-wal', 'gazette.db-shm']) rmSync(`${s.dir}/${f}`, { force: true });
      writeFileSync(`${s.dir}/gazette.db`, 'this is not a database '.repeat(100));
      const r = await get(s.url + '/readyz');
      assert.equal(r.status, 503);
      assert.match(r.body.toString(), /^database: /);
      assert.doesNotMatch(r.body.toString(), /database: ok/);
      const h = await get(s.url + '/healthz'); // the process is up: healthz never asks the database
      assert.equal(h.status, 200);
      assert.equal(h.body.toString(), 'ok\n');
    } finally { await s.stop(); }
  });
});

// The metrics address, printed after the site's.
async function metricsUrl(s) {
  let murl;
  for (let i = 0; i < 100 && !murl; i++) {
    murl = s.stdout().match(/metrics on (http:\/\/\S+)/)?.[1];
    if (!murl) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(murl, 'metrics address printed');
  return murl;
}

describe('the job queue on /readyz', () => {
  test('503 "jobs: stuck" when queued work waits past 300 s while no job moves; a worker whose claims fail does not beat',
    { skip: !!PG && 'holds the queue with a trigger in the SQLite file' }, async () => {
      const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
      const { tmpdir } = await import('node:os');
      const clockDir = mkdtempSync(`${tmpdir()}/gz-clock-`);
      const clock = `${clockDir}/offset`; // seconds added to the server's idea of now
      writeFileSync(clock, '0\n');
      const s = await startServer({ demo: false, args: ['--metrics-listen', '127.0.0.1:0'], env: { GAZETTE_CLOCK_FILE: clock } });
      // Writes beside the running server (python3's sqlite3: foreign keys off, a busy timeout).
      const sql = (script) => {
        const r = spawnSync('python3', ['-c', 'import sqlite3, sys\nc = sqlite3.connect(sys.argv[1], timeout=10, isolation_level=None)\nc.executescript(sys.argv[2])',
          `${s.dir}/gazette.db`, script], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
      };
      const ready = async () => { const r = await get(s.url + '/readyz'); return { status: r.status, text: r.body.toString() }; };
      const silence = async (murl) => Number((await get(murl)).body.toString().match(/^gazette_worker_silence_seconds (-?\d+)$/m)[1]);
      try {
        const murl = await metricsUrl(s);
        let r;
        for (let i = 0; i < 100; i++) { // until the worker's first beat
          r = await ready();
          if (r.status === 200) break;
          await new Promise((res) => setTimeout(res, 50));
        }
        assert.equal(r.status, 200, r.text);
        // Every claim now fails (as on a database the worker cannot write), and a job waits.
        const now = Math.floor(Date.now() / 1000);
        sql(`CREATE TRIGGER hold BEFORE UPDATE OF state ON job BEGIN SELECT RAISE(ABORT, 'held by the test'); END;
             INSERT INTO job(story_id, lang, audio, created, updated) VALUES (1, 'en', 'x.wav', ${now}, ${now});`);
        await new Promise((res) => setTimeout(res, 2600));
        r = await ready();
        assert.equal(r.status, 200, `queued for seconds only: ${r.text}`);
        assert.match(r.text, /\njobs: ok\n$/);
        // The idle worker beats every second, but only after a claim that worked.
        assert.ok(await silence(murl) >= 2, 'the worker beat although its claims failed');

        writeFileSync(clock, '400\n'); // the job has now waited 400 s, and no job ever ran
        r = await ready();
        assert.equal(r.status, 503, r.text);
        assert.match(r.text, /^database: ok\ndisk: ok \(\d+ MB free\)\njobs: stuck \(1 queued, oldest 40\d s\)\n$/);
        assert.equal((await get(s.url + '/healthz')).status, 200); // alive, not ready

        // A job that ended 10 s ago: the queue moves (this one waits behind others), not stuck.
        sql(`INSERT INTO job(story_id, lang, audio, state, created, updated) VALUES (1, 'zh', 'y.wav', 'done', ${now + 390}, ${now + 390});`);
        r = await ready();
        assert.equal(r.status, 200, r.text);
        assert.match(r.text, /\njobs: ok\n$/);
        sql(`DELETE FROM job WHERE state = 'done';`);
        assert.equal((await ready()).status, 503);

        // Claims work again: the worker takes the job (it fails: there is no story 1), beats.
        sql('DROP TRIGGER hold;');
        for (let i = 0; i < 100; i++) {
          r = await ready();
          if (r.status === 200) break;
          await new Promise((res) => setTimeout(res, 50));
        }
        assert.equal(r.status, 200, r.text);
        assert.ok(await silence(murl) <= 1);
      } finally {
        await s.stop();
        rmSync(clockDir, { recursive: true, force: true });
      }
    });
});

describe('metrics, access log, config', () => {
  test('/metrics only on --metrics-listen, Prometheus text, counters move', async () => {
    const { mkdtempSync, readFileSync, renameSync, existsSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const logDir = mkdtempSync(`${tmpdir()}/gz-log-`);
    const logFile = `${logDir}/access.log`;
    const s = await startServer({ args: ['--metrics-listen', '127.0.0.1:0', '--access-log', logFile, '--log-format', 'json'] });
    try {
      // The metrics address is printed after the site's.
      let murl;
      for (let i = 0; i < 100 && !murl; i++) {
        murl = (s.stdout?.() || '').match(/metrics on (http:\/\/\S+)/)?.[1];
        if (!murl) await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(murl, 'metrics address printed');
      assert.equal((await get(s.url + '/metrics')).status, 404); // never on the site
      await get(s.url + '/story/1');
      await get(s.url + '/story/1');
      const { Client } = await import('./server.mjs');
      const c = new Client(s.url);
      await c.get('/login');
      const bad = await c.post('/login', { login: 'nobody@example.com', password: 'wrong password 123' });
      assert.ok(bad.status >= 400);
      const m = await get(murl);
      assert.equal(m.status, 200);
      assert.match(m.headers['content-type'], /^text\/plain; version=0\.0\.4/);
      const t = m.body.toString();
      assert.match(t, /^gazette_http_requests_total\{route="story",status="200"\} [2-9]\d*$/m);
      assert.match(t, /^gazette_http_request_duration_seconds_bucket\{le="\+Inf"\} \d+$/m);
      assert.match(t, /^gazette_page_cache_total\{result="hit"\} [1-9]\d*$/m);
      assert.match(t, /^gazette_signin_failures_total 1$/m);
      assert.match(t, /^gazette_http_open_connections \d+$/m);
      assert.match(t, /^gazette_job_queue_depth 0$/m);
      assert.match(t, /^gazette_notify_total\{channel="sms",result="failed"\} 0$/m);
      assert.match(t, /^# TYPE gazette_job_duration_seconds histogram$/m);

      // Access log: JSON lines, query secrets redacted, the id sent as X-Request-Id.
      const r = await get(s.url + '/reset?token=SECRET123&x=1');
      const id = r.headers['x-request-id'];
      assert.match(id, /^[0-9a-f]{16}$/);
      await new Promise((res) => setTimeout(res, 100));
      const lines = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      const line = lines.find((l) => l.id === id);
      assert.ok(line, 'request logged with its id');
      assert.equal(line.method, 'GET');
      assert.equal(line.path, '/reset?token=REDACTED&x=1');
      assert.equal(line.status, 200);
      assert.ok(line.bytes > 0 && line.us > 0);
      assert.match(line.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(!readFileSync(logFile, 'utf8').includes('SECRET123'));

      // SIGHUP reopens: after a rotation, new lines go to a new file.
      renameSync(logFile, logFile + '.1');
      s.proc.kill('SIGHUP');
      for (let i = 0; i < 50 && !existsSync(logFile); i++) await new Promise((res) => setTimeout(res, 20));
      await get(s.url + '/healthz');
      await new Promise((res) => setTimeout(res, 100));
      assert.match(readFileSync(logFile, 'utf8'), /"path":"\/healthz"/);
      assert.doesNotMatch(readFileSync(logFile + '.1', 'utf8'), /healthz/);
    } finally { await s.stop(); }
  });

  test('stderr: log lines and access lines in their documented text formats', async () => {
    const r = await get(srv.url + '/story/1?token=SECRET9&x=1');
    const id = r.headers['x-request-id'];
    await new Promise((res) => setTimeout(res, 100));
    const lines = srv.stderr().trim().split('\n');
    // docs/CONFIG.md "Logs": `2026-11-28T10:00:00Z WARN notify message`, and the access line.
    const logLine = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (DEBUG|INFO|WARN|ERROR) [a-z]+ \S.*$/;
    const accessLine = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S+ "[A-Z]+ \S+" \d{3} (\d+|-) \d+us id=[0-9a-f]{16}$/;
    for (const l of lines) assert.ok(logLine.test(l) || accessLine.test(l), `unexpected stderr line: ${l}`);
    assert.ok(lines.some((l) => /^\S+Z WARN notify \*\*\* MAIL IS NOT DELIVERED: GAZETTE_MAIL=outbox /.test(l)));
    assert.ok(lines.some((l) => /^\S+Z INFO http serving '/.test(l)));
    const mine = lines.filter((l) => l.endsWith(` id=${id}`));
    assert.equal(mine.length, 1);
    assert.match(mine[0], /^\S+ 127\.0\.0\.1 "GET \/story\/1\?token=REDACTED&x=1" 200 \d+ \d+us id=/);
  });

  test('start-up warns loudly that mail and SMS go to the outbox, even at --log-level error', async () => {
    assert.match(srv.stderr(), /^\S+ WARN notify \*\*\* MAIL IS NOT DELIVERED/m);
    assert.match(srv.stderr(), /^\S+ WARN notify \*\*\* SMS IS NOT DELIVERED/m);
    const s = await startServer({ demo: false, args: ['--log-level', 'error'] });
    try {
      await get(s.url + '/healthz');
      assert.match(s.stderr(), /WARN notify \*\*\* MAIL IS NOT DELIVERED/);
      assert.match(s.stderr(), /WARN notify \*\*\* SMS IS NOT DELIVERED/);
      assert.doesNotMatch(s.stderr(), / INFO /); // the level holds for everything else
    } finally { await s.stop(); }
  });

  test('an unknown GAZETTE_MAIL or GAZETTE_SMS driver, or http SMS without a URL, stops start-up', async () => {
    const { mkdtempSync, readdirSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { gazette } = await import('./server.mjs');
    const dir = mkdtempSync(`${tmpdir()}/gz-drv-`);
    try {
      const cases = [
        [{ GAZETTE_MAIL: 'smpt' }, /^gazette serve: GAZETTE_MAIL: want outbox or smtp, not 'smpt'$/m],
        [{ GAZETTE_SMS: 'HTTP' }, /^gazette serve: GAZETTE_SMS: want outbox or http, not 'HTTP'$/m],
        [{ GAZETTE_SMS: 'http', GAZETTE_SMS_URL: '' }, /^gazette serve: GAZETTE_SMS=http needs GAZETTE_SMS_URL/m],
      ];
      for (const [env, want] of cases) {
        const r = gazette(['serve', '--listen', '127.0.0.1:0', '--data', `${dir}/data`, '--db', `${dir}/x.db`, '--no-demo'],
          { env: { ...process.env, GAZETTE_MAIL: '', GAZETTE_SMS: '', ...env }, timeout: 20000 });
        assert.equal(r.status, 2, `${JSON.stringify(env)}: ${r.stderr}`);
        assert.match(r.stderr, want);
      }
      assert.deepEqual(readdirSync(dir), [], 'refused before touching the data folder');
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  test('SMS through a gateway that cannot be reached: counted as failed in /metrics, no outbox warning', async () => {
    const net = await import('node:net');
    const { Client } = await import('./server.mjs');
    const closed = net.createServer();
    await new Promise((r) => closed.listen(0, '127.0.0.1', r));
    const port = closed.address().port;
    await new Promise((r) => closed.close(r)); // nothing listens there now: connections are refused
    const s = await startServer({ demo: false, args: ['--metrics-listen', '127.0.0.1:0'],
      env: { GAZETTE_SMS: 'http', GAZETTE_SMS_URL: `http://127.0.0.1:${port}/send`, GAZETTE_SMS_TOKEN: 't' } });
    try {
      const murl = await metricsUrl(s);
      const before = (await get(murl)).body.toString();
      assert.match(before, /^gazette_notify_total\{channel="sms",result="failed"\} 0$/m);
      const c = new Client(s.url);
      const r = await c.api('phone/send', { phone: '13812345678' });
      assert.ok(r.status >= 500, `status ${r.status}: ${JSON.stringify(r.json)}`);
      const t = (await get(murl)).body.toString();
      assert.match(t, /^gazette_notify_total\{channel="sms",result="failed"\} 1$/m);
      assert.match(t, /^gazette_notify_total\{channel="sms",result="sent"\} 0$/m);
      assert.doesNotMatch(s.stderr(), /SMS IS NOT DELIVERED/);
      assert.match(s.stderr(), /MAIL IS NOT DELIVERED/);
    } finally { await s.stop(); }
  });

  test('--config FILE: settings by flag name, flags win, errors name file and line', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { gazette } = await import('./server.mjs');
    const dir = mkdtempSync(`${tmpdir()}/gz-conf-`);
    const conf = `${dir}/gazette.conf`;
    writeFileSync(conf, '# a comment\n\nlisten = 127.0.0.1:1\nno-demo = true\nbase-url = "https://news.example"\naccess-log = off\nlog-level = warn\n');
    const s = await startServer({ demo: false, args: ['--config', conf] }); // its --listen 127.0.0.1:0 comes after: flags win
    try {
      const robots = (await get(s.url + '/robots.txt')).body.toString();
      assert.match(robots, /^Sitemap: https:\/\/news\.example\/sitemap\.xml$/m);
      assert.doesNotMatch(s.stderr(), /INFO/); // log-level = warn
      assert.match(s.stderr(), /WARN notify \*\*\* MAIL IS NOT DELIVERED/); // warn still shows warnings
      assert.doesNotMatch(s.stderr(), /"GET \/robots\.txt"/); // access-log = off
    } finally { await s.stop(); }
    // A flag wins over the file wherever it stands on the command line, here before --config.
    const f = await startServer({ demo: false, args: ['--base-url', 'https://flag.example', '--config', conf] });
    try {
      const robots = (await get(f.url + '/robots.txt')).body.toString();
      assert.match(robots, /^Sitemap: https:\/\/flag\.example\/sitemap\.xml$/m);
      assert.doesNotMatch(robots, /news\.example/);
      assert.doesNotMatch(f.stderr(), /INFO/); // the file's other settings still hold
    } finally { await f.stop(); }
    const cases = [
      ['listen = 127.0.0.1:8080\nbogus = 1\n', /gazette\.conf:2: unknown setting 'bogus'/],
      ['threads = many\n', /gazette\.conf:1: threads: want 0 \(one per core\) to 256, not 'many'/],
      ['\n\nlog-format = xml\n', /gazette\.conf:3: log-format: want text or json/],
      ['dev = maybe\n', /gazette\.conf:1: dev: want true or false/],
      ['just words\n', /gazette\.conf:1: expected 'name = value'/],
      ['base-url = "https://x\n', /gazette\.conf:1: unbalanced quote/],
    ];
    for (const [text, want] of cases) {
      writeFileSync(conf, text);
      const r = gazette(['serve', '--config', conf, '--data', dir]);
      assert.equal(r.status, 2, text);
      assert.match(r.stderr, want);
    }
    const missing = gazette(['serve', '--config', `${dir}/nope.conf`]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /nope\.conf/);
  });
});

describe('podcast feeds', () => {
  const check = (xml) => {
    const r = spawnSync('python3', ['tests/integration/podcast_rules.py'], { input: xml });
    assert.equal(r.status, 0, r.stderr.toString());
    return JSON.parse(r.stdout.toString());
  };

  test('the checker itself catches broken feeds', () => {
    assert.match(check('<rss version="2.0"><channel>').errors[0], /not well-formed/);
    const bad = check(`<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
      <title>t</title><link>http://x/</link><description>d</description><language>en</language>
      <itunes:category text="Cooking"/><itunes:explicit>no</itunes:explicit>
      <item><title>a</title><guid>g</guid><link>http://x/1</link><description>d</description><pubDate>2026-11-28</pubDate>
      <enclosure url="/m.mp3" length="0" type="text/html"/></item>
      <item><title>b</title><guid>g</guid><link>http://x/2</link><description>d</description><pubDate>Sat, 28 Nov 2026 10:00:00 +0000</pubDate></item>
      </channel></rss>`).errors.join('\n');
    for (const want of [/missing itunes:image/, /missing itunes:author/, /missing itunes:owner/, /itunes:explicit must be/,
      /not an Apple category/, /pubDate '2026-11-28' is not RFC 822/, /enclosure length '0'/, /enclosure type 'text\/html'/,
      /enclosure url '\/m.mp3' is not absolute/, /itunes:duration None/, /guid 'g' repeated/])
      assert.match(bad, want);
  });

  test('every feed meets the RSS and podcast rules; enclosures, transcripts and artwork resolve', async () => {
    const home = (await get(srv.url + '/')).body.toString();
    const section = home.match(/href="\/section\/([a-z0-9-]+)"/)[1];
    for (const path of ['/feed.xml', '/feed.en.xml', '/feed.bilingual.xml', `/section/${section}/feed.xml`]) {
      const xml = (await get(srv.url + path)).body.toString();
      assert.match(xml, /xmlns:podcast="https:\/\/podcastindex\.org\/namespace\/1\.0"/);
      const r = check(xml);
      assert.deepEqual(r.errors, [], `${path}:\n${r.errors.join('\n')}`);
      assert.ok(r.items.length > 0);
      // Artwork: served by the binary, a square RGB PNG of 1400 to 3000 pixels.
      const img = await get(r.image);
      assert.equal(img.status, 200);
      assert.equal(img.headers['content-type'], 'image/png');
      assert.equal(img.body.subarray(1, 4).toString(), 'PNG');
      const w = img.body.readUInt32BE(16), h = img.body.readUInt32BE(20), colour = img.body[25];
      assert.ok(w === h && w >= 1400 && w <= 3000, `${w}x${h}`);
      assert.equal(colour, 2, 'RGB without alpha');
      for (const it of r.items) {
        assert.ok(it.enclosure, `${path}: ${it.title} has no enclosure`);
        const m = await get(it.enclosure.url);
        assert.equal(m.status, 200);
        assert.equal(Number(m.headers['content-length']), it.enclosure.length, 'enclosure length is the file size');
        assert.equal(m.headers['content-type'], it.enclosure.type);
        assert.match(it.duration, /^\d+:\d\d:\d\d$/);
        assert.ok(it.transcripts.some((t) => t.type === 'text/vtt'));
        for (const t of it.transcripts) {
          const tr = await get(t.url);
          assert.equal(tr.status, 200, t.url);
          assert.ok(tr.headers['content-type'].startsWith(t.type), `${t.url}: ${tr.headers['content-type']}`);
        }
      }
    }
  });

  test('--podcast-email fills itunes:owner; a bad address is refused', async () => {
    const s = await startServer({ args: ['--podcast-email', 'news@example.org'] });
    try {
      const xml = (await get(s.url + '/feed.xml')).body.toString();
      assert.match(xml, /<itunes:owner><itunes:name>Gazette<\/itunes:name><itunes:email>news@example\.org<\/itunes:email><\/itunes:owner>/);
    } finally { await s.stop(); }
    const { gazette } = await import('./server.mjs');
    const r = gazette(['serve', '--podcast-email', '<x>@y']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /podcast-email: want an e-mail address/);
  });
});

describe('job and aligner metrics', () => {
  test('an aligned upload moves the job and aligner counters', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { gazette, Client } = await import('./server.mjs');
    const dir = mkdtempSync(`${tmpdir()}/gz-jobs-`);
    const PW = 'editor pass phrase';
    assert.equal(gazette(['user', 'add', '--data', dir, '--role', 'editor', '--password-stdin', 'ed@example.com'], { input: PW + '\n' }).status, 0);
    const s = await startServer({ demo: false, dataDir: dir, args: ['--metrics-listen', '127.0.0.1:0'] });
    try {
      let murl;
      for (let i = 0; i < 100 && !murl; i++) {
        murl = s.stdout().match(/metrics on (http:\/\/\S+)/)?.[1];
        if (!murl) await new Promise((r) => setTimeout(r, 50));
      }
      const ed = new Client(s.url);
      await ed.get('/login');
      assert.equal((await ed.post('/login', { login: 'ed@example.com', password: PW })).status, 303);
      await ed.get('/newsroom/new');
      const r = await ed.post('/newsroom/new', { version: '0', slug: 'metered', new_section: 'ports, 港口, Ports',
        en_headline: 'Metered', en_body: 'One sentence here. Another one there.', action: 'save' });
      const id = r.location.match(/story\/(\d+)/)[1];
      // Five seconds of a 16 kHz tone as WAV.
      const n = 5 * 16000, wav = Buffer.alloc(44 + n * 2);
      wav.write('RIFF', 0); wav.writeUInt32LE(36 + n * 2, 4); wav.write('WAVEfmt ', 8); wav.writeUInt32LE(16, 16);
      wav.writeUInt16LE(1, 20); wav.writeUInt16LE(1, 22); wav.writeUInt32LE(16000, 24); wav.writeUInt32LE(32000, 28);
      wav.writeUInt16LE(2, 32); wav.writeUInt16LE(16, 34); wav.write('data', 36); wav.writeUInt32LE(n * 2, 40);
      for (let i = 0; i < n; i++) wav.writeInt16LE(Math.round(6000 * Math.sin(i * 0.07) * (i % 16000 < 12000 ? 1 : 0)), 44 + 2 * i);
      await ed.get(`/newsroom/story/${id}`);
      const fd = new FormData();
      fd.append('csrf', ed.csrf);
      fd.append('audio', new Blob([wav]), 'tone.wav');
      const up = await fetch(`${s.url}/newsroom/story/${id}/narration/en`, { method: 'POST', body: fd, redirect: 'manual', headers: { cookie: ed.cookieHeader() } });
      assert.equal(up.status, 303);
      let t = '';
      for (let i = 0; i < 300; i++) {
        t = (await get(murl)).body.toString();
        if (/^gazette_jobs_total\{result="(done|failed)"\} [1-9]/m.test(t)) break;
        await new Promise((res) => setTimeout(res, 100));
      }
      assert.match(t, /^gazette_jobs_total\{result="done"\} 1$/m);
      assert.match(t, /^gazette_job_duration_seconds_count 1$/m);
      const audio = Number(t.match(/^gazette_align_audio_seconds_total (\S+)$/m)[1]);
      const wall = Number(t.match(/^gazette_align_seconds_total (\S+)$/m)[1]);
      assert.ok(Math.abs(audio - 5) < 0.01, `audio seconds ${audio}`);
      assert.ok(wall > 0 && wall < audio, `aligner seconds ${wall}`);
      assert.match(t, /^gazette_job_queue_depth 0$/m);
    } finally { await s.stop(); }
  });
});
