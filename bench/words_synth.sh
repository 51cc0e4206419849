#!/usr/bin/env bash
# bench/words_synth.sh BIN TEXT WORK: word starts with known times. The text (one sentence a
# line; the long episode's in make bench-align) is imported as a story narrated by espeak-ng
# ("synthesize", timed from espeak-ng's own word events, served in transcript.json), then that
# narration is aligned with `gazette align --words`; every word start is compared with
# espeak-ng's. Prints the error distribution and the time the alignment took.
set -euo pipefail
BIN=$1; TEXT=$2; work=$3
rm -rf "$work"; mkdir -p "$work/data"
python3 - "$TEXT" "$work/bundle.json" <<'PY'
import json, sys
lines = [l.strip() for l in open(sys.argv[1], encoding='utf-8') if l.strip()]
body = [lines[i:i + 6] for i in range(0, len(lines), 6)]
json.dump({"gazette_bundle": 1, "slug": "words", "section": {"slug": "bench", "en": "Bench", "zh": "测试"},
           "published": "2026-01-01T00:00:00Z",
           "en": {"headline": "Word timing", "body": body, "narration": {"synthesize": "espeak-ng"}}},
          open(sys.argv[2], "w"))
PY
"$BIN" import --data "$work/data" "$work/bundle.json" >/dev/null
port=$((20000 + RANDOM % 20000))
"$BIN" serve --data "$work/data" --listen "127.0.0.1:$port" --no-demo --access-log off \
    --log-level error 2>"$work/serve.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/story/1/transcript.json" >"$work/truth.json"
kill $pid; wait $pid 2>/dev/null || true; trap - EXIT
audio=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"].split("/")[-1])' "$work/truth.json")
audio=$(find "$work/data" -name "$audio" | head -1)
/usr/bin/time -f "%e %M" -o "$work/time" taskset -c 0 "$BIN" align "$audio" "$TEXT" --lines --words -q \
    -o "$work/pred.json"
python3 - "$work/truth.json" "$work/pred.json" "$work/time" "$audio" <<'PY'
import difflib, json, subprocess, sys
def words(path):
    out = []
    for para in json.load(open(path))["text"]:
        for s in para:
            if s.get("text"):
                out.append([(w["text"], w["start"]) for w in s.get("words") or []])
    return out
t, p = words(sys.argv[1]), words(sys.argv[2])
assert len(t) == len(p), (len(t), len(p))
# Words matched in order (difflib) by their lowercased text: espeak-ng's events skip some
# words and split numbers, so counting occurrences would pair the wrong ones.
err, skipped = [], 0
for ts, ps in zip(t, p):
    if not ps:
        skipped += 1
        continue
    a = [w.lower() for w, _ in ts]
    b = [w.lower() for w, _ in ps]
    for blk in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
        for i in range(blk.size):
            s1, s2 = ts[blk.a + i][1], ps[blk.b + i][1]
            if s1 is not None and s2 is not None:
                err.append(abs(s2 - s1) * 1000)
err.sort()
secs, rss = open(sys.argv[3]).read().split()
dur = float(subprocess.run(["soxi", "-D", sys.argv[4]], capture_output=True, text=True).stdout)
print("words: n=%d median=%.1f p90=%.1f p99=%.1f ms <=50ms %.1f%% (sentences without words: %d of %d)" %
      (len(err), err[len(err) // 2], err[int(0.9 * len(err))], err[int(0.99 * len(err))],
       100.0 * sum(e <= 50 for e in err) / len(err), skipped, len(t)))
print("speed %.0fx real time (%.1f s audio in %s s), peak RSS %.1f MiB" % (dur / float(secs), dur, secs, int(rss) / 1024))
PY
