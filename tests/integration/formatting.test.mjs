// Formatting from the editor's Markdown on the real binary: headings, lists, pull quotes,
// bold/italic, links (only http(s)/mailto, same tab), figures with captions (never narrated),
// the lead picture in og:image / twitter:card / JSON-LD, and 对照 keeping the same form.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, gazette, Client } from './server.mjs';

let srv, dir;
const PW = 'editor pass phrase';

const enBody = [
  '## Where rents went',
  '![Chart: rents by year](/media/img/rent-960x540.webp "Rents, 2020–2026 <source>")',
  'Rents rose **fast** in [the city](https://example.com/a?b=1&c=2 "t"). Then *they fell*.',
  'A [script](javascript:alert(1)) link and a [mail](mailto:desk@example.com) link.',
  '- first item\n- second **bold** item',
  '1. one\n2. two',
  '> A pull quote nobody reads aloud.',
].join('\n\n');
const zhBody = '## 租金去向\n\n租金**快速**上涨。随后回落。\n\n- 第一条\n- 第二条';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gz-fmt-'));
  const r = gazette(['user', 'add', '--data', join(dir, 'data'), '--role', 'editor', '--password-stdin', 'ed@example.com'], { input: PW + '\n' });
  assert.equal(r.status, 0, r.stderr);
  srv = await startServer({ demo: false, dataDir: join(dir, 'data') });
});
after(async () => { await srv?.stop(); });

async function publish() {
  const ed = new Client(srv.url);
  await ed.get('/login');
  assert.equal((await ed.post('/login', { login: 'ed@example.com', password: PW })).status, 303);
  await ed.get('/newsroom/new');
  const r = await ed.post('/newsroom/new', {
    version: '0', new_section: 'homes, 住房, Homes', tags: 'rent',
    en_headline: 'Rents turn', en_standfirst: 'A chart and a list.', en_body: enBody,
    zh_headline: '租金转向', zh_body: zhBody, action: 'publish' });
  assert.equal(r.status, 303, r.text);
  return r.location.match(/story\/(\d+)/)[1];
}

test('Markdown formatting renders in the page and in 对照, sentences stay spans', async () => {
  const id = await publish();
  const anon = new Client(srv.url);
  const en = await anon.get(`/story/${id}/en`);
  assert.equal(en.status, 200);
  const h = en.text;
  const body = h.slice(h.indexOf('id="transcript"'), h.indexOf('<p class="copyright"'));
  assert.match(body, /<h2 class="para sub" data-p="0"><span class="s">Where rents went<\/span><\/h2>/);
  assert.match(body, /<figure class="fig"><img src="\/media\/img\/rent-960x540\.webp" alt="Chart: rents by year" width="960" height="540" loading="lazy" decoding="async"><figcaption>Rents, 2020–2026 &lt;source&gt;<\/figcaption><\/figure>/);
  assert.match(body, /<span class="s">Rents rose <strong>fast<\/strong> in <a href="https:\/\/example\.com\/a\?b=1&amp;c=2" rel="noopener noreferrer">the city<\/a>\.<\/span> <span class="s">Then <em>they fell<\/em>\.<\/span>/);
  assert.ok(!body.includes('javascript:'), 'a javascript: link is dropped');
  assert.match(body, /<span class="s">A script link and a <a href="mailto:desk@example\.com" rel="noopener noreferrer">mail<\/a> link\.<\/span>/);
  assert.ok(!/target=/.test(body), 'links open in the same tab');
  assert.match(body, /<ul class="md-list"><li class="para" data-p="3"><span class="s">first item<\/span><\/li><li class="para" data-p="4"><span class="s">second <strong>bold<\/strong> item<\/span><\/li><\/ul>/);
  assert.match(body, /<ol class="md-list"><li class="para" data-p="5">[^]*?<\/li><li class="para" data-p="6">[^]*?<\/li><\/ol>/);
  assert.match(body, /<blockquote class="para pull" data-p="7"><span class="s">A pull quote nobody reads aloud\.<\/span><\/blockquote>/);
  // The alt text and caption are not narrated: no sentence holds them.
  assert.ok(!/<span class="s"[^>]*>[^<]*Chart: rents/.test(body));
  // The lead picture in the share card and JSON-LD, as an absolute URL.
  assert.match(h, /<meta property="og:image" content="http:\/\/[^"]+\/media\/img\/rent-960x540\.webp">/);
  assert.match(h, /<meta property="og:image:width" content="960">/);
  assert.match(h, /<meta name="twitter:card" content="summary_large_image">/);
  const ld = JSON.parse(h.match(/<script type="application\/ld\+json">([^]*?)<\/script>/)[1]);
  assert.match(ld.image[0], /\/media\/img\/rent-960x540\.webp$/);
  // The transcript (read-along) holds the plain narration text only.
  const tr = await anon.get(`/story/${id}/en/transcript.json`);
  assert.equal(tr.status, 200);
  assert.ok(tr.text.includes('"Rents rose fast in the city."'), tr.text);
  assert.ok(!tr.text.includes('Chart') && !tr.text.includes('**') && !tr.text.includes('example.com'));
  // 对照: each column keeps its language's form.
  const ce = await anon.get(`/story/${id}/ce`);
  assert.equal(ce.status, 200);
  assert.match(ce.text, /<div class="col" lang="en"><h2 class="para sub" data-p="0">/);
  assert.match(ce.text, /<div class="col" lang="zh-CN"><h2 class="para sub" data-p="0"><span class="s">租金去向<\/span>/);
  assert.match(ce.text, /<span class="s">租金<strong>快速<\/strong>上涨。<\/span><span class="s">随后回落。<\/span>/); // no space after 。
  assert.match(ce.text, /<figure class="fig"><img src="\/media\/img\/rent-960x540\.webp"/);
  // The Chinese page shares the English lead picture when it has none of its own.
  const zh = await anon.get(`/story/${id}`);
  assert.match(zh.text, /<meta property="og:image" content="[^"]+\/media\/img\/rent-960x540\.webp">/);
  assert.match(zh.text, /<ul class="md-list"><li class="para" data-p="2">/);
});

test('a story without pictures keeps the small card', async () => {
  const anon = new Client(srv.url);
  const home = await anon.get('/');
  assert.equal(home.status, 200);
  const id = home.text.match(/\/story\/(\d+)/)[1];
  const ed = new Client(srv.url);
  await ed.get('/login');
  await ed.post('/login', { login: 'ed@example.com', password: PW });
  await ed.get('/newsroom/new');
  const r = await ed.post('/newsroom/new', { version: '0', section: 'homes', new_section: '',
    en_headline: 'Plain', en_body: 'Just text. [Relative](/story/' + id + ') stays text.', action: 'publish' });
  assert.equal(r.status, 303, r.text);
  const pid = r.location.match(/story\/(\d+)/)[1];
  const p = await anon.get(`/story/${pid}`);
  assert.ok(!p.text.includes('og:image'));
  assert.match(p.text, /<meta name="twitter:card" content="summary">/);
  assert.match(p.text, /<span class="s">Just text\.<\/span> <span class="s">Relative stays text\.<\/span>/);
});
