#!/usr/bin/env bash
# Runs a 3-node KRaft Kafka cluster on localhost (each node broker and controller) for distributed
# shoal runs (shoal serve ...). The jars come from Maven Central on first use, as for kafka-standalone.sh.
#
#   kafka-cluster.sh start|stop|status [DIR]
#
#   DIR               where each node's config, data, log and pid live (default: ~/.shoal/kafka-cluster);
#                     a cluster started in DIR keeps its data there across stop and start
#   SHOAL_KAFKA_HOME  where the jars live (default: ~/.shoal/kafka, shared with kafka-standalone.sh)
#   SHOAL_KAFKA_PORT  first client port (default 19092, or the one DIR's cluster was started with):
#                     nodes listen on it and the next two, their controllers on those plus 100
#   KAFKA_HEAP_OPTS   each node's heap (default -Xmx512m)
#
# start prints the bootstrap list (localhost:P,localhost:P+1,localhost:P+2) on stdout once every node
# answers; stop sends SIGTERM to the nodes it started and waits for them to exit.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
command="${1:-}"
dir="${2:-$HOME/.shoal/kafka-cluster}"
home="${SHOAL_KAFKA_HOME:-$HOME/.shoal/kafka}"
# The ports a cluster was started with are kept in DIR, so stop and status need no environment.
if [ -z "${SHOAL_KAFKA_PORT:-}" ] && [ -f "$dir/base-port" ]; then
  base="$(cat "$dir/base-port")"
else
  base="${SHOAL_KAFKA_PORT:-19092}"
fi
lib="$home/lib"
nodes=(1 2 3)

port_of() { echo $((base + $1 - 1)); }
controller_port_of() { echo $((base + 100 + $1 - 1)); }
pid_of() { cat "$dir/node$1/pid" 2>/dev/null || true; }
alive() { local pid; pid="$(pid_of "$1")"; [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
answers() { (exec 3<>"/dev/tcp/localhost/$(port_of "$1")") 2>/dev/null; }
bootstrap() { local list=(); for n in "${nodes[@]}"; do list+=("localhost:$(port_of "$n")"); done; (IFS=,; echo "${list[*]}"); }

usage() {
  echo "usage: kafka-cluster.sh start|stop|status [DIR]" >&2
  exit 2
}

start() {
  if [ ! -f "$lib/.complete" ]; then
    echo "kafka-cluster: fetching broker jars into $lib" >&2
    rm -rf "$lib"
    mkdir -p "$home"
    "$root/mvnw" -q -f "$root/deploy/kafka/pom.xml" dependency:copy-dependencies -DoutputDirectory="$lib"
    touch "$lib/.complete"
  fi
  mkdir -p "$dir"
  echo "$base" > "$dir/base-port"
  if [ ! -f "$dir/cluster.id" ]; then
    java -cp "$lib/*" kafka.tools.StorageTool random-uuid > "$dir/cluster.id.tmp"
    mv "$dir/cluster.id.tmp" "$dir/cluster.id"
  fi
  local cluster_id voters=()
  cluster_id="$(cat "$dir/cluster.id")"
  for n in "${nodes[@]}"; do voters+=("$n@localhost:$(controller_port_of "$n")"); done
  local voter_list
  voter_list="$(IFS=,; echo "${voters[*]}")"
  for n in "${nodes[@]}"; do
    if alive "$n"; then
      echo "kafka-cluster: node $n already running (pid $(pid_of "$n"))" >&2
      continue
    fi
    local node_dir="$dir/node$n"
    mkdir -p "$node_dir"
    sed -e "s#@NODE_ID@#$n#g" -e "s#@PORT@#$(port_of "$n")#g" -e "s#@CONTROLLER_PORT@#$(controller_port_of "$n")#g" \
      -e "s#@VOTERS@#$voter_list#g" -e "s#@DATA_DIR@#$node_dir/data#g" \
      "$root/deploy/kafka/cluster.properties" > "$node_dir/server.properties"
    if [ ! -f "$node_dir/data/meta.properties" ]; then
      java -cp "$lib/*" kafka.tools.StorageTool format -t "$cluster_id" -c "$node_dir/server.properties" >&2
    fi
    nohup java ${KAFKA_HEAP_OPTS:--Xmx512m} -Dlog4j2.configurationFile="$root/deploy/kafka/log4j2.properties" \
      -cp "$lib/*" kafka.Kafka "$node_dir/server.properties" > "$node_dir/server.log" 2>&1 < /dev/null &
    echo $! > "$node_dir/pid"
  done
  local waited=0
  for n in "${nodes[@]}"; do
    until answers "$n"; do
      if ! alive "$n"; then
        echo "kafka-cluster: node $n exited; see $dir/node$n/server.log" >&2
        exit 1
      fi
      if [ "$waited" -ge 120 ]; then
        echo "kafka-cluster: node $n did not answer on port $(port_of "$n") within 60 s; see $dir/node$n/server.log" >&2
        exit 1
      fi
      sleep 0.5
      waited=$((waited + 1))
    done
  done
  echo "kafka-cluster: 3 nodes on $(bootstrap) (data in $dir)" >&2
  bootstrap
}

stop() {
  for n in "${nodes[@]}"; do
    if alive "$n"; then
      kill -TERM "$(pid_of "$n")"
    fi
  done
  for n in "${nodes[@]}"; do
    local waited=0
    while alive "$n"; do
      if [ "$waited" -ge 60 ]; then
        echo "kafka-cluster: node $n (pid $(pid_of "$n")) still running after 30 s; killing it" >&2
        kill -KILL "$(pid_of "$n")" 2>/dev/null || true
        break
      fi
      sleep 0.5
      waited=$((waited + 1))
    done
    rm -f "$dir/node$n/pid"
  done
  echo "kafka-cluster: stopped (data kept in $dir)" >&2
}

status() {
  local down=0
  for n in "${nodes[@]}"; do
    if alive "$n" && answers "$n"; then
      echo "node $n: running, pid $(pid_of "$n"), localhost:$(port_of "$n")"
    elif alive "$n"; then
      echo "node $n: starting, pid $(pid_of "$n"), localhost:$(port_of "$n") not answering yet"
      down=1
    else
      echo "node $n: stopped"
      down=1
    fi
  done
  return "$down"
}

case "$command" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) usage ;;
esac
