// `gazette import` changes nothing when it fails: media files are named after their content,
// every language is checked before any file is written, and a live file is never replaced.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, mkdirSync, rmSync, readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gazette } from './server.mjs';

let work, data, bdir;

function wav(seconds, freq = 0.05, rate = 16000) {
  const n = Math.round(seconds * rate);
  const b = Buffer.alloc(44 + n * 2);
  b.write('RIFF', 0); b.writeUInt32LE(36 + n * 2, 4); b.write('WAVE', 8);
  b.write('fmt ', 12); b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24); b.writeUInt32LE(rate * 2, 28); b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34); b.write('data', 36); b.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(8000 * Math.sin(i * freq)), 44 + 2 * i);
  return b;
}

function bundle(extra = {}) {
  return {
    gazette_bundle: 1, slug: 'two-lang', section: { slug: 'tech', zh: '科技', en: 'Technology' },
    published: '2026-11-26T10:00:00Z',
    en: { headline: 'Headline', body: ['One. Two.', 'Three.'], narration: { audio: 'en.wav' } },
    zh: { headline: '标题', body: ['一。', '二。'], narration: { audio: 'zh.wav' } },
    ...extra,
  };
}

function media() {
  const dir = join(data, 'media');
  const out = {};
  for (const f of readdirSync(dir)) out[f] = createHash('sha256').update(readFileSync(join(dir, f))).digest('hex');
  return out;
}

function run(name, b) {
  writeFileSync(join(bdir, name), JSON.stringify(b));
  return gazette(['import', '--data', data, join(bdir, name)]);
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'gz-import-'));
  data = join(work, 'data');
  bdir = join(work, 'bundles');
  mkdirSync(bdir);
  writeFileSync(join(bdir, 'en.wav'), wav(2));
  writeFileSync(join(bdir, 'zh.wav'), wav(2, 0.07));
});

after(() => rmSync(work, { recursive: true, force: true }));

test('a failed import leaves the published narration as it was', () => {
  const first = run('a.json', bundle());
  assert.equal(first.status, 0, first.stderr);
  const live = media();
  assert.equal(Object.keys(live).length, 2);
  // The source recording changes, and the second bundle is broken in its other language.
  writeFileSync(join(bdir, 'en.wav'), wav(3, 0.03));
  const broken = bundle();
  broken.zh.narration = { audio: 'missing.wav' };
  const r = run('b.json', broken);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /zh\.narration/);
  assert.deepEqual(media(), live, 'no file written, none replaced');
});

test('a new recording gets a new name; the live file is never overwritten', () => {
  const live = media();
  const r = run('c.json', bundle());
  assert.equal(r.status, 0, r.stderr);
  const now = media();
  for (const [f, h] of Object.entries(live)) assert.equal(now[f], h, `${f} unchanged`);
  assert.equal(Object.keys(now).length, 3, 'the changed English recording is a new file');
  // The same content imported again is the same file.
  assert.equal(run('d.json', bundle()).status, 0);
  assert.deepEqual(media(), now);
});

test('audio outside the bundle folder and impossible pairs are refused', () => {
  const before = media();
  writeFileSync(join(work, 'outside.wav'), wav(1));
  const up = bundle();
  up.en.narration = { audio: '../outside.wav' };
  let r = run('e.json', up);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /en\.narration: .*inside the bundle's folder/);
  const tr = bundle();
  tr.en.narration = { audio: 'en.wav', transcript: '../../etc/passwd' };
  r = run('f.json', tr);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /en\.narration: .*inside the bundle's folder/);
  for (const pairs of [[[0, 5]], [[-1, 0]], [[0, [1, 0]]], [[9, 0]]]) {
    r = run('g.json', bundle({ pairs }));
    assert.equal(r.status, 2, JSON.stringify(pairs));
    assert.match(r.stderr, /pairs: /);
  }
  assert.equal(run('h.json', bundle({ pairs: [[0, 0], [1, [1]]] })).status, 0);
  assert.deepEqual(media(), before);
});
