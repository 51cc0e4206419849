#!/usr/bin/env bash
# make bench-align: accuracy (the corpus scorer), speed (x real time, one core) and peak RSS
# of gazette align on real speech Debian ships (pocketsphinx-testdata) and on the dev set as
# other voices and rooms (bench/voices.py), both with and without the acoustic stage; the dev
# set, the 11.9-minute long episode (with each stage's time), one hour (the long episode five
# times: memory must grow linearly) and a synthetic Mandarin check.
set -euo pipefail
B=${1:-build}
BIN=$PWD/$B/gazette
CORPUS=${CORPUS:-$PWD/../shared/corpus}
work=${BENCH_WORK:-/tmp/gz-bench-align}
mkdir -p "$work"
[ -d "$CORPUS/dev" ] || { echo "bench-align: no corpus at $CORPUS"; exit 1; }
for t in flac sox espeak-ng python3; do command -v $t >/dev/null || { echo "bench-align: needs $t"; exit 1; }; done

# run NAME AUDIO TEXT OUT [args]: one timed alignment on core 0; prints "seconds rss_kb"
run() {
    /usr/bin/time -f "%e %M" -o "$work/time" taskset -c 0 "$BIN" align "$2" "$3" -q -o "$4" "${@:5}"
    cat "$work/time"
}
dur() { soxi -D "$1"; }

echo "== real speech (pocketsphinx-testdata; see bench/real_speech.py for how the truth is made)"
if [ -d /usr/share/pocketsphinx/test/data/librivox ]; then
    mkdir -p "$work/real"
    python3 "$PWD/bench/real_speech.py" "$CORPUS" "$work/real" >/dev/null
    d=$(soxi -D "$work/real/both_tight.wav")
    sox -n -r 16000 -b 16 -c 1 "$work/real/music.wav" synth "$d" sine 220 sine 277 sine 330 tremolo 3 60 vol 0.05
    sox -m "$work/real/both_tight.wav" "$work/real/music.wav" "$work/real/bed.wav"
    cp "$work/real/both_tight.json" "$work/real/bed.json"
    cp "$work/real/both_tight.txt" "$work/real/bed.txt"
    for mode in acoustic no-acoustic; do
        rm -rf "$work/real/$mode"; mkdir -p "$work/real/$mode"
        for e in libri libri_tight cards_tight bed; do
            flag=(); [ $mode = no-acoustic ] && flag=(--no-acoustic)
            "$BIN" align "$work/real/$e.wav" "$work/real/$e.txt" --lines -q "${flag[@]}" -o "$work/real/$mode/$e.json"
            cp "$work/real/$e.json" "$work/real/$mode/$e.gt.json"
        done
        echo "-- $mode"
        python3 "$CORPUS/score.py" $(for e in libri libri_tight cards_tight bed; do echo "$work/real/$e.json $work/real/$mode/$e.json"; done) | tail -5
    done
else
    echo "(pocketsphinx-testdata not installed: skipped)"
fi

echo "== other voices and rooms (the dev set through sox; see bench/voices.py)"
rm -rf "$work/voices"; mkdir -p "$work/voices"
for v in $(python3 "$PWD/bench/voices.py" "$CORPUS" "$work/voices"); do
    for mode in acoustic no-acoustic; do
        flag=(); [ $mode = no-acoustic ] && flag=(--no-acoustic)
        mkdir -p "$work/voices/$v/$mode"
        for w in "$work/voices/$v"/dev*.wav; do
            b=$(basename "$w" .wav)
            "$BIN" align "$w" "$work/voices/$v/$b.txt" --lines -q "${flag[@]}" -o "$work/voices/$v/$mode/$b.json"
        done
        printf "%-11s %-12s " "$v" "$mode"
        python3 "$CORPUS/score.py" --gt-dir "$work/voices/$v" --pred-dir "$work/voices/$v/$mode" | tail -1 | sed 's/^OVERALL *//'
    done
done

