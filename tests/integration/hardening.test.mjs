// Hostile load on the real binary (issue 9): password guessing must not stall readers,
// anonymous uploads must not be buffered, slow clients must not crowd out readers, and the
// data folder, backups and start-up checks behave as docs/ARCHITECTURE.md ("Operations") says.
// Every load here is bounded in time.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync, existsSync, appendFileSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { BIN, PG } from './server.mjs';
import net from 'node:net';
import http from 'node:http';
import { startServer, raw, gazette, Client } from './server.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function rssMB(pid) {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) / 1024 : NaN;
}

async function timed(url, headers = {}) {
  const t0 = performance.now();
  const res = await fetch(url, { headers });
  await res.arrayBuffer();
  return { ms: performance.now() - t0, status: res.status };
}

function p99(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)];
}

describe('password hashing does not stall readers (finding 5)', () => {
  test("a reader's page p99 stays under 50 ms while 50 clients send wrong passwords", async () => {
    const srv = await startServer({ demo: false, args: ['--trust-proxy'] });
    try {
      const home = srv.url + '/';
      for (let i = 0; i < 5; i++) await timed(home); // warm the page cache
      let stop = false, guesses = 0, busy = 0, n = 0;
      const attacker = async (k) => {
        while (!stop) {
          const ip = `10.${k}.${(n >> 8) & 255}.${++n & 255}`;
          try {
            const res = await fetch(srv.url + '/api/v1/login', { method: 'POST',
              headers: { 'content-type': 'application/json', 'x-csrf-token': 'x'.repeat(43),
                cookie: 'gz_csrf=' + 'x'.repeat(43), 'x-forwarded-for': ip },
              body: JSON.stringify({ login: `nobody${n}@example.com`, password: 'wrong password ' + n }) });
            await res.arrayBuffer();
            if (res.status === 401) guesses++;
            else if (res.status === 503) { busy++; await sleep(50); }
          } catch { await sleep(10); }
        }
      };
      const attackers = Array.from({ length: 50 }, (_, k) => attacker(k));
      await sleep(500); // let the guesses pile up
      const lat = [];
      const until = Date.now() + 5000;
      while (Date.now() < until) {
        const { ms, status } = await timed(home, { 'x-forwarded-for': '192.0.2.1' });
        assert.equal(status, 200);
        lat.push(ms);
        await sleep(20);
      }
      stop = true;
      await Promise.all(attackers);
      const q = p99(lat);
      console.log(`reader p99 ${q.toFixed(1)} ms over ${lat.length} pages; ${guesses} guesses checked, ${busy} told busy`);
      assert.ok(guesses > 20, `the guesses were really checked (${guesses})`);
      assert.ok(q < 50, `reader p99 ${q.toFixed(1)} ms`);
    } finally {
      await srv.stop();
    }
  });
});

describe('one network cannot take the sign-in queue (fair share per range)', () => {
  // 100 clients of one /24 (addresses from X-Forwarded-For behind --trust-proxy) send wrong
  // passwords without pause: before the share, they kept the 64-place queue full and a reader
  // elsewhere was told 503. Now that /24 holds at most 8 places once a quarter of the queue waits.
  test("a /24 flooding the password queue is told 429; another network's sign-in succeeds", async () => {
    const srv = await startServer({ demo: false, args: ['--trust-proxy'] });
    const tok = 's'.repeat(43);
    const headers = (ip) => ({ 'content-type': 'application/json', 'x-csrf-token': tok, cookie: 'gz_csrf=' + tok, 'x-forwarded-for': ip });
    let stop = false, n = 0, shared = 0;
    const seen = {};
    const flood = async () => {
      while (!stop) {
        const k = ++n;
        try {
          const r = await fetch(srv.url + '/api/v1/login', { method: 'POST', headers: headers(`10.66.1.${(k % 250) + 1}`),
            body: JSON.stringify({ login: `nobody${k}@example.com`, password: 'wrong password ' + k }) });
          const text = await r.text();
          seen[r.status] = (seen[r.status] || 0) + 1;
          if (r.status === 429 && /from your network/.test(text) && r.headers.get('retry-after')) shared++;
          if (r.status !== 401) await sleep(50);
        } catch { await sleep(50); }
      }
    };
    let floods = [];
    try {
      const reg = await fetch(srv.url + '/api/v1/register', { method: 'POST', headers: headers('10.77.0.1'),
        body: JSON.stringify({ email: 'real@example.com', username: 'realuser', password: 'correct horse battery', agree: true }) });
      assert.equal(reg.status, 200, await reg.text());
      floods = Array.from({ length: 100 }, flood);
      await sleep(1500); // the queue fills up
      const mine = [];
      const ms = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        const r = await fetch(srv.url + '/api/v1/login', { method: 'POST', headers: headers(`10.77.0.${2 + i}`),
          body: JSON.stringify({ login: 'real@example.com', password: 'correct horse battery' }) });
        mine.push(r.status === 200 ? 200 : `${r.status} ${(await r.text()).trim()}`);
        ms.push(performance.now() - t0);
        await sleep(300);
      }
      stop = true;
      await Promise.all(floods);
      console.log(`flood answers ${JSON.stringify(seen)} (${shared} told 429 for their network); the other network's sign-ins: ${mine.join(', ')} in ${ms.map((x) => x.toFixed(0)).join(', ')} ms`);
      assert.ok(shared > 0, 'the flooding network was held to its share');
      assert.deepEqual(mine, [200, 200, 200, 200, 200]);
    } finally {
      stop = true;
      await Promise.all(floods);
      await srv.stop();
    }
  });
});

