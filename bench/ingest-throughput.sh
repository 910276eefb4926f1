#!/usr/bin/env bash
# Decode + publish throughput of `shoal ingest` (FFmpeg decode to GRAY8, publish on the embedded
# broker) against the ffmpeg command decoding the same file alone (`ffmpeg -benchmark -i F -f null -`),
# in the same run, for a 1024x1024 H.264 and a 1024x1024 FFV1 video. Beside them, from
# IngestThroughputBenchmark (a main in ingest's test sources): Java decoding alone (no broker), and
# the ceiling, a bare KafkaProducer sending FRAMES 1 MiB frame records to the same kind of embedded
# broker with the frame producer's settings; each with the process CPU time it took.
#   bench/ingest-throughput.sh [FRAMES]     (default 600)
# SHOAL=/path/to/bin/shoal times another build's `shoal ingest` (a before/after comparison).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
frames="${1:-600}"
work="${BENCH_DIR:-$root/target/bench}"
shoal="${SHOAL:-$root/deploy/bin/shoal}"
[ -f "$root/deploy/target/shoal.jar" ] || (cd "$root" && ./mvnw -q -DskipTests package)
(cd "$root" && ./mvnw -B -q -pl ingest -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/test-cp.txt -Dmdep.includeScope=test >/dev/null)
cp="$root/ingest/target/test-classes:$root/ingest/target/classes:$(cat "$root/ingest/target/test-cp.txt")"
bench() { java ${SHOAL_JAVA_OPTS:--Xmx4g} -cp "$cp" dev.shoal.ingest.IngestThroughputBenchmark "$@" 2>&1 | grep -v "^\["; }
command -v ffmpeg >/dev/null || { echo "needs the ffmpeg command (Debian package ffmpeg)" >&2; exit 2; }
mkdir -p "$work"
clip="$root/../shared/data/fly-clip/clip.mp4"
if [ -f "$clip" ]; then
  input=(-i "$clip")
else
  input=(-f lavfi -i "testsrc2=size=1024x1024:rate=25")
fi
h264="$work/ingest-1024-$frames.h264.mp4"
ffv1="$work/ingest-1024-$frames.ffv1.mkv"
[ -f "$h264" ] || ffmpeg -loglevel error -y "${input[@]}" -frames:v "$frames" -vf scale=1024:1024 -c:v libx264 \
  -pix_fmt yuv420p -crf 18 -an "$h264"
[ -f "$ffv1" ] || ffmpeg -loglevel error -y "${input[@]}" -frames:v "$frames" -vf scale=1024:1024 -c:v ffv1 \
  -pix_fmt yuv420p -an "$ffv1"
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1), $(ffmpeg -version | head -1 | cut -d' ' -f1-3)"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for video in "$h264" "$ffv1"; do
  echo "== $(basename "$video")"
  ffmpeg -hide_banner -benchmark -i "$video" -f null - 2>&1 | grep -E "^frame=|bench:" | tr '\r' '\n' | grep -E "bench|frame=" | tail -2
  bench "$video" decode
  bench "$video" ceiling "$frames"
  "$shoal" ingest "$video" --session bench 2>&1 | grep -E "^ingest:"
done
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