echo "== dev (7 episodes, $(ls "$CORPUS"/dev/dev*.flac | wc -l) files)"
mkdir -p "$work/dev"
tot_t=0; tot_d=0; max_rss=0
for f in "$CORPUS"/dev/dev*.flac; do
    b=$(basename "$f" .flac)
    read -r t rss < <(run "$b" "$f" "$CORPUS/dev/$b.txt" "$work/dev/$b.json" --lines)
    tot_t=$(echo "$tot_t + $t" | bc -l); tot_d=$(echo "$tot_d + $(dur "$f")" | bc -l)
    [ "$rss" -gt "$max_rss" ] && max_rss=$rss
done
python3 "$CORPUS/score.py" --gt-dir "$CORPUS/dev" --pred-dir "$work/dev" | tail -1
printf "speed %.0fx real time (%.1f s audio in %.2f s), peak RSS %.1f MiB\n" \
    "$(echo "$tot_d / $tot_t" | bc -l)" "$tot_d" "$tot_t" "$(echo "$max_rss / 1024" | bc -l)"

echo "== long (11.9 min)"
[ -f "$work/long/long01.flac" ] || python3 "$CORPUS/tools/make_long_episode.py" --out "$work/long" >/dev/null
read -r t rss < <(run long "$work/long/long01.flac" "$work/long/long01.txt" "$work/long01.json" --lines)
python3 "$CORPUS/score.py" "$work/long/long01.json" "$work/long01.json" | tail -1
taskset -c 0 "$BIN" align "$work/long/long01.flac" "$work/long/long01.txt" --lines -q --timing -o "$work/long01.t.json"
d=$(dur "$work/long/long01.flac")
printf "speed %.0fx real time (%.1f s audio in %.2f s), peak RSS %.1f MiB\n" \
    "$(echo "$d / $t" | bc -l)" "$d" "$t" "$(echo "$rss / 1024" | bc -l)"

echo "== word starts (the long episode's text read by espeak-ng, against its own word times)"
bench/words_synth.sh "$BIN" "$work/long/long01.txt" "$work/words" | grep -v '^listening'

echo "== one hour (long x5)"
if [ ! -f "$work/hour.flac" ]; then
    sox "$work/long/long01.flac" "$work/long/long01.flac" "$work/long/long01.flac" \
        "$work/long/long01.flac" "$work/long/long01.flac" "$work/hour.flac"
    for i in 1 2 3 4 5; do cat "$work/long/long01.txt"; done >"$work/hour.txt"
fi
read -r t rss < <(run hour "$work/hour.flac" "$work/hour.txt" "$work/hour.json" --lines)
d=$(dur "$work/hour.flac")
python3 - "$work/long/long01.json" "$work/hour.json" <<'PY'
import json, sys
gt = json.load(open(sys.argv[1]))["sentences"]
pr = [s for p in json.load(open(sys.argv[2]))["text"] for s in p if s["text"]]
D = 714.09
e = sorted(abs(pr[k * len(gt) + i]["start"] - (g["start"] + k * D)) * 1000 for k in range(5) for i, g in enumerate(gt))
print("hour: n=%d median=%.1f p90=%.1f max=%.1f ms <=100ms %.1f%%" % (len(e), e[len(e) // 2], e[int(0.9 * len(e))], e[-1], 100.0 * sum(x <= 100 for x in e) / len(e)))
PY
printf "speed %.0fx real time (%.1f s audio in %.2f s), peak RSS %.1f MiB\n" \
    "$(echo "$d / $t" | bc -l)" "$d" "$t" "$(echo "$rss / 1024" | bc -l)"

echo "== Mandarin (SYNTHETIC: espeak-ng cmn+m3 at 140 wpm, pink noise, reverb)"
mkdir -p "$work/zh"
node "$PWD/bench/zh_synth.mjs" "$work/zh" >/dev/null
read -r t rss < <(run zh "$work/zh/narration.flac" "$work/zh/text.txt" "$work/zh/out.json")
python3 "$CORPUS/score.py" "$work/zh/truth.json" "$work/zh/out.json" | tail -1
d=$(dur "$work/zh/narration.flac")
printf "speed %.0fx real time (%.1f s audio in %.2f s), peak RSS %.1f MiB\n" \
    "$(echo "$d / $t" | bc -l)" "$d" "$t" "$(echo "$rss / 1024" | bc -l)"
