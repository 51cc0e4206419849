// Listening that continues (issue 11, item 4): the position API (sign-in, CSRF, validation,
// rate limit, per-reader isolation) and the day's queue, on the real binary with the demo.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, Client, gazette } from './server.mjs';

let srv, story, ipSeq = 0;
const PW = 'correct horse battery';
const client = () => new Client(srv.url, { 'x-forwarded-for': `10.7.0.${++ipSeq}` });

async function signedIn(name) {
  const c = client();
  await c.get('/register');
  const r = await c.post('/register', { email: `${name}@example.com`, username: name, password: PW, agree: '1' });
  assert.equal(r.status, 303, 'registered');
  await c.get('/');
  return c;
}

async function pos(c, body, headers = {}) {
  const res = await fetch(srv.url + '/listen/position', { method: 'POST', redirect: 'manual',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { ...c.headers, 'content-type': 'application/json', 'x-csrf-token': c.csrf, cookie: c.cookieHeader(), ...headers } });
  return { status: res.status, headers: res.headers, json: await res.json() };
}
async function getPos(c, id, lang) {
  const r = await c.get(`/listen/position?story=${id}&lang=${lang}`);
  return { status: r.status, json: JSON.parse(r.text), cc: r.res.headers.get('cache-control') };
}

before(async () => {
  srv = await startServer({ args: ['--trust-proxy'] });
  const r = await new Client(srv.url).get('/listen/today.json');
  assert.equal(r.status, 200);
  assert.match(r.res.headers.get('content-type'), /^application\/json/);
  const j = JSON.parse(r.text);
  assert.ok(j.stories.length >= 1, 'the demo has narrated stories');
  const page = await new Client(srv.url).get(j.stories[0].url);
  story = { id: j.stories[0].id, lang: page.text.match(/data-narration-lang="(\w+)"/)[1] };
});
after(async () => { await srv?.stop(); });

describe('today.json', () => {
  test('lists narrated published stories of the newest day, newest first, with their pages', async () => {
    const j = JSON.parse((await new Client(srv.url).get('/listen/today.json')).text);
    let prev = Infinity;
    for (const s of j.stories) {
      assert.match(s.url, /^\/story\/\d+(\/en)?$/);
      assert.ok(typeof s.title === 'string' && s.title.length > 0);
      assert.ok(s.published <= prev);
      if (!j.latest) assert.ok(s.published >= j.day_end - 86400, 'today: within a day of the newest');
      prev = s.published;
      const page = await new Client(srv.url).get(s.url);
      assert.equal(page.status, 200);
      assert.match(page.text, /<audio id="narration"/, `${s.url} is narrated`);
    }
  });
  test('the demo publishes less than twice a day: the 5 latest narrated stories, marked latest', async () => {
    const j = JSON.parse((await new Client(srv.url).get('/listen/today.json')).text);
    assert.equal(j.latest, true);
    assert.equal(j.stories.length, 5);
    assert.ok(j.stories[1].published < j.day_end - 86400, 'the second is older than a day');
  });
  test('follows the reader\'s UI language', async () => {
    const en = JSON.parse((await new Client(srv.url).get('/listen/today.json', { cookie: 'gz_ui=en' })).text);
    const zh = JSON.parse((await new Client(srv.url).get('/listen/today.json', { cookie: 'gz_ui=zh' })).text);
    assert.equal(en.stories.length, zh.stories.length);
    assert.ok(en.stories.some((s, i) => s.title !== zh.stories[i].title), 'titles differ by language');
  });
});

