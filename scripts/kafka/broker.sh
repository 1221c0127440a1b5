#!/usr/bin/env bash
# A single-node KRaft Kafka broker for tests and benchmarks, from Maven Central jars and plain java.
#   broker.sh fetch    copy the broker jars into the cache (once; needs Maven)
#   broker.sh start    start the broker on 127.0.0.1:$KAFKA_PORT unless it runs; print its address
#   broker.sh stop     stop it, keeping its data (a later start resumes the same log)
#   broker.sh status   exit 0 and print the address when it runs
# Env: KAFKA_PORT (default 19092; the controller listens on KAFKA_PORT+1),
#      KAFKA_CACHE (default <repo>/.kafka: jars, data, pid and log files).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
port="${KAFKA_PORT:-19092}"
controller_port=$((port + 1))
cache="${KAFKA_CACHE:-$repo/.kafka}"
version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")"
libs="$cache/libs-$version"
data="$cache/data-$port"
pid_file="$cache/broker-$port.pid"
log_file="$cache/broker-$port.log"
props="$cache/broker-$port.properties"
# By default C1 only and the serial collector: a test broker that starts in seconds and stays small.
# KAFKA_JVM_OPTS replaces these (benchmarks use the full JIT).
read -r -a jvm_opts <<< "${KAFKA_JVM_OPTS:--Xmx512m -Xms128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}"
java_cmd=(java "${jvm_opts[@]}" -Dlog4j2.configurationFile="$here/log4j2.properties" -cp "$libs/*")
# Any fixed 22-character base64 id will do: the cluster only ever has this one node.
cluster_id="cHJvZmlsZS1zdG9yZS10ZQ"

fetch() {
  [[ -f "$libs/.complete" ]] && return
  mkdir -p "$libs"
  # stdout stays clean for the address that start prints.
  mvn -q -B -Dstyle.color=never -f "$here/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$libs" >&2
  touch "$libs/.complete"
}

running_pid() {
  [[ -f "$pid_file" ]] || return 1
  local pid
  pid="$(cat "$pid_file")"
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

write_properties() {
  cat >"$props" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.cleaner.dedupe.buffer.size=4194304
PROPS
}

start() {
  if pid="$(running_pid)"; then
    echo "127.0.0.1:$port"
    return
  fi
  fetch
  write_properties
  # Formatting starts a JVM (seconds), so only a new data dir gets it.
  [[ -f "$data/meta.properties" ]] || "${java_cmd[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$props" --ignore-formatted >/dev/null
  touch "$log_file"
  local log_start=$(($(wc -c <"$log_file") + 1))
  # setsid: the broker gets no signals meant for the caller (a background job is no group leader,
  # so setsid runs java in place and $! is the broker's pid).
  setsid "${java_cmd[@]}" kafka.Kafka "$props" >>"$log_file" 2>&1 </dev/null &
  echo $! >"$pid_file"
  wait_until_started "$log_start"
  echo "127.0.0.1:$port"
}

# Waits for the line the broker logs once it serves clients, looking only at this start's part of the log.
wait_until_started() {
  local pid
  pid="$(cat "$pid_file")"
  for _ in $(seq 1 600); do
    if tail -c +"$1" "$log_file" | grep -q "Kafka Server started"; then return; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "broker exited during start; last lines of $log_file:" >&2
      tail -n 30 "$log_file" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "broker did not start within 60 s; see $log_file" >&2
  exit 1
}

stop() {
  local pid
  pid="$(running_pid)" || { rm -f "$pid_file"; return; }
  kill "$pid"
  # A clean shutdown flushes the log and writes a checkpoint, so the next start recovers fast.
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pid_file"; return; }
    sleep 0.1
  done
  kill -9 "$pid"
  rm -f "$pid_file"
}

status() {
  running_pid >/dev/null || { echo "not running" >&2; exit 1; }
  echo "127.0.0.1:$port"
}

mkdir -p "$cache"
case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 fetch|start|stop|status" >&2; exit 2 ;;
esac
