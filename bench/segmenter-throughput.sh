#!/usr/bin/env bash
# Segmentation throughput on one core (SegmentationBenchmark, a main in segmenter's test sources):
# for 1024x1024 arena videos with 10 and 100 animals, FFmpeg decode alone, a plain OpenCV pipeline
# (absdiff + threshold + connectedComponentsWithStats) and the segmentation library on the same
# decoded frames, in the same run, pinned to one CPU.
#   bench/segmenter-throughput.sh [FRAMES] [CODEC] [PASSES]     (defaults 300 H264 3)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
frames="${1:-300}"
codec="${2:-H264}"
passes="${3:-3}"
work="${BENCH_DIR:-$root/target/bench}"
cd "$root"
./mvnw -B -q -pl segmenter -am test-compile dependency:build-classpath -Dmdep.outputFile=target/test-cp.txt \
  -Dmdep.includeScope=test >/dev/null
cp="segmenter/target/test-classes:segmenter/target/classes:$(cat segmenter/target/test-cp.txt)"
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1); load average $(cut -d' ' -f1-3 /proc/loadavg)"
for animals in 10 100; do
  taskset -c 0 java -XX:ActiveProcessorCount=1 -Xmx3g -cp "$cp" dev.shoal.segmenter.SegmentationBenchmark \
    "$animals" "$frames" 1024 "$codec" "$passes" "$work" 2>&1 | grep -v "^\[" || true
  echo "   load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
done
