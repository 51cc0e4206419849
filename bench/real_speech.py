#!/usr/bin/env python3
"""Real-speech episodes for `make bench-align` from recordings Debian ships
(pocketsphinx-testdata): five LibriVox sentences (Sense and Sensibility, one male
reader, 64 kb/s MP3 origin) and five spoken card names (another speaker, short phrases).

The reference sentence starts are NOT hand-made: each clip is one utterance, and its speech
onset is measured by the corpus's own detector (../shared/corpus/tools/build_episodes.py,
speech_bounds: the same definition as the dev set's ground truth); the clip's position in
the episode is known to the sample.  Nothing was tuned on these files.

Episodes (16 kHz mono WAV + one sentence per line + ground truth JSON like the corpus's):
  libri        the five LibriVox clips, pauses of 0.15-0.9 s (build_episodes defaults)
  libri_tight  the same cut 30 ms around the speech and joined with no added pause
               (60 ms of room tone between sentences: no pause an energy detector would take)
  cards_tight  the five card clips, cut and joined the same way
  bed          libri_tight and cards_tight joined, under a music bed (a chord with tremolo at
               about -26 dBFS, sox), which hides the pauses an energy detector relies on
Usage: real_speech.py CORPUS_DIR OUT_DIR
"""
import json
import os
import random
import sys

corpus, out = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(corpus, "tools"))
import build_episodes as be  # noqa: E402

DATA = "/usr/share/pocketsphinx/test/data"


def clips(kind):
    if kind == "libri":
        d = DATA + "/librivox"
        res = []
        for line in open(d + "/transcription", encoding="utf-8"):
            text, fid = line.rsplit("(", 1)
            text = text.replace("<s>", "").replace("</s>", "").strip()
            res.append((d + "/" + fid.strip().rstrip(")") + ".wav", text))
        return res
    d = DATA + "/cards"
    res = []
    for line in open(d + "/cards.transcription", encoding="utf-8"):
        text, fid = line.rsplit("(", 1)
        text = text.replace("<s>", "").replace("</s>", "").strip()
        res.append((d + "/" + fid.strip().rstrip(")") + ".wav", text))
    return res


def tight(eid, items, margin=0.03):
    rng = random.Random(7)
    audio, sents = [], []
    for i, (wav, text) in enumerate(items):
        x = be.read_wav(wav)
        on, off, info = be.speech_bounds(x)
        a = max(0, on - int(margin * be.SR))
        b = min(len(x), off + int(margin * be.SR))
        if i == 0:
            audio += be.noise(rng, int(0.5 * be.SR), info["noise_rms"])
        base = len(audio)
        audio += list(x[a:b])
        sents.append({"text": text, "start": round((base + on - a) / be.SR, 4),
                      "end": round((base + off - a) / be.SR, 4)})
    audio += be.noise(rng, int(0.5 * be.SR), info["noise_rms"])
    be.write_wav(os.path.join(out, eid + ".wav"), audio)
    with open(os.path.join(out, eid + ".txt"), "w", encoding="utf-8") as f:
        f.write("".join(s["text"] + "\n" for s in sents))
    with open(os.path.join(out, eid + ".json"), "w", encoding="utf-8") as f:
        json.dump({"audio": eid + ".wav", "sample_rate": be.SR,
                   "duration": round(len(audio) / be.SR, 4), "sentences": sents}, f, indent=1)


os.makedirs(out, exist_ok=True)
lib = clips("libri")
be.build_episode({"id": "libri", "seed": 2026,
                  "utterances": [{"wav": w, "text": t} for w, t in lib]}, out, "/")
tight("libri_tight", lib)
tight("cards_tight", clips("cards"))
tight("both_tight", lib + clips("cards"))
print("real speech episodes in", out)
