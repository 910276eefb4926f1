#!/usr/bin/env bash
# Runs a standalone single-node KRaft Kafka broker on localhost for multi-process shoal runs.
# The broker's jars come from Maven Central (through the project's Maven wrapper) on first use.
#   SHOAL_KAFKA_HOME  where jars, config and data live (default: ~/.shoal/kafka)
#   SHOAL_KAFKA_PORT  client port (default 9092); the controller uses the next port
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
home="${SHOAL_KAFKA_HOME:-$HOME/.shoal/kafka}"
port="${SHOAL_KAFKA_PORT:-9092}"
controller_port=$((port + 1))
lib="$home/lib"
mkdir -p "$home"

if [ ! -f "$lib/.complete" ]; then
  echo "kafka-standalone: fetching broker jars into $lib" >&2
  rm -rf "$lib"
  "$root/mvnw" -q -f "$root/deploy/kafka/pom.xml" dependency:copy-dependencies -DoutputDirectory="$lib"
  touch "$lib/.complete"
fi

config="$home/server.properties"
sed -e "s#@PORT@#$port#g" -e "s#@CONTROLLER_PORT@#$controller_port#g" -e "s#@DATA_DIR@#$home/data#g" \
  "$root/deploy/kafka/server.properties" > "$config"

if [ ! -f "$home/data/meta.properties" ]; then
  cluster_id="$(java -cp "$lib/*" kafka.tools.StorageTool random-uuid)"
  java -cp "$lib/*" kafka.tools.StorageTool format --standalone -t "$cluster_id" -c "$config" >&2
fi

echo "kafka-standalone: broker on localhost:$port (data in $home/data)" >&2
exec java ${KAFKA_HEAP_OPTS:--Xmx1g} -Dlog4j2.configurationFile="$root/deploy/kafka/log4j2.properties" \
  -cp "$lib/*" kafka.Kafka "$config"