// Send a request head and up to bodyBytes of body as fast as the server takes them; resolve
// with whatever came back (status line) once the server closes or the time is up.
function post(url, head, bodyBytes, { timeoutMs = 20000, chunked = false } = {}) {
  const u = new URL(url);
  return new Promise((resolveP) => {
    const sock = net.connect(Number(u.port), u.hostname);
    let data = '', sent = 0, done = false;
    const piece = Buffer.alloc(64 * 1024, 0x61);
    const finish = () => { if (!done) { done = true; clearTimeout(timer); sock.destroy(); resolveP(data); } };
    const timer = setTimeout(finish, timeoutMs);
    sock.on('data', (d) => { data += d.toString('latin1'); });
    sock.on('close', finish);
    sock.on('error', finish);
    const pump = () => {
      while (sent < bodyBytes && !done) {
        const n = Math.min(piece.length, bodyBytes - sent);
        sent += n;
        const chunk = chunked ? Buffer.concat([Buffer.from(n.toString(16) + '\r\n'), piece.subarray(0, n), Buffer.from('\r\n')]) : piece.subarray(0, n);
        if (!sock.write(chunk)) { sock.once('drain', pump); return; }
      }
      if (chunked && !done) sock.write('0\r\n\r\n');
    };
    sock.on('connect', () => { sock.write(head); pump(); });
  });
}

describe('stopping during a sign-in flood', () => {
  test('SIGTERM with sign-ins queued: clean exit within seconds, waiting ones told to retry', async () => {
    const srv = await startServer({ demo: false, args: ['--trust-proxy'] });
    const tok = 'v'.repeat(43);
    let stop = false, n = 0;
    const statuses = new Set();
    const loop = async (k) => {
      while (!stop) {
        try {
          const r = await fetch(srv.url + '/api/v1/login', { method: 'POST',
            headers: { 'content-type': 'application/json', 'x-csrf-token': tok, cookie: 'gz_csrf=' + tok, 'x-forwarded-for': `10.3.${k}.${++n & 255}` },
            body: JSON.stringify({ login: 'x' + n, password: 'not it at all' }) });
          await r.arrayBuffer();
          statuses.add(r.status);
        } catch { await sleep(20); }
      }
    };
    const loops = Array.from({ length: 60 }, (_, k) => loop(k));
    await sleep(1500);
    const t0 = Date.now();
    const exit = await new Promise((r) => { srv.proc.once('exit', (code) => r(code)); srv.proc.kill('SIGTERM'); });
    const ms = Date.now() - t0;
    stop = true;
    await Promise.all(loops);
    assert.equal(exit, 0, srv.stderr().slice(-2000));
    assert.ok(ms < 5000, `stopped after ${ms} ms`);
    assert.ok(!/Sanitizer/.test(srv.stderr()), srv.stderr().slice(-2000));
    assert.ok(statuses.has(401));
    await srv.stop();
  });
});

