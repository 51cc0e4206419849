// Newsroom pictures on the real binary (issue 11): upload (CSRF, size limit, non-pictures and
// damaged files refused with the reason, nothing kept), the Markdown to paste, the story page
// (figure with srcset/sizes/width/height/lazy, lead picture at the top, og:image), the home
// page thumbnail, the feeds, and who may fetch /media/img (drafts: editors only).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, gazette, Client, PG } from './server.mjs';
import { png } from './png.mjs';

let srv, dir;
const PW = 'editor pass phrase';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gz-img-'));
  const r = gazette(['user', 'add', '--data', join(dir, 'data'), '--role', 'editor', '--password-stdin', 'ed@example.com'], { input: PW + '\n' });
  assert.equal(r.status, 0, r.stderr);
  srv = await startServer({ demo: false, dataDir: join(dir, 'data') });
});
after(async () => { if (process.env.GZ_DEBUG) console.log(srv?.stderr()); await srv?.stop(); });

const imgDir = () => join(dir, 'data', 'media', 'img');
const imgFiles = () => (existsSync(imgDir()) ? readdirSync(imgDir()) : []);

async function upload(c, id, bytes, fields = {}, csrf = c.csrf) {
  const fd = new FormData();
  if (csrf) fd.append('csrf', csrf);
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  fd.append('image', new Blob([bytes]), 'photo.png');
  const res = await fetch(`${srv.url}/newsroom/story/${id}/image`, {
    method: 'POST', body: fd, redirect: 'manual', headers: { cookie: c.cookieHeader() } });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

const fields = {
  new_section: 'ports, 港口, Ports', en_headline: 'Cranes at dawn', en_standfirst: 'The port at work.',
  zh_headline: '黎明的吊车', zh_body: '港口很忙。',
};

test('upload → Markdown → page, og:image, lists, feeds, and /media/img access', async () => {
  const ed = new Client(srv.url);
  await ed.get('/login');
  assert.equal((await ed.post('/login', { login: 'ed@example.com', password: PW })).status, 303);
  await ed.get('/newsroom/new');
  let r = await ed.post('/newsroom/new', { ...fields, version: '0', en_body: 'The port is busy. Ships wait.', action: 'save' });
  assert.equal(r.status, 303, r.text);
  const id = r.location.match(/story\/(\d+)/)[1];
  await ed.get(`/newsroom/story/${id}`);

  // Refusals, each with its reason and nothing kept.
  r = await upload(ed, id, png(64, 64), {}, 'wrong-token');
  assert.equal(r.status, 403);
  r = await upload(ed, id, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'));
  assert.equal(r.status, 422);
  assert.match(r.text, /role="alert">this is not a JPEG, PNG or WebP picture: nothing was changed</);
  const good = png(1200, 800);
  r = await upload(ed, id, good.subarray(0, good.length - 200));
  assert.equal(r.status, 422, 'a damaged picture is refused');
  assert.match(r.text, /role="alert">the picture (is damaged|cannot be read)[^<]*nothing was changed</);
  const big = await fetch(`${srv.url}/newsroom/story/${id}/image`, { method: 'POST', redirect: 'manual',
    headers: { cookie: ed.cookieHeader(), 'content-type': 'multipart/form-data; boundary=x' },
    body: Buffer.alloc(21 << 20) }).catch((e) => e);
  if (process.env.GZ_DEBUG) console.log("oversize:", big instanceof Error ? big.message : big.status);
  if (!(big instanceof Error)) {
    assert.equal(big.status, 413);
    assert.match(await big.text(), /larger than 20 MB/);
  }
  const plain = await fetch(`${srv.url}/newsroom/story/${id}/image`, { method: 'POST', redirect: 'manual',
    headers: { cookie: ed.cookieHeader(), 'content-type': 'image/png' }, body: good });
  assert.equal(plain.status, 400);
  assert.equal(await plain.text(), 'send the picture as multipart/form-data\n');
  assert.deepEqual(imgFiles(), []);
  assert.deepEqual(readdirSync(join(dir, 'data', 'media')).filter((n) => n.startsWith('.upload')), []);

  // A real picture, made the lead.
  r = await upload(ed, id, good, { alt: 'Two cranes', caption: 'Cranes "at" dawn', lead: '1' });
  assert.equal(r.status, 303, r.text);
  const name = r.location.match(/picture=([0-9a-f]{20})/)[1];
  assert.deepEqual(imgFiles().sort(), ['480x320', '960x640', '1200x800'].flatMap((s) => [`${name}-${s}.jpg`, `${name}-${s}.webp`]).sort());
  const page = await ed.get(`/newsroom/story/${id}?picture=${name}`);
  const md = `![Two cranes](/media/img/${name}-1200x800.jpg "Cranes \\"at\\" dawn")`;
  assert.ok(page.text.includes(md.replaceAll('"', '&quot;')), 'the Markdown to paste is shown');

  // Drafts' pictures: editors only, never cached publicly.
  const anon = new Client(srv.url);
  assert.equal((await anon.get(`/media/img/${name}-480x320.webp`)).status, 404);
  let m = await ed.get(`/media/img/${name}-480x320.webp`);
  assert.equal(m.status, 200);
  assert.equal(m.res.headers.get('cache-control'), 'private, no-store');

  // In the text, then published.
  const version = page.text.match(/name="version" value="(\d+)"/)[1];
  r = await ed.post(`/newsroom/story/${id}`, { ...fields, version, section: 'ports', new_section: '',
    en_body: `The port is busy. Ships wait.\n\n${md}\n\nCranes lift boxes.`, action: 'publish' });
  assert.equal(r.status, 303, r.text);

  const en = (await anon.get(`/story/${id}/en`)).text;
  // The lead picture at the top (loaded at once), not repeated in the body.
  const lead = en.match(/<figure class="fig lead">([^]*?)<\/figure>/);
  assert.ok(lead, 'lead figure');
  assert.match(lead[1], /<source type="image\/webp" srcset="\/media\/img\/\w+-480x320\.webp 480w, \/media\/img\/\w+-960x640\.webp 960w, \/media\/img\/\w+-1200x800\.webp 1200w" sizes="[^"]+">/);
  assert.match(lead[1], new RegExp(`<img src="/media/img/${name}-1200x800\\.jpg" srcset="[^"]*-480x320\\.jpg 480w[^"]*" sizes="[^"]+" alt="Two cranes" width="1200" height="800" fetchpriority="high" decoding="async">`));
  assert.match(lead[1], /<figcaption>Cranes &quot;at&quot; dawn<\/figcaption>/);
  assert.equal(en.split(`<img src="/media/img/${name}-`).length - 1, 1, 'shown once');
  assert.match(en, new RegExp(`<meta property="og:image" content="http://[^"]+/media/img/${name}-1200x800\\.jpg">`));
  assert.match(en, /<meta property="og:image:width" content="1200">/);
  assert.match(en, /<meta name="twitter:card" content="summary_large_image">/);
  const ld = JSON.parse(en.match(/<script type="application\/ld\+json">([^]*?)<\/script>/)[1]);
  assert.match(ld.image[0], new RegExp(`/media/img/${name}-1200x800\\.jpg$`));
  assert.ok(!/<span class="s"[^>]*>[^<]*Two cranes/.test(en), 'alt text is not narrated');

  // Without a lead, the body's figure carries the picture, lazily, with its srcset.
  r = await ed.post(`/newsroom/story/${id}/lead`, { name: '' });
  assert.equal(r.status, 303);
  const en2 = (await anon.get(`/story/${id}/en`)).text;
  assert.ok(!en2.includes('fig lead'));
  assert.match(en2, new RegExp(`<figure class="fig"><picture><source type="image/webp" srcset="[^"]+"[^>]*><img src="/media/img/${name}-1200x800\\.jpg" srcset="[^"]+ 960w[^"]*" sizes="[^"]+" alt="Two cranes" width="1200" height="800" loading="lazy" decoding="async"></picture><figcaption>Cranes &quot;at&quot; dawn</figcaption></figure>`));
  assert.match(en2, new RegExp(`og:image" content="[^"]+/media/img/${name}-1200x800\\.jpg"`));
  assert.equal((await ed.post(`/newsroom/story/${id}/lead`, { name: '0123456789abcdef0123' })).status, 404);
  assert.equal((await ed.post(`/newsroom/story/${id}/lead`, { name })).status, 303);

  // Published: everyone, cached for good, right type, nosniff.
  for (const [file, type, magic] of [[`${name}-960x640.jpg`, 'image/jpeg', 'ffd8ff'], [`${name}-960x640.webp`, 'image/webp', '52494646']]) {
    const res = await fetch(`${srv.url}/media/img/${file}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), type);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(Buffer.from(await res.arrayBuffer()).subarray(0, 4).toString('hex').slice(0, magic.length), magic);
  }
  for (const bad of [`/media/img/${name}-999x999.jpg`, '/media/img/0123456789abcdef0123-480x320.jpg',
    '/media/img/..%2Fimg', `/media/img/${name}-480x320.png`, '/media/img/.upload-img-x-480x320.jpg'])
    assert.equal((await fetch(srv.url + bad)).status, 404, bad);

  // Lists: the lead's smallest size beside the headline; feeds carry it.
  const home = (await anon.get('/')).text;
  assert.match(home, new RegExp(`<li class="has-thumb">[^]*?<img src="/media/img/${name}-480x320\\.jpg" alt="" width="480" height="320" loading="lazy"`));
  const feed = (await anon.get('/feed.en.xml')).text;
  assert.match(feed, new RegExp(`<media:content url="http://[^"]+/media/img/${name}-1200x800\\.jpg" medium="image" type="image/jpeg" width="1200" height="800"><media:description type="plain">Two cranes</media:description></media:content><itunes:image href="http://[^"]+/media/img/${name}-1200x800\\.jpg"/>`));

  // Unpublished again: its pictures are the editors' again.
  r = await ed.get(`/newsroom/story/${id}`);
  const v2 = r.text.match(/name="version" value="(\d+)"/)[1];
  r = await ed.post(`/newsroom/story/${id}`, { ...fields, version: v2, section: 'ports', new_section: '', en_body: 'x.', action: 'unpublish' });
  assert.equal(r.status, 303, r.text);
  assert.equal((await fetch(`${srv.url}/media/img/${name}-960x640.jpg`)).status, 404);

  // A backup carries the pictures (verified against its MANIFEST), and a restore puts them back.
  // (SQLite; on PostgreSQL backup prints pg_dump steps, followed in multiserver.test.mjs.)
  if (PG) return;
  const bk = join(dir, 'backup'), restored = join(dir, 'restored');
  let g = gazette(['backup', '--data', join(dir, 'data'), bk]);
  assert.equal(g.status, 0, g.stderr);
  const manifest = readFileSync(join(bk, 'MANIFEST'), 'utf8');
  assert.equal(manifest.split('\n').filter((l) => l.includes(` media/img/${name}-`)).length, 6, manifest);
  g = gazette(['restore', '--data', restored, bk]);
  assert.equal(g.status, 0, g.stderr);
  assert.deepEqual(readdirSync(join(restored, 'media', 'img')).sort(), imgFiles().sort());
});
