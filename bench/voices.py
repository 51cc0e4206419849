#!/usr/bin/env python3
"""bench/voices.py CORPUS OUT: the dev episodes as other voices and rooms, with their truth.

Each variant is made by sox from a dev episode; its timing is kept (pitch, band, reverb) or
scaled exactly (tempo), so the corpus truth carries over. `pauses` inserts 0.5 s of room noise
at the quietest point inside every sentence longer than 3 s (a reader who stops mid-sentence).
These voices were used while developing the re-laid windows (bench figures, not held out).
Standard library and the sox command only."""
import array, json, os, random, shutil, subprocess, sys, wave

VARIANTS = {
    'pitch_up': (['pitch', '450'], 1.0),              # higher voice: pitch and formants +30 %
    'pitch_down': (['pitch', '-400'], 1.0),
    'fast': (['tempo', '-s', '1.3'], 1 / 1.3),
    'slow': (['tempo', '-s', '0.8'], 1 / 0.8),
    'phone': (['sinc', '300-3400', 'gain', '-3'], 1.0),
    'reverb': (['reverb', '70', '50', '100', '100', '20'], 1.0),
    'old': (['pitch', '-250', 'sinc', '250-3000', 'overdrive', '8', 'gain', '-6'], 1.0),
}
KEYS = ('start', 'end', 'utt_start', 'utt_end')


def sox(*a):
    subprocess.run(['sox', *a], check=True, stderr=subprocess.DEVNULL)


def truth(gt, audio, move):
    g = json.loads(json.dumps(gt))
    g['audio'] = audio
    for s in g['sentences']:
        for k in KEYS:
            s[k] = move(s[k])
    return g


def main(corpus, out):
    dev = os.path.join(corpus, 'dev')
    eps = sorted(f[:-5] for f in os.listdir(dev) if f.endswith('.flac'))
    for ep in eps:
        gt = json.load(open(os.path.join(dev, ep + '.json')))
        for name, (fx, k) in VARIANTS.items():
            d = os.path.join(out, name)
            os.makedirs(d, exist_ok=True)
            wav = os.path.join(d, ep + '.wav')
            sox(os.path.join(dev, ep + '.flac'), '-r', '16000', '-c', '1', '-b', '16', wav, *fx)
            if name == 'old':  # hiss under an old recording
                sox(wav, os.path.join(d, 'n.wav'), 'synth', 'whitenoise', 'vol', '0.01')
                sox('-m', wav, os.path.join(d, 'n.wav'), os.path.join(d, 'm.wav'))
                os.replace(os.path.join(d, 'm.wav'), wav)
                os.remove(os.path.join(d, 'n.wav'))
            json.dump(truth(gt, ep + '.wav', lambda t: t * k), open(os.path.join(d, ep + '.json'), 'w'))
            shutil.copy(os.path.join(dev, ep + '.txt'), d)
        d = os.path.join(out, 'pauses')
        os.makedirs(d, exist_ok=True)
        src = os.path.join(d, 'src.wav')
        sox(os.path.join(dev, ep + '.flac'), src)
        w = wave.open(src)
        sr = w.getframerate()
        x = array.array('h', w.readframes(w.getnframes()))
        w.close()
        os.remove(src)
        cuts, hop = [], sr // 100
        for s in gt['sentences']:
            a, b = int((s['start'] + 1.0) * sr), int((s['end'] - 1.0) * sr)
            if b - a < 2 * sr:
                continue
            e = min((sum(v * v for v in x[i:i + 2 * hop]), i + hop) for i in range(a, b - 2 * hop, hop))
            cuts.append(e[1])
        rnd = random.Random(ep)
        floor = 10 ** (gt['sentences'][0]['floor_dbfs'] / 20) * 32767
        y, prev, ins = array.array('h'), 0, sr // 2
        for c in cuts:
            y.extend(x[prev:c])
            y.extend(int(max(-32767, min(32767, rnd.gauss(0, floor)))) for _ in range(ins))
            prev = c
        y.extend(x[prev:])
        ww = wave.open(os.path.join(d, ep + '.wav'), 'w')
        ww.setnchannels(1)
        ww.setsampwidth(2)
        ww.setframerate(sr)
        ww.writeframes(y.tobytes())
        ww.close()
        json.dump(truth(gt, ep + '.wav', lambda t: t + 0.5 * sum(1 for c in cuts if c / sr < t)),
                  open(os.path.join(d, ep + '.json'), 'w'))
        shutil.copy(os.path.join(dev, ep + '.txt'), d)
    print(' '.join(list(VARIANTS) + ['pauses']))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
