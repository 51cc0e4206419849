// Start the real gazette binary on loopback with a temporary data folder.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import net from 'node:net';

export const BIN = process.env.GAZETTE_BIN || resolve('build/gazette');

// GAZETTE_TEST_PG=postgresql:///postgres?host=SOCKDIR&user=postgres (scripts/test.sh starts a
// throw-away cluster): every server gets a fresh PostgreSQL database instead of DIR/gazette.db,
// and gazette CLI calls naming that data folder use it too.
export const PG = process.env.GAZETTE_TEST_PG || '';
const pgByDir = new Map();

function psql(url, sql) {
  const r = spawnSync('psql', [url, '-qAtc', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql: ${r.stderr}`);
  return r.stdout;
}

// A new empty database on the test cluster; returns its URL.
export function pgCreate() {
  const name = 'gzt_' + Math.random().toString(36).slice(2, 10);
  psql(PG, `CREATE DATABASE ${name}`);
  return PG.replace(/^postgresql:\/\/\/[^?]*/, `postgresql:///${name}`);
}

export function pgDrop(url) {
  const name = url.match(/^postgresql:\/\/\/([^?]+)/)[1];
  psql(PG, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

// The database a data folder's server uses under PG (undefined on SQLite).
export function dbOf(dir) { return pgByDir.get(resolve(dir)); }

export async function startServer({ demo = true, args = [], dataDir, env = {}, db } = {}) {
  const dir = dataDir || mkdtempSync(join(tmpdir(), 'gz-it-'));
  let ownDb = null;
  if (PG && !db && !args.includes('--db')) {
    db = dbOf(dir) || (ownDb = pgCreate());
    pgByDir.set(resolve(dir), db);
  }
  const proc = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--data', dir, ...(db ? ['--db', db] : []),
    ...(demo ? [] : ['--no-demo']), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '', stdout = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  proc.stdout.on('data', (d) => { stdout += d; });
  const url = await new Promise((res, rej) => {
    let out = '';
    const timer = setTimeout(() => rej(new Error('server did not start: ' + stderr)), 60000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[^\s]+)/);
      if (m) { clearTimeout(timer); res(m[1]); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); rej(new Error(`server exited ${code}: ${stderr}`)); });
  });
  return {
    url, dir, proc,
    stderr: () => stderr,
    stdout: () => stdout,
    async stop({ keep = false } = {}) {
      if (proc.exitCode === null) {
        const done = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await done;
      }
      if (!keep && !dataDir) rmSync(dir, { recursive: true, force: true });
      if (!keep && ownDb) { pgByDir.delete(resolve(dir)); pgDrop(ownDb); }
    },
  };
}

export function gazette(args, opts = {}) {
  const i = args.indexOf('--data');
  let db;
  if (PG && i >= 0 && !args.includes('--db')) {
    // A command run before the folder's server starts (gazette user add): the folder gets its
    // database now, and the server started on it later uses the same one.
    db = dbOf(args[i + 1]);
    if (!db) { db = pgCreate(); pgByDir.set(resolve(args[i + 1]), db); }
  }
  const env = db ? { ...(opts.env || process.env), GAZETTE_DB: db } : opts.env;
  return spawnSync(BIN, args, { encoding: 'utf8', ...opts, ...(env ? { env } : {}) });
}

// Send raw bytes and collect the whole reply until the server closes (or timeout).
export function raw(url, bytes, timeoutMs = 3000) {
  const u = new URL(url);
  return new Promise((resolveP) => {
    const sock = net.connect(Number(u.port), u.hostname);
    let data = '';
    let closed = false;
    const timer = setTimeout(() => { sock.destroy(); resolveP({ data, closed }); }, timeoutMs);
    sock.on('data', (d) => { data += d.toString('latin1'); });
    sock.on('end', () => { closed = true; });
    sock.on('close', () => { clearTimeout(timer); closed = true; resolveP({ data, closed }); });
    sock.on('error', () => {});
    sock.write(bytes);
  });
}

// A browser-like client: a cookie jar, the CSRF token of the last page, forms posted by name.
export class Client {
  constructor(base, headers = {}) { this.base = base; this.jar = new Map(); this.headers = headers; this.csrf = null; }
  cookieHeader() { return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '); }
  take(res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const i = pair.indexOf('=');
      const k = pair.slice(0, i), v = pair.slice(i + 1);
      if (attrs.some((a) => /max-age=0\b/i.test(a.trim())) || v === '') this.jar.delete(k);
      else this.jar.set(k, v);
    }
  }
  async get(path, headers = {}) {
    const res = await fetch(this.base + path, { redirect: 'manual', headers: { ...this.headers, cookie: this.cookieHeader(), ...headers } });
    this.take(res);
    const text = await res.text();
    const m = text.match(/name="csrf" value="([\w-]+)"/);
    if (m) this.csrf = m[1];
    return { res, text, status: res.status };
  }
  async post(path, fields, headers = {}) {
    if (!this.csrf) await this.get('/');
    const body = new URLSearchParams({ csrf: this.csrf, ...fields }).toString();
    const res = await fetch(this.base + path, { method: 'POST', redirect: 'manual', body,
      headers: { ...this.headers, 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookieHeader(), ...headers } });
    this.take(res);
    const text = await res.text();
    const m = text.match(/name="csrf" value="([\w-]+)"/);
    if (m) this.csrf = m[1];
    return { res, text, status: res.status, location: res.headers.get('location') };
  }
  async api(path, json, headers = {}) {
    if (!this.csrf) await this.get('/');
    const res = await fetch(this.base + '/api/v1/' + path, { method: json === undefined ? 'GET' : 'POST', redirect: 'manual',
      body: json === undefined ? undefined : JSON.stringify(json),
      headers: { ...this.headers, 'content-type': 'application/json', 'x-csrf-token': this.csrf, cookie: this.cookieHeader(), ...headers } });
    this.take(res);
    return { res, status: res.status, json: await res.json() };
  }
}