describe('mail and SMS sends do not stall readers (review item)', () => {
  test('while 12 SMS sends wait 2 s each on a slow gateway, reader pages stay fast', async () => {
    let got = 0;
    const gw = http.createServer((req, res) => { req.resume(); got++; setTimeout(() => { res.writeHead(200); res.end('{}'); }, 2000); });
    await new Promise((r) => gw.listen(0, '127.0.0.1', r));
    const srv = await startServer({ demo: false, args: ['--trust-proxy'],
      env: { GAZETTE_SMS: 'http', GAZETTE_SMS_URL: `http://127.0.0.1:${gw.address().port}/send`, GAZETTE_SMS_TOKEN: 't' } });
    try {
      const tok = 'w'.repeat(43);
      for (let i = 0; i < 3; i++) await timed(srv.url + '/');
      const sends = Array.from({ length: 12 }, (_, i) => fetch(srv.url + '/api/v1/phone/send', { method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': tok, cookie: 'gz_csrf=' + tok, 'x-forwarded-for': `10.7.0.${i + 1}` },
        body: JSON.stringify({ phone: `1381234${String(1000 + i)}` }) }).then(async (r) => { await r.arrayBuffer(); return r.status; }));
      await sleep(300);
      const lat = [];
      for (let i = 0; i < 20; i++) { lat.push((await timed(srv.url + '/', { 'x-forwarded-for': '192.0.2.9' })).ms); await sleep(50); }
      const statuses = await Promise.all(sends);
      const worst = Math.max(...lat);
      console.log(`gateway saw ${got} sends; reader worst ${worst.toFixed(1)} ms; send statuses ${[...new Set(statuses)]}`);
      assert.ok(got >= 4, 'the sends really waited on the gateway');
      assert.ok(statuses.every((s) => s === 200), String(statuses));
      assert.ok(worst < 500, `reader worst ${worst.toFixed(1)} ms`);
    } finally {
      await srv.stop();
      gw.close();
    }
  });
});

describe('request bodies are limited before they are buffered (finding 3, lows)', () => {
  test('500 anonymous 4 MB POSTs to /newsroom/ keep the server under 100 MB', async () => {
    const srv = await startServer({ demo: false });
    try {
      const head = (n) => `POST /newsroom/story/1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${n}\r\n\r\n`;
      const first = await post(srv.url, head(4 << 20), 0, { timeoutMs: 5000 });
      assert.match(first, /^HTTP\/1\.1 413/, 'refused at the head, not after 4 MB');
      const base = rssMB(srv.proc.pid);
      let peak = base, left = 500;
      const sampler = setInterval(() => { peak = Math.max(peak, rssMB(srv.proc.pid)); }, 20);
      const until = Date.now() + 60000;
      const one = async () => { while (left-- > 0 && Date.now() < until) await post(srv.url, head(4 << 20), 4 << 20, { timeoutMs: 5000 }); };
      await Promise.all(Array.from({ length: 50 }, one));
      // The same bodies sent chunked (no Content-Length to refuse up front).
      left = 100;
      const chunkedHead = 'POST /newsroom/story/1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n';
      const onec = async () => { while (left-- > 0 && Date.now() < until) await post(srv.url, chunkedHead, 4 << 20, { chunked: true, timeoutMs: 5000 }); };
      await Promise.all(Array.from({ length: 20 }, onec));
      clearInterval(sampler);
      peak = Math.max(peak, rssMB(srv.proc.pid));
      console.log(`peak RSS ${peak.toFixed(1)} MB (${base.toFixed(1)} MB after start-up)`);
      // Under AddressSanitizer (make san) shadow memory and the quarantine of freed blocks take
      // start-up to 55 MB and the run to about 100: there the growth is what shows buffering
      // (the finding took the server to 2 GB).
      if (readFileSync(BIN).includes('__asan_init'))
        assert.ok(peak - base < 100, `RSS grew ${(peak - base).toFixed(1)} MB (sanitizer build)`);
      else
        assert.ok(peak < 100, `peak RSS ${peak.toFixed(1)} MB`);
      assert.equal((await fetch(srv.url + '/healthz')).status, 200);
    } finally {
      await srv.stop();
    }
  });

  test('an over-limit chunked POST gets 413; an over-long URL gets 414', async () => {
    const srv = await startServer({ demo: false });
    try {
      const r1 = await post(srv.url, 'POST /prefs/fs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n', 200 * 1024, { chunked: true, timeoutMs: 5000 });
      assert.match(r1, /^HTTP\/1\.1 413/);
      const r2 = await post(srv.url, 'POST /prefs/fs HTTP/1.1\r\nHost: x\r\nContent-Length: 70000\r\n\r\n', 0, { timeoutMs: 5000 });
      assert.match(r2, /^HTTP\/1\.1 413/);
      const sp = await fetch(srv.url + '/search?q=' + '%20'.repeat(150) + 'kestrel%20');
      assert.equal(sp.status, 200, 'leading spaces are trimmed, not counted below zero');
      assert.match(await sp.text(), /name="q" type="search" maxlength="100" value="kestrel"/);
      const r3 = await raw(srv.url, `GET /search?q=${'a'.repeat(15 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`, 5000);
      assert.match(r3.data, /^HTTP\/1\.1 414/);
    } finally {
      await srv.stop();
    }
  });
});

