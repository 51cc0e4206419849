// Narration of an unpublished story is for editors only (finding 8): readers get 404, editors
// get it uncached (private), and it is public once the story is published.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startServer, gazette, Client } from './server.mjs';

let srv, dir;
const PW = 'editor pass phrase';

async function signIn(email) {
  const c = new Client(srv.url);
  await c.get('/login');
  const r = await c.post('/login', { login: email, password: PW });
  assert.equal(r.status, 303);
  return c;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gz-media-'));
  const r = gazette(['user', 'add', '--data', join(dir, 'data'), '--role', 'editor', '--password-stdin', 'ed@example.com'], { input: PW + '\n' });
  assert.equal(r.status, 0, r.stderr);
  srv = await startServer({ demo: false, dataDir: join(dir, 'data') });
});
after(async () => { await srv?.stop(); rmSync(dir, { recursive: true, force: true }); });

test("a draft's narration is not served to readers; editors may fetch it; publishing opens it", async () => {
  const ed = await signIn('ed@example.com');
  await ed.get('/newsroom/new');
  const fields = { version: '0', slug: 'draft-audio', new_section: 'ports, 港口, Ports',
    en_headline: 'Harbour traffic rises', en_body: 'The harbour said traffic rose. Rates fell again.', action: 'save' };
  let r = await ed.post('/newsroom/new', fields);
  assert.equal(r.status, 303);
  const id = r.location.match(/story\/(\d+)/)[1];
  const wav = join(dir, 'speech.wav');
  execFileSync('espeak-ng', ['-v', 'en', '-w', wav, 'The harbour said traffic rose. Rates fell again.']);
  await ed.get(`/newsroom/story/${id}`);
  const fd = new FormData();
  fd.append('csrf', ed.csrf);
  fd.append('audio', new Blob([readFileSync(wav)]), 'speech.wav');
  const up = await fetch(`${srv.url}/newsroom/story/${id}/narration/en`, { method: 'POST', body: fd, redirect: 'manual', headers: { cookie: ed.cookieHeader() } });
  assert.equal(up.status, 303);
  let job;
  for (let i = 0; i < 300; i++) {
    job = await (await fetch(`${srv.url}/newsroom/story/${id}/job/en`, { headers: { cookie: ed.cookieHeader() } })).json();
    if (job.state === 'done' || job.state === 'failed') break;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(job.state, 'done', JSON.stringify(job));
  const files = readdirSync(join(dir, 'data', 'media'));
  assert.equal(files.length, 1);
  const url = `/media/${files[0]}`;
  const anon = await fetch(srv.url + url);
  assert.equal(anon.status, 404, 'readers do not get a draft\'s narration');
  await anon.arrayBuffer();
  const mine = await fetch(srv.url + url, { headers: { cookie: ed.cookieHeader() } });
  assert.equal(mine.status, 200, 'the editor previews it');
  assert.equal(mine.headers.get('cache-control'), 'private, no-store');
  await mine.arrayBuffer();
  // Publish: now everyone may fetch it, cacheably.
  const page = await ed.get(`/newsroom/story/${id}`);
  const version = page.text.match(/name="version" value="(\d+)"/)[1];
  r = await ed.post(`/newsroom/story/${id}`, { ...fields, version, section: 'ports', new_section: '', action: 'publish' });
  assert.equal(r.status, 303, r.text.match(/role="alert">[^<]*/)?.[0]);
  const pub = await fetch(srv.url + url);
  assert.equal(pub.status, 200);
  assert.match(pub.headers.get('cache-control'), /public/);
  await pub.arrayBuffer();
});
