#!/usr/bin/env bash
# Closed-loop latency of `shoal live`: the endless arena live source at 60 fps with 10 animals and one zone
# rule, stopped with SIGTERM after FRAMES / 60 s of source (plus start-up), as an operator would stop it;
# a UDP listener (Python, CLOCK_MONOTONIC, the clock System.nanoTime reads on Linux) stamps each OSC
# datagram on arrival and subtracts the frame's capture time carried in it. Reports p50/p99 over every
# datagram and over those after warm-up + 5 s (the segmenter's catch-up), and the dropped frames.
# Baseline in the same run: `shoal ingest` of the same arena source alone (source + broker, no stages).
# Variants: the full pipeline (crops, trainer and identifier) and --crop-size 0 (no training; provisional identities).
#   [WARMUP=S] [VARIANTS=full,notrain] [REWIND=1] bench/live-latency.sh [FRAMES [SIZE]]
#   (defaults: warm-up 3 s, both variants, 1800 frames = 30 s at 60 fps, 1024x1024)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
frames="${1:-1800}"
size="${2:-1024}"
work="${BENCH_DIR:-$root/target/bench/live}"
shoal="$root/deploy/bin/shoal"
[ -f "$root/deploy/target/shoal.jar" ] || (cd "$root" && ./mvnw -q -DskipTests package)
mkdir -p "$work"
fps=60
warmup="${WARMUP:-3}"
variants="${VARIANTS:-full,notrain}"
spec="arena:animals=10,fps=$fps,frames=$frames,seed=7,size=${size}x${size}"
live_spec="arena:animals=10,fps=$fps,seed=7,size=${size}x${size}"   # no frame count: a live session
# REWIND=1: the source carries its frame count, so the segmenter rewinds to the first frame after the
# warm-up and segments the window (what every live session did before the live catch-up change).
[ -n "${REWIND:-}" ] && live_spec="$spec"
run_seconds=$(( frames / fps + 10 ))                                # + start-up of broker and stages
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
steady=$(( (warmup + 5) * fps ))
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== baseline: shoal ingest $spec (source + broker alone)"
"$shoal" ingest "$spec" --session bench-baseline 2>&1 | grep -E "^ingest:"
for variant in "full|full pipeline (crops, trainer, identifier)|--crop-size 52" "notrain|no training (--crop-size 0)|--crop-size 0"; do
  key="${variant%%|*}"; rest="${variant#*|}"; label="${rest%%|*}"; option="${rest##*|}"
  [[ ",$variants," == *",$key,"* ]] || continue
  log="$work/datagrams-$size-$warmup-${option// /}.txt"
  python3 "$work/listen.py" "$port" "$log" &
  listener=$!
  sleep 0.5
  echo "== live, $label: $live_spec, zone rule, warm-up ${warmup} s, SIGTERM after ${run_seconds} s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  "$shoal" live --source "$live_spec" --animals 10 --rules "$work/rules.yaml" --warmup-seconds "$warmup" $option \
    --metrics-port 0 --out "$work/out-$size${option// /}" --work-dir "$work" > "$work/live.log" 2>&1 &
  live=$!
  sleep "$run_seconds"
  kill -TERM "$live"
  wait "$live" || true
  grep -E "^live: (session|capture|trajectories)" "$work/live.log"
  kill "$listener" 2>/dev/null || true
  wait "$listener" 2>/dev/null || true
  summarise "$log" "$steady"
done
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