describe('the data folder (finding 9, start-up)', () => {
  test('a second server on the same folder refuses to start, naming the folder and the PID', { skip: !!PG && 'SQLite only: on PostgreSQL servers share the folder (multiserver.test.mjs)' }, async () => {
    const srv = await startServer({ demo: false });
    try {
      const r = gazette(['serve', '--listen', '127.0.0.1:0', '--data', srv.dir, '--no-demo'], { timeout: 10000 });
      assert.equal(r.status, 1);
      assert.ok(r.stderr.includes(srv.dir), r.stderr);
      assert.ok(r.stderr.includes(`pid ${srv.proc.pid}`), r.stderr);
      assert.equal((await fetch(srv.url + '/healthz')).status, 200);
    } finally {
      await srv.stop();
    }
  });
});

function run(args) {
  return new Promise((res) => {
    const p = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('exit', (status) => res({ status, stdout: out, stderr: err }));
  });
}

async function registerApi(base, i) {
  const tok = 'y'.repeat(43);
  const res = await fetch(base + '/api/v1/register', { method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': tok, cookie: 'gz_csrf=' + tok },
    body: JSON.stringify({ email: `u${i}@example.com`, username: `user${i}`, password: 'correct horse battery', agree: true }) });
  await res.arrayBuffer();
  return res.status;
}

describe('backup and restore (issue 9)', () => {
  test('a backup taken under write load restores and serves; a damaged one is refused', { skip: !!PG && 'SQLite backup; PostgreSQL uses pg_dump (multiserver.test.mjs)' }, async () => {
    const work = mkdtempSync(join(tmpdir(), 'gz-bk-'));
    const srv = await startServer({ demo: true });
    let restored;
    try {
      const bundle = (k) => JSON.stringify({ gazette_bundle: 1, slug: `load-${k}`, section: { slug: 'tech', zh: '科技', en: 'Technology' },
        published: '2026-11-20T10:00:00Z', en: { headline: `Load ${k}`, body: ['One. Two.'] }, zh: { headline: `负载 ${k}`, body: ['一。'] } });
      let stop = false, registered = 0, imported = 0;
      const regLoop = (async () => { for (let i = 0; !stop; i++) if (await registerApi(srv.url, i) === 200) registered++; })();
      const impLoop = (async () => {
        for (let k = 0; !stop; k++) {
          const f = join(work, `b${k}.json`);
          writeFileSync(f, bundle(k));
          if ((await run(['import', '--data', srv.dir, f])).status === 0) imported++;
        }
      })();
      // some writes acknowledged before the backup starts (hashing runs at low priority: on a
      // busy machine the first registrations can take a while)
      for (let t = 0; t < 300 && (registered < 2 || imported < 2); t++) await sleep(100);
      const before = registered;
      const bk = join(work, 'bk');
      const b = await run(['backup', '--data', srv.dir, bk]);
      assert.equal(b.status, 0, b.stderr);
      assert.match(b.stdout, /verified/);
      await sleep(500);
      stop = true;
      await Promise.all([regLoop, impLoop]);
      assert.ok(before > 0 && imported > 0, `load ran (${before} registered before the backup, ${imported} imports)`);
      // The live folder is held by the server: restore refuses to overwrite it.
      const busy = await run(['restore', '--data', srv.dir, bk]);
      assert.equal(busy.status, 1);
      assert.match(busy.stderr, /in use by another gazette serve/);
      // Restore into a new folder and serve it.
      const target = join(work, 'site');
      const r = await run(['restore', '--data', target, bk]);
      assert.equal(r.status, 0, r.stderr);
      restored = await startServer({ demo: false, dataDir: target });
      const home = await fetch(restored.url + '/');
      assert.equal(home.status, 200);
      const html = await home.text();
      const m = html.match(/href="\/story\/(\d+)"/);
      assert.ok(m, 'stories survive');
      const story = await (await fetch(restored.url + '/story/' + m[1])).text();
      const media = story.match(/\/media\/([\w.-]+\.(?:mp3|wav|ogg|opus))/);
      assert.ok(media, 'the story has narration');
      const mres = await fetch(restored.url + '/media/' + media[1]);
      assert.equal(mres.status, 200);
      assert.equal((await mres.arrayBuffer()).byteLength, statSync(join(srv.dir, 'media', media[1])).size);
      // an account made before the backup started can sign in on the restored site
      const tok = 'z'.repeat(43);
      const login = await fetch(restored.url + '/api/v1/login', { method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': tok, cookie: 'gz_csrf=' + tok },
        body: JSON.stringify({ login: 'u0@example.com', password: 'correct horse battery' }) });
      assert.equal(login.status, 200);
      await restored.stop();
      restored = null;
      // A damaged backup is refused, and the folder it would have replaced is untouched.
      const victim = readdirSync(join(bk, 'media'))[0];
      appendFileSync(join(bk, 'media', victim), 'x');
      const bad = await run(['restore', '--data', target, bk]);
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /refusing to restore.*does not match the manifest/);
      const gone = await run(['restore', '--data', join(work, 'other'), join(work, 'nothing-here')]);
      assert.equal(gone.status, 1);
      assert.ok(!existsSync(join(work, 'other', 'gazette.db')));
    } finally {
      await restored?.stop();
      await srv.stop();
      rmSync(work, { recursive: true, force: true });
    }
  });
});

