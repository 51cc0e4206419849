// The site end to end: the real binary on loopback, demo content plus imported fixtures.
import http from 'node:http';
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, gazette, raw } from './server.mjs';

let srv;
let work;

function wav(seconds, rate = 16000) {
  const n = Math.round(seconds * rate);
  const b = Buffer.alloc(44 + n * 2);
  b.write('RIFF', 0); b.writeUInt32LE(36 + n * 2, 4); b.write('WAVE', 8);
  b.write('fmt ', 12); b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24); b.writeUInt32LE(rate * 2, 28); b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34); b.write('data', 36); b.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(8000 * Math.sin(i * 0.05)), 44 + 2 * i);
  return b;
}

const enOnly = {
  gazette_bundle: 1, slug: 'english-only', section: { slug: 'tech', zh: '科技', en: 'Technology' },
  tags: ['ai'], published: '2026-11-26T10:00:00Z', byline: { en: 'By Test Writer' },
  en: {
    headline: 'An English-only story <b>with markup</b> & "quotes"',
    standfirst: 'It has narration and exact timing.',
    body: ['First sentence. Second sentence.', ['Third one.'],
      { sentences: ['Chart: not narrated'], spoken: false }],
    narration: {
      audio: 'en-only.wav',
      transcript: { text: [[{ start: 0.5, text: 'First sentence.' }, { start: 1.25, text: 'Second sentence.' }],
        [{ start: 2, text: 'Third one.' }], [{ start: null, text: 'Chart: not narrated' }],
        [{ start: 2.75, text: '' }]] },
    },
  },
};

const odd = {
  gazette_bundle: 1, slug: 'odd-unicode', section: { slug: 'life', zh: '生活', en: 'Life' },
  published: '2026-11-01T00:00:00Z',
  zh: {
    headline: '<script>alert(1)</script> 零宽\u200b字符 👩‍👩‍👧 עברית e\u0301',
    standfirst: '\u2028行分隔符\u2029 and </script>',
    body: ['第一句话。第二句话！', '“引号。”然后。'],
  },
};

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'gz-fixtures-'));
  writeFileSync(join(work, 'en-only.wav'), wav(3));
  writeFileSync(join(work, 'en-only.json'), JSON.stringify(enOnly));
  writeFileSync(join(work, 'odd.json'), JSON.stringify(odd));
  srv = await startServer();
});

