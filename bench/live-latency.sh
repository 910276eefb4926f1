#!/usr/bin/env bash
# Closed-loop latency of `shoal live`: the endless arena live source at each FPS with 10 animals and one zone
# rule, stopped with SIGTERM FRAMES / FPS s after its first frame was published, as an operator would stop it;
# a UDP listener (Python, CLOCK_MONOTONIC, the clock System.nanoTime reads on Linux) stamps each OSC
# datagram on arrival and subtracts the frame's capture time carried in it. Reports p50/p99 over every
# datagram and over those after warm-up + 5 s (the segmenter's catch-up), and the dropped frames.
# Where the time goes: /metrics is scraped after warm-up + 5 s and just before the stop, and the difference
# of the two gives, over the steady part of the run, each stage's capture-to-output latency (segmenter:
# capture to its blobs record; identifier: to its tracks record; stimulus: to its decision) and the
# segmenter's time per frame, as histogram bucket bounds ("<= x ms").
# Baseline in the same run: `shoal ingest` of the same arena source alone (source + broker, no stages).
# Variants: the full pipeline (crops, trainer and identifier), --crop-size 0 (no training; provisional
# identities), and --model FILE (crops scored by a trained model from the first frame; no trainer). Without
# MODEL=FILE the model variant first trains the light network on the same arena's crops (trainer's
# ArenaModelExport, cached under the bench directory).
#   [FPS=30,60] [WARMUP=S] [VARIANTS=full,notrain,model] [MODEL=FILE] [SHOAL_JAR=JAR] [REWIND=1]
#   bench/live-latency.sh [FRAMES [SIZE]]
#   (defaults: 30 and 60 fps, warm-up 3 s, all three variants, 1800 frames per run, 1024x1024;
#    SHOAL_JAR runs another build, e.g. the commit before a change, for before/after in one sitting)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
frames="${1:-1800}"
size="${2:-1024}"
work="${BENCH_DIR:-$root/target/bench/live}"
if [ -n "${SHOAL_JAR:-}" ]; then
  shoal=(java ${SHOAL_JAVA_OPTS:--Xmx4g} -jar "$SHOAL_JAR")
else
  [ -f "$root/deploy/target/shoal.jar" ] || (cd "$root" && ./mvnw -q -DskipTests package)
  shoal=("$root/deploy/bin/shoal")
fi
mkdir -p "$work"
warmup="${WARMUP:-3}"
variants="${VARIANTS:-full,notrain,model}"
rates="${FPS:-30,60}"
port=$((20000 + RANDOM % 20000))
cat > "$work/rules.yaml" <<YAML
rules:
  - name: centre-entry
    type: zone-enter
    zone: {circle: {x: $((size / 2)), y: $((size / 2)), radius: $((size * 220 / 1024))}}
osc: {host: 127.0.0.1, port: $port}
YAML
cat > "$work/listen.py" <<'PY'
import socket, struct, sys, time
port, out = int(sys.argv[1]), sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", port))
def osc_string(data, i):
    end = data.index(b"\0", i)
    return data[i:end].decode(), (end + 4) & ~3
with open(out, "w") as f:                   # until killed
    while True:
        data, _ = s.recvfrom(2048)
        now = time.monotonic_ns()
        _, i = osc_string(data, 0)              # address
        _, i = osc_string(data, i)              # type tags ,sissf...
        _, i = osc_string(data, i)              # session
        frame = struct.unpack(">i", data[i:i + 4])[0]
        capture, _ = osc_string(data, i + 4)
        f.write(f"{frame} {now - int(capture)}\n")
        f.flush()