function readerGet(url, localAddress, timeoutMs = 3000) {
  const u = new URL(url);
  return new Promise((res) => {
    const t0 = performance.now();
    const req = http.get({ host: u.hostname, port: u.port, path: '/', localAddress, agent: false, timeout: timeoutMs }, (r) => {
      r.resume();
      r.on('end', () => res({ status: r.statusCode, ms: performance.now() - t0 }));
    });
    req.on('timeout', () => { req.destroy(); res({ status: 0, ms: timeoutMs }); });
    req.on('error', () => res({ status: -1, ms: performance.now() - t0 }));
  });
}

describe('slow clients (finding 4)', () => {
  test('2000 byte-by-byte connections from 10 addresses do not crowd out a reader; heads have a deadline', async () => {
    const srv = await startServer({ demo: false });
    const u = new URL(srv.url);
    let stop = false, opened = 0, lifetimes = [];
    const socks = new Set();
    const slow = (addr) => {
      if (stop) return;
      const t0 = Date.now();
      const s = net.connect({ host: u.hostname, port: Number(u.port), localAddress: addr });
      let timer;
      socks.add(s);
      s.on('connect', () => {
        opened++;
        s.write('GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ');
        timer = setInterval(() => s.write('a'), 1000);
      });
      s.on('error', () => {});
      s.on('close', () => {
        clearInterval(timer);
        socks.delete(s);
        if (Date.now() - t0 > 2000) lifetimes.push(Date.now() - t0);
        setTimeout(() => slow(addr), 1000); // come back, as an attacker would
      });
    };
    try {
      for (let i = 0; i < 2000; i++) slow(`127.0.0.${2 + (i % 10)}`);
      await sleep(2000);
      const lat = [];
      for (let i = 0; i < 20; i++) {
        lat.push(await readerGet(srv.url, '127.1.0.1'));
        await sleep(500);
      }
      const failed = lat.filter((r) => r.status !== 200);
      const slowest = Math.max(...lat.map((r) => r.ms));
      console.log(`${opened} slow connections opened; reader: ${failed.length} of 20 failed, slowest ${slowest.toFixed(0)} ms; slow heads closed after ${lifetimes.length ? (Math.min(...lifetimes) / 1000).toFixed(1) : '-'}..${lifetimes.length ? (Math.max(...lifetimes) / 1000).toFixed(1) : '-'} s`);
      assert.equal(failed.length, 0, 'every reader request answered');
      // Refused attackers come straight back: a burst can fill the kernel's accept queue and
      // cost a reader one SYN retransmit (1 s). Before the caps, every request timed out.
      assert.ok(slowest < 2000, `slowest reader request ${slowest.toFixed(0)} ms`);
      assert.ok(lifetimes.length > 0, 'trickled heads are cut off');
      assert.ok(Math.max(...lifetimes) < 14000, `a trickled head lived ${Math.max(...lifetimes)} ms`);
    } finally {
      stop = true;
      for (const s of socks) s.destroy();
      await srv.stop();
    }
  });
});

// Send head at once, then body in pieces of pieceBytes every everyMs; resolve with the reply and
// how long the connection lived after the head, once the server closes it or timeoutMs passes.
function slowSend(url, head, body, { pieceBytes, everyMs, localAddress, timeoutMs = 30000 }) {
  const u = new URL(url);
  return new Promise((resolveP) => {
    const s = net.connect({ host: u.hostname, port: Number(u.port), localAddress });
    let data = '', sent = 0, t0 = 0, timer, done = false;
    const finish = (closed) => {
      if (done) return;
      done = true;
      clearInterval(timer);
      clearTimeout(limit);
      s.destroy();
      resolveP({ data, closed, ms: Date.now() - t0, sent });
    };
    const limit = setTimeout(() => finish(false), timeoutMs);
    const piece = () => {
      if (sent >= body.length) return clearInterval(timer);
      const n = Math.min(pieceBytes, body.length - sent);
      s.write(body.subarray(sent, sent + n));
      sent += n;
    };
    s.on('connect', () => { t0 = Date.now(); s.write(head); piece(); timer = setInterval(piece, everyMs); });
    s.on('data', (d) => { data += d.toString('latin1'); });
    s.on('close', () => finish(true));
    s.on('error', () => {});
  });
}