describe('position API', () => {
  test('signed out: 401 for reading and writing', async () => {
    const c = client();
    await c.get('/');
    assert.equal((await getPos(c, story.id, story.lang)).status, 401);
    const w = await pos(c, { story: story.id, lang: story.lang, t: 12 });
    assert.equal(w.status, 401);
    assert.equal(w.json.error, 'not_signed_in');
  });

  test('saved, read back, private to the reader, forgotten when done', async () => {
    const a = await signedIn('lena'), b = await signedIn('omar');
    let r = await getPos(a, story.id, story.lang);
    assert.equal(r.status, 200);
    assert.equal(r.json.t, null);
    assert.match(r.cc, /no-store/);
    assert.equal((await pos(a, { story: story.id, lang: story.lang, t: 192.4 })).status, 200);
    r = await getPos(a, story.id, story.lang);
    assert.equal(r.json.t, 192.4);
    assert.equal((await pos(a, { story: story.id, lang: story.lang, t: 3 })).status, 200);
    assert.equal((await getPos(a, story.id, story.lang)).json.t, 3, 'a later save replaces it');
    assert.equal((await getPos(b, story.id, story.lang)).json.t, null, 'another reader sees nothing');
    assert.equal((await pos(a, { story: story.id, lang: story.lang, done: true })).status, 200);
    assert.equal((await getPos(a, story.id, story.lang)).json.t, null, 'finished: forgotten');
  });

  test('CSRF: the header token must match and the origin be ours; JSON only', async () => {
    const c = await signedIn('csrf');
    const body = { story: story.id, lang: story.lang, t: 50 };
    assert.equal((await pos(c, body, { 'x-csrf-token': '' })).status, 403);
    assert.equal((await pos(c, body, { 'x-csrf-token': 'A'.repeat(c.csrf.length) })).status, 403);
    assert.equal((await pos(c, body, { origin: 'https://evil.example' })).status, 403);
    const form = await pos(c, `story=${story.id}&lang=${story.lang}&t=50`, { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(form.status, 415);
    assert.equal((await getPos(c, story.id, story.lang)).json.t, null, 'nothing stored by any of them');
    assert.equal((await pos(c, body, { origin: srv.url })).status, 200);
  });

  test('validation: bad input is refused with 400 and stores nothing', async () => {
    const c = await signedIn('valid');
    const bad = [
      '{', '[]', '"x"', JSON.stringify({ story: story.id, lang: story.lang }),
      JSON.stringify({ story: story.id, lang: story.lang, t: -1 }),
      JSON.stringify({ story: story.id, lang: story.lang, t: '12' }),
      JSON.stringify({ story: story.id, lang: story.lang, t: 1e12 }),
      JSON.stringify({ story: story.id, lang: 'fr', t: 1 }),
      JSON.stringify({ story: String(story.id), lang: story.lang, t: 1 }),
      JSON.stringify({ story: 0, lang: story.lang, t: 1 }),
      JSON.stringify({ story: story.id, story2: 1, lang: story.lang, t: 1, lang2: null }).replace('story2', 'story'),
    ];
    for (const b of bad) assert.equal((await pos(c, b)).status, 400, b);
    for (const q of ['story=x&lang=en', 'story=1&lang=fr', 'lang=en', `story=${story.id}`, 'story=-1&lang=en'])
      assert.equal((await c.get('/listen/position?' + q)).status, 400, q);
    assert.equal((await getPos(c, story.id, story.lang)).json.t, null);
    // a story that does not exist, or is not narrated in that language
    const missing = await pos(c, { story: 999999, lang: story.lang, t: 1 });
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error, 'not_found');
  });

  test('rate limit: past 60 saves a minute, 429 with Retry-After; nothing more is stored', async () => {
    const c = await signedIn('rapid');
    for (let i = 1; i <= 60; i++)
      assert.equal((await pos(c, { story: story.id, lang: story.lang, t: i })).status, 200, `save ${i}`);
    const r = await pos(c, { story: story.id, lang: story.lang, t: 999 });
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('retry-after'), '60');
    assert.equal((await getPos(c, story.id, story.lang)).json.t, 60);
    // another reader is not limited by this one
    const d = await signedIn('calm');
    assert.equal((await pos(d, { story: story.id, lang: story.lang, t: 5 })).status, 200);
  });
});

describe('installable web app', () => {
  test('every page links the manifest and loads listen.js; the manifest is valid and its icons exist', async () => {
    const c = new Client(srv.url);
    for (const path of ['/', `/story/${story.id}`, '/login']) {
      const { text } = await c.get(path);
      assert.match(text, /<link rel="manifest" href="\/manifest.webmanifest">/, path);
      assert.match(text, /<script src="\/static\/listen.js\?v=\w+" defer><\/script>/, path);
    }
    const r = await c.get('/manifest.webmanifest');
    assert.equal(r.status, 200);
    assert.equal(r.res.headers.get('content-type'), 'application/manifest+json');
    assert.match(r.res.headers.get('content-security-policy'), /default-src 'self'/);
    const m = JSON.parse(r.text);
    assert.equal(m.start_url, '/');
    assert.equal(m.scope, '/');
    assert.equal(m.display, 'standalone');
    assert.ok(m.name.length > 0);
    const sizes = [];
    for (const icon of m.icons) {
      const res = await fetch(srv.url + icon.src);
      assert.equal(res.status, 200, icon.src);
      assert.equal(res.headers.get('content-type'), icon.type, icon.src);
      const buf = Buffer.from(await res.arrayBuffer());
      if (icon.type === 'image/png') { // IHDR: width and height at bytes 16..23
        assert.equal(`${buf.readUInt32BE(16)}x${buf.readUInt32BE(20)}`, icon.sizes, icon.src);
        sizes.push(icon.sizes);
      }
    }
    assert.deepEqual(sizes.sort(), ['192x192', '512x512'], 'installable: 192 and 512 px icons');
  });
  test('the service worker is served at the root (scope /) as JavaScript under the same CSP', async () => {
    const res = await fetch(srv.url + '/sw.js');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/javascript/);
    assert.match(res.headers.get('content-security-policy'), /default-src 'self'/);
    assert.match(await res.text(), /addEventListener\('fetch'/);
    assert.equal((await fetch(srv.url + '/sw.js', { method: 'POST' })).status >= 400, true);
  });
});

describe('today.json after a publish', () => {
  test('answers 304 while nothing changes; an import shows at once; two stories a day are "today"', async () => {
    const c = new Client(srv.url);
    const first = await c.get('/listen/today.json');
    const etag = first.res.headers.get('etag');
    assert.ok(etag, 'an ETag');
    assert.equal((await c.get('/listen/today.json', { 'if-none-match': etag })).status, 304);
    const b = JSON.parse(readFileSync('demo/05-night-market-returns.json', 'utf8'));
    b.slug = 'night-market-second-night';
    b.published = '2026-11-27T10:00:00Z'; // 3.5 hours after the newest demo story
    b.en.headline = 'The night market, second night';
    const f = join(srv.dir, 'second-night.json');
    writeFileSync(f, JSON.stringify(b));
    const r = gazette(['import', '--data', srv.dir, f], { timeout: 120000 });
    assert.equal(r.status, 0, r.stderr);
    const id = Number(r.stdout.match(/imported as story (\d+)/)[1]);
    const after = await c.get('/listen/today.json', { 'if-none-match': etag, cookie: 'gz_ui=en' });
    assert.equal(after.status, 200, 'not the old list');
    const j = JSON.parse(after.text);
    assert.equal(j.latest, false);
    assert.deepEqual(j.stories.map((s) => s.id), [id, 5]);
    assert.equal(j.stories[0].title, 'The night market, second night');
  });
});