PY
summarise() {  # file, steady-from frame
  python3 - "$1" "$2" <<'PY'
import sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1])]
def q(v, p):
    v = sorted(v); return v[min(len(v) - 1, max(0, int(-(-p * len(v) // 1)) - 1))] / 1e6
for name, sel in (("all", rows), ("after warm-up+5 s", [r for r in rows if r[0] >= int(sys.argv[2])])):
    lat = [r[1] for r in sel]
    if lat:
        print(f"   datagrams {name}: {len(lat)}, capture-to-UDP p50 {q(lat, .5):.1f} ms, p99 {q(lat, .99):.1f} ms, max {max(lat) / 1e6:.1f} ms")
    else:
        print(f"   datagrams {name}: none")
PY
}
scrape() {  # port, file: /metrics now, or nothing when it does not answer
  python3 - "$1" "$2" <<'PY'
import sys, urllib.request
try:
    body = urllib.request.urlopen(f"http://localhost:{sys.argv[1]}/metrics", timeout=5).read()
except OSError:
    body = b""
open(sys.argv[2], "wb").write(body)
PY
}
stages() {  # metrics before, metrics after: each stage's latency over the records between the two scrapes
  python3 - "$1" "$2" <<'PY'
import re, sys
def parse(path):
    out = {}
    for line in open(path):
        m = re.match(r'(shoal_capture_latency_seconds|shoal_stage_processing_seconds)_bucket\{(.*)\} (\S+)$', line.strip())
        if m:
            labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
            le = float("inf") if labels["le"] == "+Inf" else float(labels["le"])
            out.setdefault((m.group(1), labels.get("stage")), {})[le] = float(m.group(3))
    return out
before, after = parse(sys.argv[1]), parse(sys.argv[2])
names = {"shoal_capture_latency_seconds": "capture to output", "shoal_stage_processing_seconds": "time per frame"}
for key in sorted(after, key=lambda k: (k[0] != "shoal_capture_latency_seconds", ["segmenter", "identifier", "stimulus"].index(k[1]) if k[1] in ("segmenter", "identifier", "stimulus") else 9)):
    les = sorted(after[key])
    counts = [after[key][le] - before.get(key, {}).get(le, 0) for le in les]
    total = counts[-1]
    if total <= 0:
        continue
    def bound(p):
        return next(le for le, c in zip(les, counts) if c >= p * total) * 1000
    print(f"   {key[1]} {names[key[0]]}: {int(total)} records, p50 <= {bound(.5):.1f} ms, p99 <= {bound(.99):.1f} ms")
PY
}
model_file() {  # the light network trained on this arena's crops (seed 7, SIZE), made once
  local file="$work/models/light-10-$size-7.onnx"
  if [ ! -f "$file" ]; then
    (cd "$root" && ./mvnw -B -q -pl trainer -am test-compile dependency:build-classpath \
      -Dmdep.outputFile=target/test-cp.txt -Dmdep.includeScope=test) >&2
    (cd "$root/trainer" && DJL_CACHE_DIR=target/djl-cache java -Xmx6g -Dai.djl.offline=true \
      -Dai.djl.pytorch.num_threads=2 -Dai.djl.pytorch.num_interop_threads=1 \
      -cp "target/classes:target/test-classes:$(cat target/test-cp.txt)" dev.shoal.trainer.ArenaModelExport \
      10 2400 "$size" 7 LIGHT "$work/models") >&2
  fi
  echo "$file"
}
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== shoal: ${shoal[*]}"
model=""
if [[ ",$variants," == *",model,"* ]]; then
  model="${MODEL:-$(model_file)}"
  echo "== model for the model variant: $model"
fi
for fps in ${rates//,/ }; do
  spec="arena:animals=10,fps=$fps,frames=$frames,seed=7,size=${size}x${size}"
  live_spec="arena:animals=10,fps=$fps,seed=7,size=${size}x${size}"   # no frame count: a live session
  # REWIND=1: the source carries its frame count, so the segmenter rewinds to the first frame after the
  # warm-up and segments the window (what every live session did before the live catch-up change).
  [ -n "${REWIND:-}" ] && live_spec="$spec"
  steady=$(( (warmup + 5) * fps ))
  echo "== baseline at $fps fps: shoal ingest $spec (source + broker alone); load average $(cut -d' ' -f1-3 /proc/loadavg)"
  "${shoal[@]}" ingest "$spec" --session "bench-baseline-$fps" 2>&1 | grep -E "^ingest:"
  for variant in "full|full pipeline (crops, trainer, identifier)|--crop-size 52" \
                 "notrain|no training (--crop-size 0)|--crop-size 0" \
                 "model|trained model from the start, no trainer (--model)|--crop-size 52 --model $model"; do
    key="${variant%%|*}"; rest="${variant#*|}"; label="${rest%%|*}"; option="${rest##*|}"
    [[ ",$variants," == *",$key,"* ]] || continue
    log="$work/datagrams-$size-$fps-$warmup-$key.txt"
    : > "$work/live.log"
    python3 "$work/listen.py" "$port" "$log" &
    listener=$!
    sleep 0.5
    echo "== live at $fps fps, $label: $live_spec, zone rule, warm-up ${warmup} s, SIGTERM $(( frames / fps )) s after the first frame; load average $(cut -d' ' -f1-3 /proc/loadavg)"
    start=$SECONDS
    "${shoal[@]}" live --source "$live_spec" --animals 10 --rules "$work/rules.yaml" --warmup-seconds "$warmup" $option \
      --metrics-port 0 --out "$work/out-$size-$fps-$key" --work-dir "$work" > "$work/live.log" 2>&1 &
    live=$!
    until grep -q "^live: metrics on" "$work/live.log" || [ $((SECONDS - start)) -ge 120 ]; do sleep 0.2; done
    metrics_port=$(sed -n 's|^live: metrics on http://localhost:\([0-9]*\)/metrics|\1|p' "$work/live.log" | head -1)
    # The source's time starts with its first published frame (the broker's start-up takes 3 s on a quiet
    # machine, far longer on a loaded one); then the warm-up and the catch-up, then the steady part.
    until grep -q "published [1-9]" "$work/live.log" || [ $((SECONDS - start)) -ge 120 ]; do sleep 0.2; done
    start=$SECONDS
    sleep $(( warmup + 5 ))
    scrape "$metrics_port" "$work/metrics-steady.txt"
    sleep $(( frames / fps - (SECONDS - start) > 0 ? frames / fps - (SECONDS - start) : 0 ))
    scrape "$metrics_port" "$work/metrics-end.txt"
    kill -TERM "$live"
    wait "$live" || true
    grep -E "^live: (session|capture|trajectories)" "$work/live.log" || tail -5 "$work/live.log"
    kill "$listener" 2>/dev/null || true
    wait "$listener" 2>/dev/null || true
    summarise "$log" "$steady"
    echo "   stages after warm-up + 5 s, from /metrics (histogram bucket bounds):"
    stages "$work/metrics-steady.txt" "$work/metrics-end.txt"
  done
done
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