// 16-bit mono PCM at 16 kHz, silent: a file the upload check decodes.
function wavBytes(bytes) {
  const n = bytes - 44, h = Buffer.alloc(44);
  h.write('RIFF', 0); h.writeUInt32LE(36 + n, 4); h.write('WAVEfmt ', 8); h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22); h.writeUInt32LE(16000, 24); h.writeUInt32LE(32000, 28);
  h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34); h.write('data', 36); h.writeUInt32LE(n, 40);
  return Buffer.concat([h, Buffer.alloc(n)]);
}

describe('slow request bodies', () => {
  // The limits (src/http/http.h): a form body whole within 20 s of its head; an editor's upload
  // at least 64 KB in every 10 s. The three kinds of sender run at once, with a reader beside.
  test('a trickled form body is cut with a 408 within its deadline; a stalled upload too; a slow but steady upload and a reader are not', async () => {
    const PW = 'editor pass phrase';
    const work = mkdtempSync(join(tmpdir(), 'gz-slowbody-'));
    const dir = join(work, 'site');
    const add = gazette(['user', 'add', '--data', dir, '--role', 'editor', '--password-stdin', 'ed@example.com'], { input: PW + '\n' });
    assert.equal(add.status, 0, add.stderr);
    const srv = await startServer({ demo: false, dataDir: dir });
    try {
      const ed = new Client(srv.url);
      await ed.get('/login');
      assert.equal((await ed.post('/login', { login: 'ed@example.com', password: PW })).status, 303);
      await ed.get('/newsroom/new');
      const made = await ed.post('/newsroom/new', { version: '0', slug: 'slow-upload', new_section: 'ports, 港口, Ports',
        en_headline: 'Sent slowly', en_body: 'One sentence. Two sentences.', action: 'save' });
      assert.equal(made.status, 303);
      const id = made.location.match(/story\/(\d+)/)[1];
      await ed.get(`/newsroom/story/${id}`);
      const upload = (wavLen, contentLength) => {
        const b = 'gzslow' + Math.random().toString(36).slice(2);
        const body = Buffer.concat([
          Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n${ed.csrf}\r\n--${b}\r\n` +
            'Content-Disposition: form-data; name="audio"; filename="slow.wav"\r\nContent-Type: audio/wav\r\n\r\n'),
          wavBytes(wavLen), Buffer.from(`\r\n--${b}--\r\n`)]);
        const head = `POST /newsroom/story/${id}/narration/en HTTP/1.1\r\nHost: x\r\nCookie: ${ed.cookieHeader()}\r\n` +
          `Content-Type: multipart/form-data; boundary=${b}\r\nContent-Length: ${contentLength ?? body.length}\r\nConnection: close\r\n\r\n`;
        return { head, body };
      };
      const form = 'POST /prefs/fs HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n';
      // 40 forms trickled a byte a second (before: each lived as long as it kept trickling)
      const forms = Array.from({ length: 40 }, (_, i) => slowSend(srv.url, form, Buffer.alloc(1000, 0x61),
        { pieceBytes: 1, everyMs: 1000, localAddress: `127.0.0.${2 + (i % 5)}` }));
      // an upload that stalls at 1 KB a second
      const stalled = upload(1 << 20, undefined);
      const stall = slowSend(srv.url, stalled.head, stalled.body, { pieceBytes: 1024, everyMs: 1000 });
      // a real upload at 16 KB a second: 24 s, longer than a form may take
      const steady = upload(384 * 1024 - 400);
      const good = slowSend(srv.url, steady.head, steady.body, { pieceBytes: 16 * 1024, everyMs: 1000, timeoutMs: 40000 });
      const lat = [];
      for (let i = 0; i < 40; i++) {
        lat.push(await readerGet(srv.url, '127.1.0.1'));
        await sleep(500);
      }
      const cut = await Promise.all(forms);
      const st = await stall, ok = await good;
      const range = (xs) => `${(Math.min(...xs) / 1000).toFixed(1)}..${(Math.max(...xs) / 1000).toFixed(1)} s`;
      console.log(`trickled forms cut after ${range(cut.map((c) => c.ms))}, ${cut.filter((c) => /^HTTP\/1\.1 408/.test(c.data)).length} of ${cut.length} told 408; ` +
        `stalled upload cut after ${(st.ms / 1000).toFixed(1)} s (${st.sent} bytes); steady upload ${ok.sent} bytes in ${(ok.ms / 1000).toFixed(1)} s: ${ok.data.split('\r\n')[0]}; ` +
        `reader: ${lat.filter((r) => r.status !== 200).length} of ${lat.length} failed, slowest ${Math.max(...lat.map((r) => r.ms)).toFixed(0)} ms`);
      for (const c of cut) {
        assert.ok(c.closed && c.ms >= 18500 && c.ms < 23000, `a trickled form lived ${c.ms} ms`);
        assert.match(c.data, /^HTTP\/1\.1 408 /);
      }
      assert.ok(st.closed && st.ms >= 18500 && st.ms < 23000, `the stalled upload lived ${st.ms} ms`);
      assert.match(st.data, /^HTTP\/1\.1 408 /);
      assert.ok(ok.ms > 21000, `the steady upload took ${ok.ms} ms`);
      assert.equal(ok.sent, steady.body.length);
      assert.match(ok.data, /^HTTP\/1\.1 303 /, ok.data.slice(0, 300));
      assert.ok(lat.every((r) => r.status === 200), 'every reader request answered');
      assert.ok(Math.max(...lat.map((r) => r.ms)) < 2000);
      assert.deepEqual(readdirSync(join(dir, 'media')).filter((f) => f.startsWith('.upload-')), [], 'a cut upload leaves no file');
      assert.match(srv.stderr(), /"POST \/prefs\/fs" 408 /, 'the access log names the 408');
    } finally {
      await srv.stop();
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('start-up checks and housekeeping (issue 9, lows)', () => {
  test('a damaged, a foreign or an empty database is refused, naming the file', { skip: !!PG && 'checks of the SQLite file' }, async () => {
    const work = mkdtempSync(join(tmpdir(), 'gz-bad-'));
    try {
      // a real site, then one of its pages overwritten
      const dir = join(work, 'site');
      const srv = await startServer({ demo: true, dataDir: dir });
      await srv.stop();
      const db = join(dir, 'gazette.db');
      const bytes = readFileSync(db);
      for (let i = 4096 * 3; i < 4096 * 3 + 64; i++) bytes[i] = 0xee;
      writeFileSync(db, bytes);
      let r = gazette(['serve', '--listen', '127.0.0.1:0', '--data', dir], { timeout: 20000 });
      assert.equal(r.status, 1);
      assert.ok(r.stderr.includes(db), r.stderr);
      assert.match(r.stderr, /damaged|not a database/);
      // not a database at all
      writeFileSync(db, Buffer.alloc(8192, 0x41));
      r = gazette(['serve', '--listen', '127.0.0.1:0', '--data', dir], { timeout: 20000 });
      assert.equal(r.status, 1);
      assert.ok(r.stderr.includes(db), r.stderr);
      // zero bytes: refused, not reseeded
      writeFileSync(db, '');
      r = gazette(['serve', '--listen', '127.0.0.1:0', '--data', dir], { timeout: 20000 });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /is empty \(0 bytes\)/);
      assert.equal(statSync(db).size, 0, 'left as it was');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  test('a read-only data folder: serve and import name the file and the cause', async (t) => {
    const mnt = mkdtempSync(join(tmpdir(), 'gz-ro-'));
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt]).status !== 0) {
      rmSync(mnt, { recursive: true, force: true });
      t.skip('cannot mount a tmpfs here (needs root): read-only folder not tested');
      return;
    }
    try {
      const dir = join(mnt, 'site');
      const srv = await startServer({ demo: false, dataDir: dir });
      await srv.stop();
      assert.equal(spawnSync('mount', ['-o', 'remount,ro', mnt]).status, 0);
      const r = gazette(['serve', '--listen', '127.0.0.1:0', '--data', dir], { timeout: 20000 });
      assert.equal(r.status, 1);
      assert.ok(r.stderr.includes(dir), r.stderr);
      assert.match(r.stderr, /Read-only file system/);
      const f = join(tmpdir(), `gz-ro-${process.pid}.json`);
      writeFileSync(f, '{}');
      const i = gazette(['import', '--data', dir, f], { timeout: 20000 });
      rmSync(f, { force: true });
      assert.notEqual(i.status, 0);
      assert.ok(i.stderr.includes(dir), i.stderr);
      assert.match(i.stderr, /read-only|Read-only/);
    } finally {
      spawnSync('umount', [mnt]);
      rmSync(mnt, { recursive: true, force: true });
    }
  });

  test('orphaned upload files are removed at start-up', { skip: !!PG && 'a shared media folder is not cleaned at start-up (docs/DEPLOY.md)' }, async () => {
    const work = mkdtempSync(join(tmpdir(), 'gz-orph-'));
    const dir = join(work, 'site');
    let srv = await startServer({ demo: false, dataDir: dir });
    await srv.stop();
    writeFileSync(join(dir, 'media', '.upload-AbC123'), 'half an upload');
    writeFileSync(join(dir, 'media', 'x.mp3.tmp999999999'), 'half a copy');
    writeFileSync(join(dir, 'media', '.import-999999999-en.tmp'), 'a dead import\'s copy');
    writeFileSync(join(dir, 'media', '.import-999999999-zh.mp3'), 'a dead import\'s narration');
    const live = `.import-${process.pid}-en.tmp`; // an import still running beside the server
    writeFileSync(join(dir, 'media', live), 'being copied');
    writeFileSync(join(dir, 'media', 'kept.mp3'), 'narration');
    srv = await startServer({ demo: false, dataDir: dir });
    try {
      assert.ok(!existsSync(join(dir, 'media', '.upload-AbC123')));
      assert.ok(!existsSync(join(dir, 'media', 'x.mp3.tmp999999999')));
      assert.ok(!existsSync(join(dir, 'media', '.import-999999999-en.tmp')));
      assert.ok(!existsSync(join(dir, 'media', '.import-999999999-zh.mp3')));
      assert.ok(existsSync(join(dir, 'media', live)), 'a live import keeps its file');
      assert.ok(existsSync(join(dir, 'media', 'kept.mp3')));
    } finally {
      await srv.stop();
      rmSync(work, { recursive: true, force: true });
    }
  });

  // Another process holds the SQLite write lock: every pass of the worker waits out the busy
  // timeout (5 s) in publish_due and again in job_claim. Each failure is logged, once a minute.
  test('the worker logs a database that keeps refusing it, at most once a minute', {
    skip: (!!PG && 'holds the SQLite write lock') ||
      (spawnSync('sqlite3', ['--version']).status !== 0 && 'needs the sqlite3 client') }, async () => {
    const srv = await startServer({ demo: false });
    await sleep(1500); // the first pass (and its purge) is done
    const holder = spawn('sqlite3', [join(srv.dir, 'gazette.db')], { stdio: ['pipe', 'ignore', 'inherit'] });
    try {
      holder.stdin.write('.timeout 5000\nBEGIN IMMEDIATE;\n');
      await sleep(24000); // two passes or more
      const publish = srv.stderr().match(/WARN worker .*cannot publish scheduled stories: .*/g) || [];
      const claim = srv.stderr().match(/WARN worker .*cannot claim a job: .*/g) || [];
      assert.equal(publish.length, 1, srv.stderr());
      assert.equal(claim.length, 1, srv.stderr());
      assert.match(claim[0], /busy|locked/);
    } finally {
      holder.stdin.end('ROLLBACK;\n');
      await new Promise((res) => holder.once('exit', res));
      await srv.stop();
    }
  });

  test('SMS codes never reach the log; expired outbox rows are purged by the worker', async () => {
    const work = mkdtempSync(join(tmpdir(), 'gz-purge-'));
    const clock = join(work, 'clock');
    writeFileSync(clock, '0');
    const srv = await startServer({ demo: false, args: ['--dev'], env: { GAZETTE_CLOCK_FILE: clock } });
    try {
      const tok = 'q'.repeat(43);
      const res = await fetch(srv.url + '/api/v1/phone/send', { method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': tok, cookie: 'gz_csrf=' + tok },
        body: JSON.stringify({ phone: '13812345678' }) });
      assert.equal(res.status, 200, await res.text());
      const box = await (await fetch(srv.url + '/dev/outbox')).text();
      const code = box.match(/\b(\d{6})\b/);
      assert.ok(code, 'a code in the outbox');
      await sleep(300);
      assert.ok(!srv.stderr().includes(code[1]), 'the code is not logged');
      assert.match(srv.stderr(), /sms to '\+8613812345678'/);
      writeFileSync(clock, String(2 * 86400));
      await sleep(2500);
      const after = await (await fetch(srv.url + '/dev/outbox')).text();
      assert.ok(!after.includes(code[1]), 'purged after a day');
      assert.match(srv.stderr(), /purged \d+ expired rows/);
    } finally {
      await srv.stop();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
