#!/usr/bin/env bash
# Crops/s scored on CPU through the identifier's real scoring path (IdentityScorer: GRAY8 crops scaled into a
# direct buffer, ONNX Runtime) at batches 1, 16, 64, 256, per network, with a baseline in the same run: a plain
# OrtSession.run of the same model on a tensor filled once. The networks are the trainer's two architectures
# (idtracker.ai's and the light one) trained on one arena's crops by the trainer's ArenaModelExport, which also
# prints each one's held-out accuracy, so they are compared at known accuracy.
#   [THREADS=2] [SECONDS=5] [MODELS="a.onnx b.onnx"] bench/scoring-throughput.sh
#   (without MODELS: trains both networks on the 10-animal, 512x512, seed-7 arena, once, under the bench directory)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${BENCH_DIR:-$root/target/bench/scoring}"
threads="${THREADS:-2}"
seconds="${SECONDS_PER_FIGURE:-5}"
mkdir -p "$work"
cd "$root"
models="${MODELS:-}"
if [ -z "$models" ]; then
  models="$work/light-10-512-7.onnx $work/idtracker-10-512-7.onnx"
  if [ ! -f "$work/light-10-512-7.onnx" ] || [ ! -f "$work/idtracker-10-512-7.onnx" ]; then
    ./mvnw -B -q -pl trainer -am test-compile dependency:build-classpath -Dmdep.outputFile=target/test-cp.txt \
      -Dmdep.includeScope=test
    (cd trainer && DJL_CACHE_DIR=target/djl-cache java -Xmx6g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=2 \
      -Dai.djl.pytorch.num_interop_threads=1 -cp "target/classes:target/test-classes:$(cat target/test-cp.txt)" \
      dev.shoal.trainer.ArenaModelExport 10 2400 512 7 LIGHT,IDTRACKER "$work")
  fi
fi
./mvnw -B -q -pl identifier -am test-compile dependency:build-classpath -Dmdep.outputFile=target/test-cp.txt \
  -Dmdep.includeScope=test
# ONNX Runtime crashes when started with a very long -cp: the classpath goes in a manifest-only jar instead.
python3 - "$root/identifier" "$work/scoring-benchmark.jar" <<'PY'
import os, sys, zipfile
module, jar = sys.argv[1], sys.argv[2]
entries = [os.path.join(module, "target/test-classes") + "/", os.path.join(module, "target/classes") + "/"]
entries += [p for p in open(os.path.join(module, "target/test-cp.txt")).read().strip().split(":") if p]
value = " ".join("file:" + (p + "/" if os.path.isdir(p) and not p.endswith("/") else p) for p in entries)
lines, line = [], "Class-Path: " + value
while len(line.encode()) > 72:
    lines.append(line[:72]); line = " " + line[72:]
lines.append(line)
manifest = "Manifest-Version: 1.0\r\nMain-Class: dev.shoal.identifier.IdentityScorerBenchmark\r\n" + "\r\n".join(lines) + "\r\n\r\n"
with zipfile.ZipFile(jar, "w") as z:
    z.writestr("META-INF/MANIFEST.MF", manifest)
PY
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1)"
java -jar "$work/scoring-benchmark.jar" "$threads" "$seconds" $models
