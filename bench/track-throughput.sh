#!/usr/bin/env bash
# Throughput of `shoal track` on a generated arena video, with FFmpeg decoding the same file alone
# (`shoal probe`) as the baseline, measured in the same run. Prints both, their ratio, and the
# identity metrics of the result against the arena truth (`shoal eval`).
#   bench/track-throughput.sh [ANIMALS] [FRAMES] [SIZE]     (default 10 3000 1024)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
animals="${1:-10}"
frames="${2:-3000}"
size="${3:-1024}"
work="${BENCH_DIR:-$root/target/bench}"
shoal="$root/deploy/bin/shoal"
[ -f "$root/deploy/target/shoal.jar" ] || (cd "$root" && ./mvnw -q -DskipTests package)
mkdir -p "$work"
video_dir="$work/arena-$animals-$frames-$size"
if [ ! -f "$video_dir/video.mkv" ]; then
  "$shoal" simulate --animals "$animals" --frames "$frames" --size "$size" "$size" --fps 30 --seed 1 \
    --difficulty medium --out "$video_dir"
fi
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1)"
echo "== baseline: FFmpeg decode alone"
"$shoal" probe "$video_dir/video.mkv"
echo "== shoal track"
/usr/bin/time -v "$shoal" track "$video_dir/video.mkv" --animals "$animals" --out "$work/tracked-$animals-$frames-$size" \
  2> >(grep -E "tracked|Maximum resident|Elapsed" >&2)
echo "== identities against the arena's ground truth"
"$shoal" eval "$video_dir/truth.csv" "$work/tracked-$animals-$frames-$size/trajectories.csv" --radius 10 | sed -n 5,14p
