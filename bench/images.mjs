// Picture uploads: time of POST /newsroom/story/ID/image (stream, decode, strip, 3 sizes in
// WebP and JPEG, fsync, commit) for one file, 5 runs, and the sizes written.
// GAZETTE_BIN=$PWD/build/gazette node bench/images.mjs [PICTURE]  (default: a 4000x3000 PNG)
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, gazette, Client } from '../tests/integration/server.mjs';
import { png } from '../tests/integration/png.mjs';
const dir = mkdtempSync(join(tmpdir(), 'gz-imgbench-'));
gazette(['user', 'add', '--data', join(dir, 'data'), '--role', 'editor', '--password-stdin', 'b@example.com'], { input: 'bench pass phrase\n' });
const srv = await startServer({ demo: false, dataDir: join(dir, 'data') });
const c = new Client(srv.url);
await c.get('/login');
await c.post('/login', { login: 'b@example.com', password: 'bench pass phrase' });
await c.get('/newsroom/new');
const r = await c.post('/newsroom/new', { version: '0', new_section: 'b, 乙, B', en_headline: 'B', en_body: 'One.', action: 'save' });
const id = r.location.match(/story\/(\d+)/)[1];
await c.get(`/newsroom/story/${id}`);
const bytes = process.argv[2] ? readFileSync(process.argv[2]) : png(4000, 3000);
const times = [];
for (let i = 0; i < 5; i++) {
  const fd = new FormData();
  fd.append('csrf', c.csrf);
  fd.append('alt', 'run ' + i);
  fd.append('image', new Blob([bytes]), 'p.jpg');
  const t0 = performance.now();
  const res = await fetch(`${srv.url}/newsroom/story/${id}/image`, { method: 'POST', body: fd, redirect: 'manual', headers: { cookie: c.cookieHeader() } });
  times.push(performance.now() - t0);
  if (res.status !== 303) throw new Error(res.status + await res.text());
}
times.sort((a, b) => a - b);
console.log('upload+process ms: median', times[2].toFixed(0), 'min', times[0].toFixed(0), 'max', times[4].toFixed(0));
const img = join(dir, 'data', 'media', 'img');
for (const f of readdirSync(img).sort()) console.log(f, statSync(join(img, f)).size);
await srv.stop();
