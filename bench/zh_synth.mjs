// Build a synthetic Mandarin narration with known sentence starts for bench/align.sh:
// espeak-ng's cmn voice in a variant and speed the aligner does not use, pauses, pink noise
// and reverb. Writes narration.flac, text.txt and truth.json (the scorer's format) to DIR.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const S = [
  '港口管理局周二表示，集装箱吞吐量连续第三个月增长。', '然而，随着新船投入使用，运价继续下跌。',
  '分析人士预计，运力过剩将持续到明年春天。', '最大几家航运公司的股价变化不大。', '一位发言人拒绝置评。',
  '这家公用事业公司同意购买价值十二亿美元的电网级储能电池。', '合同涵盖四点八吉瓦时的容量，将在二零二七年至二零三一年间分批交付。',
  '高管们表示，电芯价格在过去一年下降了约五分之一。', '夜市重新开张后，整个街区随之苏醒。', '摊主们说，客流比预期多了一倍。',
  '数据中心开发商以免费供暖争取地方支持。', '余热通过管道输送到附近的公寓楼。',
];
function wav(p) {
  const b = readFileSync(p);
  return { rate: b.readUInt32LE(24), s: new Int16Array(b.buffer.slice(b.byteOffset + 44)) };
}
function onset({ rate, s }) {
  const blk = Math.round(rate / 200);
  for (let i = 0; i + blk <= s.length; i += blk) {
    let e = 0;
    for (let k = i; k < i + blk; k++) e += s[k] * s[k];
    if (10 * Math.log10(e / blk / 1073741824 + 1e-12) > -40) return i / rate;
  }
  return 0;
}
const parts = [], truth = [];
let t = 0;
const sil = (secs, name) => {
  const p = join(dir, name);
  execFileSync('sox', ['-n', '-r', '22050', '-b', '16', '-c', '1', p, 'trim', '0', String(secs)]);
  parts.push(p);
  t += secs;
};
sil(1.7, 'lead.wav');
S.forEach((x, i) => {
  const p = join(dir, `s${i}.wav`);
  execFileSync('espeak-ng', ['-v', 'cmn+m3', '-s', '140', '-w', p, x]);
  const w = wav(p);
  const on = onset(w);
  truth.push({ text: x, start: t + on, end: t + w.s.length / w.rate });
  parts.push(p);
  t += w.s.length / w.rate;
  sil(0.2 + ((i * 41) % 60) / 100, `p${i}.wav`);
});
execFileSync('sox', [...parts, join(dir, 'joined.wav')]);
execFileSync('sox', ['-n', '-r', '22050', '-b', '16', '-c', '1', join(dir, 'noise.wav'), 'synth', String(t), 'pinknoise', 'vol', '0.004']);
execFileSync('sox', ['-m', join(dir, 'joined.wav'), join(dir, 'noise.wav'), join(dir, 'narration.flac'), 'reverb', '25', 'rate', '16000']);
writeFileSync(join(dir, 'text.txt'), S.join(''));
writeFileSync(join(dir, 'truth.json'), JSON.stringify({ audio: 'narration.flac', sentences: truth }));
console.log(`${S.length} sentences, ${t.toFixed(1)} s`);