after(async () => {
  await srv?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function get(path, opts = {}) {
  const r = await fetch(srv.url + path, { redirect: 'manual', ...opts });
  return { r, text: await r.text() };
}

describe('pages', () => {
  test('home lists the demo stories by section, with security headers', async () => {
    const { r, text } = await get('/');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /text\/html; charset=utf-8/);
    const csp = r.headers.get('content-security-policy');
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.match(r.headers.get('set-cookie'), /gz_csrf=[\w-]{43}; Path=\/; SameSite=Lax; HttpOnly/);
    for (const s of ['商业快报', '科技', '生活']) assert.ok(text.includes(s), s);
    assert.equal((text.match(/href="\/story\/\d+"/g) || []).length, 5);
    assert.doesNotMatch(text, /<script>(?!<\/script>)/); // no inline script
    assert.doesNotMatch(text, /\son[a-z]+=/i);
  });

  test('section page shows only its stories; unknown section is 404', async () => {
    const { r, text } = await get('/section/business');
    assert.equal(r.status, 200);
    assert.equal((text.match(/href="\/story\/\d+"/g) || []).length, 2);
    assert.equal((await get('/section/nope')).r.status, 404);
    assert.equal((await get('/section/../etc')).r.status, 404);
  });

  test('story in three modes, with hreflang, modes nav and every part of the page', async () => {
    const zh = await get('/story/1');
    assert.equal(zh.r.status, 200);
    const t = zh.text;
    assert.match(t, /<article class="story" data-mode="zh"/);
    assert.match(t, /class="section-label"><a href="\/section\/business">商业快报/);
    assert.match(t, /<h1 lang="zh-CN">/);
    assert.match(t, /class="standfirst"/);
    assert.match(t, /class="byline"/);
    assert.match(t, /class="copyright">版权所有/);
    assert.match(t, /hreflang="en" href="http:\/\/127\.0\.0\.1:\d+\/story\/1\/en"/);
    assert.match(t, /<nav class="modes"[^>]*><a href="\/story\/1" aria-current="page"/);
    assert.match(t, /<audio id="narration" controls preload="metadata" src="\/media\/kestrel-battery-deal\.zh\.[0-9a-f]+\.mp3"/);
    assert.ok(!/autoplay/.test(t));
    assert.match(t, /<span class="s" data-t="[\d.]+">/);
    assert.match(t, /<aside class="related"/);
    assert.ok(!t.includes('href="/story/1">'), 'related never lists the story itself');
    assert.match(t, /<script type="application\/ld\+json">\{"@context":"https:\/\/schema.org","@type":"NewsArticle"/);
    assert.match(t, /"audio":\{"@type":"AudioObject"/);
    assert.match(t, /property="og:title"/);
    assert.match(t, /name="twitter:card"/);
    for (const fs of ['最小', '较小', '默认', '较大', '最大']) assert.ok(t.includes(fs), fs);
    assert.match(t, /<input type="radio" name="fs" value="3" checked>/);

    const en = await get('/story/1/en');
    assert.match(en.text, /data-mode="en"/);
    assert.match(en.text, /<h1 lang="en">Kestrel/);
    assert.match(en.text, /src="\/media\/kestrel-battery-deal\.en\./);

    const ce = await get('/story/1/ce');
    assert.match(ce.text, /<div class="body ce" id="transcript">/);
    const pairs = ce.text.match(/<div class="pair" data-pair="\d+">/g);
    assert.equal(pairs.length, 5);
    assert.match(ce.text, /<div class="col" lang="en"><p class="para" data-p="0"><span class="s" data-t=/);
    assert.match(ce.text, /<div class="col" lang="zh-CN"><p class="para" data-p="0"><span class="s">/);
  });

  // What a reader downloads is the compressed page, style and script (brotli/gzip since issue
  // 12): that is the budget that matters, 25 KB. The uncompressed budget grew from 60 to 72 KB
  // when sentences gained word spans (issue 8) and the CSS dark mode, print and formatting
  // (issue 11); it still catches a runaway page. 72 → 76 KB for web/listen.js (issue 11, item 4:
  // resume, lock screen, play all, keep for offline: 11.9 KB unpacked, 4.7 KB gzipped). 76 → 82
  // KB when the learner tools (loop, keys dialog, 对照 narration picker: +4.6 KB) and the picture
  // styles (+0.9 KB) joined them on main: 80.5 KB unpacked, 24.3 KB as sent (measured then).
  test('page weight: HTML + CSS + JS under 25 KB as sent, 82 KB unpacked', async () => {
    // node:http does not decode, so the bytes counted are the bytes on the wire.
    const wire = (path) => new Promise((res, rej) => {
      http.get(srv.url + path, { headers: { 'Accept-Encoding': 'br, gzip' } }, (r) => {
        let n = 0;
        r.on('data', (d) => { n += d.length; });
        r.on('end', () => res({ n, coding: r.headers['content-encoding'] }));
      }).on('error', rej);
    });
    const page = await get('/story/2/ce');
    let total = Buffer.byteLength(page.text);
    let sent = (await wire('/story/2/ce')).n;
    for (const m of page.text.matchAll(/(?:href|src)="(\/static\/[^"]+\.(?:css|js)[^"]*)"/g)) {
      const url = m[1].replace(/&amp;/g, '&');
      const a = await get(url);
      assert.equal(a.r.status, 200, m[1]);
      total += Buffer.byteLength(a.text);
      const z = await wire(url);
      assert.ok(['br', 'gzip'].includes(z.coding), url);
      sent += z.n;
    }
    console.log(`page weight: ${sent} bytes as sent, ${total} unpacked`);
    assert.ok(sent < 25 * 1024, `page weight as sent ${sent} bytes`);
    assert.ok(total < 82 * 1024, `page weight unpacked ${total} bytes`);
  });

  test('UI language: Accept-Language, then the reader cookie', async () => {
    const en = await get('/story/1/en', { headers: { 'accept-language': 'en-GB,en;q=0.9' } });
    assert.match(en.text, /<html lang="en"/);
    assert.match(en.text, /Copyright ©/);
    const zh = await get('/story/1/en', { headers: { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.5' } });
    assert.match(zh.text, /<html lang="zh-CN"/);
    const ck = await get('/', { headers: { 'accept-language': 'zh-CN', cookie: 'gz_ui=en' } });
    assert.match(ck.text, /<html lang="en"/);
  });

  test('font size comes from the cookie, server-side', async () => {
    const { text } = await get('/story/1', { headers: { cookie: 'gz_fs=5' } });
    assert.match(text, /<html lang="zh-CN" class="fs-5">/);
    assert.match(text, /value="5" checked/);
    const bad = await get('/story/1', { headers: { cookie: 'gz_fs=9"><script>' } });
    assert.match(bad.text, /class="fs-3"/);
  });

  test('404s: unknown story, bad ids, unknown paths, a story mode that does not exist', async () => {
    for (const p of ['/story/999', '/story/0', '/story/abc', '/story/1/xx', '/story/-1',
      '/story/99999999999999999999', '/nope', '/story/1/fr/transcript.json', '/static/../Makefile']) {
      const { r, text } = await get(p);
      assert.equal(r.status, 404, p);
      assert.match(text, /找不到该页面|Page not found/);
    }
  });

  test('share page and WeChat QR', async () => {
    const share = await get('/story/1/share');
    assert.equal(share.r.status, 200);
    for (const h of ['service.weibo.com/share/share.php', 'twitter.com/intent/tweet',
      'facebook.com/sharer', 'linkedin.com/sharing', 'mailto:?subject=', '/story/1/qr'])
      assert.ok(share.text.includes(h), h);
    const text = decodeURIComponent(share.text.match(/title=([^"&]+)/)[1]);
    assert.match(text, /^【.+】.+（分享自 @Gazette）$/);
    const qr = await get('/story/1/qr');
    assert.equal(qr.r.status, 200);
    assert.match(qr.text, /src="\/story\/1\/qr\.svg"/);
    const svg = await get('/story/1/qr.svg');
    assert.equal(svg.r.headers.get('content-type'), 'image/svg+xml');
    assert.match(svg.text, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 \d+ \d+"/);
    assert.ok((svg.text.match(/h1v1h-1z/g) || []).length > 100);
  });
});

describe('weekly quiz', () => {
  test('teasers link to it; one attempt; right, wrong with the answer, explanation, score', async () => {
    const home = await get('/');
    assert.match(home.text, /<a href="\/quiz\/1">一周新闻小测<\/a>/);
    assert.match((await get('/story/1')).text, /class="quiz-teaser"><h3><a href="\/quiz\/1">/);
    const first = await fetch(srv.url + '/quiz/1');
    const cookie = first.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const form = await first.text();
    const csrf = form.match(/name="csrf" value="([\w-]+)"/)[1];
    const qs = [...form.matchAll(/<fieldset><legend>([^<]*)<\/legend>((?:<label>.*?<\/label>)+)<\/fieldset>/g)];
    assert.equal(qs.length, 4);
    // Answer question 0 right and the others with the first option shown, whatever it is.
    const right0 = [...qs[0][2].matchAll(/value="(\d)"> ([^<]*)/g)].find((m) => m[2] === '12亿美元')[1];
    const post = (body, ck = cookie) => fetch(srv.url + '/quiz/1', { method: 'POST', redirect: 'manual',
      headers: { cookie: ck, 'content-type': 'application/x-www-form-urlencoded' }, body });
    let r = await post(`csrf=${csrf}&q0=${right0}&q1=0`);
    assert.equal(r.status, 400, 'every question must be answered');
    assert.match(await r.text(), /请回答所有问题/);
    r = await post(`q0=${right0}&q1=0&q2=0&q3=0`);
    assert.equal(r.status, 403);
    await r.text();
    r = await post(`csrf=${csrf}&q0=${right0}&q1=0&q2=0&q3=0`);
    assert.equal(r.status, 303, 'post/redirect/get');
    assert.equal(r.headers.get('location'), '/quiz/1');
    const setq = r.headers.getSetCookie().find((c) => c.startsWith('gz_quiz='));
    assert.match(setq, /HttpOnly/);
    assert.match(setq, /Max-Age=7776000/, 'kept as long as the answers are (90 days)');
    const res = await (await fetch(srv.url + '/quiz/1', { headers: { cookie: cookie + '; ' + setq.split(';')[0] } })).text();
    assert.equal((res.match(/class="verdict right">回答正确/g) || []).length >= 1, true);
    const wrong = res.match(/class="verdict wrong">回答错误，正确答案应为([^<]*)/g) || [];
    const score = Number(res.match(/得分：(\d) \/ 4/)[1]);
    assert.equal(score, 4 - wrong.length);
    assert.match(res, /合同涵盖4.8吉瓦时/);
    assert.match(res, /href="\/story\/1">阅读原文/);
    // A second attempt shows the first one again.
    const ck2 = cookie + '; ' + setq.split(';')[0];
    r = await post(`csrf=${csrf}&q0=1&q1=1&q2=1&q3=1`, ck2);
    assert.equal(r.status, 409);
    assert.equal(Number((await r.text()).match(/得分：(\d) \/ 4/)[1]), score);
    const again = await fetch(srv.url + '/quiz/1', { headers: { cookie: ck2 } });
    assert.equal(Number((await again.text()).match(/得分：(\d) \/ 4/)[1]), score);
    assert.equal((await get('/quiz/99')).r.status, 404);
  });
});

describe('feeds, sitemaps and search', () => {
  test('RSS 2.0 with the narration as enclosure and podcast:transcript links', async () => {
    const { r, text } = await get('/feed.xml');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^application\/rss\+xml/);
    assert.match(text, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<rss version="2.0"/);
    const items = text.match(/<item>[\s\S]*?<\/item>/g);
    assert.equal(items.length, 5);
    const first = items[0];
    assert.match(first, /<enclosure url="http:\/\/127\.0\.0\.1:\d+\/media\/[\w.-]+\.mp3" length="\d{4,}" type="audio\/mpeg"\/>/);
    assert.match(first, /<podcast:transcript url="[^"]+\/transcript\.vtt" type="text\/vtt"/);
    assert.match(first, /<podcast:transcript url="[^"]+\/transcript\.json" type="application\/json"/);
    assert.match(first, /<pubDate>\w{3}, \d\d \w{3} 2026 \d\d:\d\d:\d\d \+0000<\/pubDate>/);
    const len = Number(first.match(/length="(\d+)"/)[1]);
    const media = first.match(/url="http:\/\/[^/]+(\/media\/[^"]+)"/)[1];
    const head = await fetch(srv.url + media, { method: 'HEAD' });
    assert.equal(Number(head.headers.get('content-length')), len, 'enclosure length is the file size');
    assert.match((await get('/feed.en.xml')).text, /<language>en<\/language>[\s\S]*<title>[A-Z]/);
    assert.match((await get('/feed.bilingual.xml')).text, /<title>[^<]+ \/ [^<]+<\/title>/);
    const sec = await get('/section/tech/feed.xml');
    assert.equal(sec.text.match(/<item>/g).length, 2);
    assert.equal((await get('/section/nope/feed.xml')).r.status, 404);
  });

  test('sitemap and news sitemap', async () => {
    const sm = (await get('/sitemap.xml')).text;
    assert.match(sm, /<urlset xmlns="http:\/\/www.sitemaps.org\/schemas\/sitemap\/0.9">/);
    assert.ok(sm.includes('/story/1/ce</loc>') && sm.includes('/section/business</loc>'));
    const news = (await get('/sitemap-news.xml')).text;
    assert.match(news, /xmlns:news=/);
    // The demo stories are dated 20-27 November 2026; only the last two days count.
    const n = (news.match(/<news:news>/g) || []).length;
    assert.ok(n <= 5);
  });

  test('search in both languages, short Chinese words too, hostile input harmless', async () => {
    const zh = await get('/search?q=' + encodeURIComponent('电池'));
    assert.equal(zh.r.status, 200);
    assert.match(zh.text, /href="\/story\/1"/);
    const en = await get('/search?q=battery');
    assert.match(en.text, /href="\/story\/1(\/en)?"/);
    const phrase = await get('/search?q=' + encodeURIComponent('夜市'));
    assert.match(phrase.text, /href="\/story\/5"/);
    const none = await get('/search?q=zzzzqqq');
    assert.match(none.text, /没有找到相关文章|No stories match/);
    for (const q of ['"', "' OR 1=1 --", 'NEAR(a b)', '%', '_', '<script>alert(1)</script>', 'x'.repeat(500)]) {
      const r = await get('/search?q=' + encodeURIComponent(q));
      assert.equal(r.r.status, 200, q);
      assert.ok(!r.text.includes('<script>alert(1)'), q);
    }
    assert.equal((await get('/search?q=%01')).r.status, 400);
  });
});

describe('transcripts', () => {
  test('transcript.json is exactly the page format', async () => {
    const { r, text } = await get('/story/1/en/transcript.json');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/json');
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    const j = JSON.parse(text);
    assert.deepEqual(Object.keys(j), ['text', 'url']);
    assert.match(j.url, /^\/media\/kestrel-battery-deal\.en\.[0-9a-f]+\.mp3$/);
    const last = j.text.at(-1);
    assert.equal(last.length, 1);
    assert.equal(last[0].text, '');
    let prev = -1;
    for (const para of j.text.slice(0, -1)) {
      assert.ok(para.length > 0);
      for (const seg of para) {
        // optional word times (English narration): in order, inside the sentence's text
        assert.deepEqual(Object.keys(seg).filter((k) => k !== 'words'), ['start', 'text']);
        let wp = -1, at = 0;
        for (const wd of seg.words ?? []) {
          assert.deepEqual(Object.keys(wd), ['start', 'end', 'text']);
          assert.ok(wd.start >= wp && wd.end > wd.start, JSON.stringify(wd));
          at = seg.text.indexOf(wd.text, at);
          assert.ok(at >= 0, `${wd.text} in ${seg.text}`);
          wp = wd.start;
        }
        assert.ok(seg.text.length > 0);
        assert.ok(seg.start > prev, 'starts increase');
        prev = seg.start;
      }
    }
    assert.ok(last[0].start > prev);
    assert.ok(j.text[0][0].start >= 0.5, 'lead-in before the first sentence');
    const dflt = JSON.parse((await get('/story/1/transcript.json')).text);
    assert.match(dflt.url, /\.zh\./);
  });

  test('transcript.vtt', async () => {
    const { r, text } = await get('/story/1/en/transcript.vtt');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/vtt/);
    assert.match(text, /^WEBVTT\n\n1\n00:00:\d\d\.\d{3} --> 00:00:\d\d\.\d{3}\nKestrel Power/);
  });
});

describe('media and static files', () => {
  let media;
  before(async () => {
    media = JSON.parse((await get('/story/1/en/transcript.json')).text).url;
  });

  test('full, ranged, suffix, unsatisfiable, conditional', async () => {
    const full = await fetch(srv.url + media);
    const body = Buffer.from(await full.arrayBuffer());
    assert.equal(full.status, 200);
    assert.equal(full.headers.get('content-type'), 'audio/mpeg');
    assert.equal(full.headers.get('accept-ranges'), 'bytes');
    assert.ok(full.headers.get('etag'));
    assert.ok(full.headers.get('last-modified'));
    assert.match(full.headers.get('cache-control'), /max-age=\d{5,}/);
    const size = body.length;

    const part = await fetch(srv.url + media, { headers: { range: 'bytes=100-199' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 100-199/${size}`);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), body.subarray(100, 200));

    const tail = await fetch(srv.url + media, { headers: { range: 'bytes=-10' } });
    assert.equal(tail.status, 206);
    assert.deepEqual(Buffer.from(await tail.arrayBuffer()), body.subarray(size - 10));

    const bad = await fetch(srv.url + media, { headers: { range: `bytes=${size + 10}-` } });
    assert.equal(bad.status, 416);
    assert.equal(bad.headers.get('content-range'), `bytes */${size}`);
    await bad.arrayBuffer();

    const junk = await fetch(srv.url + media, { headers: { range: 'bytes=abc' } });
    assert.equal(junk.status, 200);
    await junk.arrayBuffer();

    const cond = await fetch(srv.url + media, { headers: { 'if-none-match': full.headers.get('etag') } });
    assert.equal(cond.status, 304);

    for (const p of ['/media/nope.mp3', '/media/..%2Fgazette.db', '/media/.hidden.mp3', '/media/x.exe'])
      assert.equal((await get(p)).r.status, 404, p);
  });

  test('static assets are versioned and cached', async () => {
    const home = (await get('/')).text;
    const css = home.match(/href="(\/static\/app\.css\?v=[0-9a-f]{16})"/)[1];
    const r = await fetch(srv.url + css);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/css/);
    assert.match(r.headers.get('cache-control'), /immutable/);
    const again = await fetch(srv.url + css, { headers: { 'if-none-match': r.headers.get('etag') } });
    assert.equal(again.status, 304);
  });
});

describe('forms and CSRF', () => {
  async function token() {
    const r = await fetch(srv.url + '/story/1');
    const cookie = r.headers.get('set-cookie').split(';')[0];
    const html = await r.text();
    const csrf = html.match(/name="csrf" value="([\w-]+)"/)[1];
    assert.equal(cookie, `gz_csrf=${csrf}`);
    return { cookie, csrf };
  }

  test('font-size form sets the cookie and goes back', async () => {
    const { cookie, csrf } = await token();
    const r = await fetch(srv.url + '/prefs/fs', {
      method: 'POST', redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: `csrf=${csrf}&fs=4&back=%2Fstory%2F1`,
    });
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), '/story/1');
    assert.match(r.headers.get('set-cookie'), /^gz_fs=4; Path=\/; SameSite=Lax; Max-Age=31536000/);
  });

  test('对照 narration: /prefs/narr sets gz_narr (en|zh only); only 对照 pages follow it, each cached apart', async () => {
    const { cookie, csrf } = await token();
    const post = (v) => fetch(srv.url + '/prefs/narr', {
      method: 'POST', redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: `csrf=${csrf}&narr=${v}&back=%2Fstory%2F1%2Fce`,
    });
    const ok = await post('zh');
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('location'), '/story/1/ce');
    assert.match(ok.headers.get('set-cookie'), /^gz_narr=zh; Path=\/; SameSite=Lax; Max-Age=31536000/);
    assert.doesNotMatch(ok.headers.get('set-cookie'), /HttpOnly/, 'app.js writes it too');
    for (const bad of ['fr', '', 'zh%00', 'enx']) assert.equal((await post(bad)).status, 400, bad);
    const page = async (path, narr) => (await fetch(srv.url + path, { headers: { cookie: narr ? `gz_narr=${narr}` : '' } })).text();
    const audio = (html) => html.match(/<audio id="narration"[^>]* src="\/media\/[^"]*\.(en|zh)\./)[1];
    const timedCol = (html) => html.match(/<div class="col" lang="([^"]+)"><p class="para" data-p="0"><span class="s" data-t=/)[1];
    // warm the cache with the default first: the zh pick must not be served the cached en page
    let html = await page('/story/1/ce');
    assert.deepEqual([audio(html), timedCol(html)], ['en', 'en']);
    assert.match(html, /<form class="narr"[^]*value="en" checked>English/);
    html = await page('/story/1/ce', 'zh');
    assert.deepEqual([audio(html), timedCol(html)], ['zh', 'zh-CN']);
    assert.match(html, /data-narration-lang="zh"/);
    assert.match(html, /value="zh" checked>中文/);
    assert.deepEqual([audio(await page('/story/1/ce', 'en'))], ['en']);
    assert.deepEqual([audio(await page('/story/1/ce', 'xx'))], ['en'], 'a bad cookie is ignored');
    // the single-language pages play their own language whatever the pick, and have no picker
    html = await page('/story/1/en', 'zh');
    assert.equal(audio(html), 'en');
    assert.doesNotMatch(html, /class="narr"/);
    assert.equal(audio(await page('/story/1', 'en')), 'zh');
    // the shortcuts' help dialog comes with the player
    assert.match(html, /<dialog id="keys-dlg" aria-labelledby="keys-h">/);
  });

  test('refused without the token, with a wrong one, or from another origin', async () => {
    const { cookie, csrf } = await token();
    const post = (headers, body) => fetch(srv.url + '/prefs/fs', {
      method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body,
    });
    assert.equal((await post({}, `csrf=${csrf}&fs=4`)).status, 403);
    assert.equal((await post({ cookie }, 'fs=4')).status, 403);
    assert.equal((await post({ cookie }, `csrf=${csrf.replace(/.$/, 'x')}&fs=4`)).status, 403);
    assert.equal((await post({ cookie, origin: 'https://evil.example' }, `csrf=${csrf}&fs=4`)).status, 403);
    assert.equal((await post({ cookie }, `csrf=${csrf}&fs=9`)).status, 400);
    assert.equal((await post({ cookie }, `csrf=${csrf}&fs=%zz`)).status, 400);
    const open = await post({ cookie }, `csrf=${csrf}&fs=2&back=%2F%2Fevil.example`);
    assert.equal(open.headers.get('location'), '/');
    const lang = await fetch(srv.url + '/prefs/lang', {
      method: 'POST', redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: `csrf=${csrf}&ui=en&back=%2F`,
    });
    assert.equal(lang.status, 303);
    assert.match(lang.headers.get('set-cookie'), /^gz_ui=en;/);
  });

  test('oversized bodies are refused with 413', async () => {
    const r = await fetch(srv.url + '/prefs/fs', { method: 'POST', body: 'x'.repeat(70 * 1024) });
    assert.equal(r.status, 413);
  });
});

describe('HTTP framing', () => {
  test('two Content-Length headers: 400 and the connection is closed', async () => {
    const { data, closed } = await raw(srv.url,
      'POST /prefs/fs HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 40\r\n\r\nfs=1&GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(data, /^HTTP\/1\.1 400/);
    assert.equal((data.match(/HTTP\/1\.1/g) || []).length, 1, 'no second response smuggled');
    assert.ok(closed);
  });

  test('Content-Length with Transfer-Encoding: 400 and closed', async () => {
    const { data, closed } = await raw(srv.url,
      'POST /prefs/fs HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(data, /^HTTP\/1\.1 400/);
    assert.equal((data.match(/HTTP\/1\.1/g) || []).length, 1);
    assert.ok(closed);
  });

  test('methods other than GET, HEAD and POST get 405', async () => {
    const r = await fetch(srv.url + '/', { method: 'DELETE' });
    assert.equal(r.status, 405);
    assert.equal(r.headers.get('allow'), 'GET, HEAD, POST');
  });

  test('huge headers are refused, the server lives on', async () => {
    const { data } = await raw(srv.url, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
    assert.match(data, /^HTTP\/1\.1 4(31|13)/);
    assert.equal((await get('/healthz')).r.status, 200);
  });
});

describe('import', () => {
  test('an English-only bundle with audio and timing; content appears without restart', async () => {
    const res = gazette(['import', '--data', srv.dir, join(work, 'en-only.json')]);
    assert.equal(res.status, 0, res.stderr);
    const id = res.stdout.match(/imported as story (\d+)/)[1];
    const home = await get('/');
    assert.ok(home.text.includes(`/story/${id}`), 'home shows the new story (cache invalidated)');
    const page = await get(`/story/${id}`);
    assert.equal(page.r.status, 200);
    assert.match(page.text, /data-mode="en"/);
    assert.ok(!page.text.includes('<nav class="modes"'), 'no mode buttons for one language');
    assert.ok(page.text.includes('An English-only story &lt;b&gt;with markup&lt;/b&gt; &amp; &quot;quotes&quot;'));
    assert.match(page.text, /<span class="s">Chart: not narrated<\/span>/);
    assert.equal((await get(`/story/${id}/ce`)).r.status, 404);
    const j = JSON.parse((await get(`/story/${id}/transcript.json`)).text);
    assert.deepEqual(j.text, enOnly.en.narration.transcript.text);
    const audio = await fetch(srv.url + j.url);
    assert.equal(audio.headers.get('content-type'), 'audio/wav');
    await audio.arrayBuffer();
  });

  test('odd Unicode and markup are escaped everywhere', async () => {
    const res = gazette(['import', '--data', srv.dir, join(work, 'odd.json')]);
    assert.equal(res.status, 0, res.stderr);
    const id = res.stdout.match(/imported as story (\d+)/)[1];
    const { text } = await get(`/story/${id}`);
    assert.ok(!text.includes('<script>alert(1)</script>'));
    assert.ok(text.includes('&lt;script&gt;alert(1)&lt;/script&gt; 零宽\u200b字符 👩‍👩‍👧 עברית e\u0301'));
    const ld = text.match(/<script type="application\/ld\+json">(.*?)<\/script>/)[1];
    assert.ok(!ld.includes('</script'));
    assert.equal(JSON.parse(ld).description, odd.zh.standfirst);
    const tj = JSON.parse((await get(`/story/${id}/transcript.json`)).text);
    assert.equal(tj.url, null);
    assert.equal(tj.text[1][0].text, '“引号。”');
    assert.equal(tj.text[1][0].start, null);
  });

  test('malformed bundles: exit 2, every problem named, nothing stored', async () => {
    await new Promise((r) => setTimeout(r, 100)); // pages may be up to 20 ms stale (see ARCHITECTURE.md)
    const before = (await get('/')).text;
    const bad = join(work, 'bad.json');
    writeFileSync(bad, JSON.stringify({ gazette_bundle: 1, slug: 'BAD!', published: 'soon',
      section: { slug: 'x' }, en: { headline: '', body: 'not a list' } }));
    const res = gazette(['import', '--data', srv.dir, bad]);
    assert.equal(res.status, 2);
    for (const f of ['slug:', 'published:', 'section.zh:', 'en.headline:', 'en.body:'])
      assert.ok(res.stderr.includes(`${bad}: ${f}`), `${f} in ${res.stderr}`);
    const notjson = join(work, 'notjson.json');
    writeFileSync(notjson, '{"gazette_bundle": 1,');
    const r2 = gazette(['import', '--data', srv.dir, notjson]);
    assert.equal(r2.status, 2);
    assert.match(r2.stderr, /invalid JSON at line 1/);
    const corrupt = join(work, 'corrupt.json');
    writeFileSync(join(work, 'corrupt.wav'), Buffer.from('RIFF....WAVEjunkjunkjunk'));
    writeFileSync(corrupt, JSON.stringify({ ...enOnly, slug: 'corrupt',
      en: { ...enOnly.en, narration: { audio: 'corrupt.wav' } } }));
    const r3 = gazette(['import', '--data', srv.dir, corrupt]);
    assert.equal(r3.status, 2);
    assert.match(r3.stderr, /en\.narration: .*corrupt\.wav.*(not audio|cannot be decoded|holds no audio)/);
    assert.equal((await get('/')).text.length, before.length, 'nothing changed');
  });
});
