#!/usr/bin/env bash
# The servers the distributed adapters' contract suites run against, as plain
# processes on loopback ports (no Docker here): an Apache Kafka broker (KRaft,
# broker and controller in one JVM) and FerretDB, a MongoDB wire-protocol server
# on SQLite files.
#
#   scripts/test-servers.sh build    builds what is missing into the cache, nothing more
#   scripts/test-servers.sh start    builds what is missing, starts both, waits until
#                                    each answers, prints the export lines
#   scripts/test-servers.sh status   what runs, and the export lines
#   scripts/test-servers.sh stop     stops what start started and removes its data
#
# Built things are cached outside the repo (a fresh CI clone starts empty):
# OTP_TEST_SERVERS_CACHE, default ~/.cache/otp-auth/test-servers. Maven keeps the
# jars it resolves in ~/.m2, Go its modules and build cache in its own folders.
# What one start runs (pids, ports, data, logs, env) lives in .test-servers/ of
# this checkout, so two checkouts can run their own servers side by side.
set -Eeuo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${OTP_TEST_SERVERS_CACHE:-$HOME/.cache/otp-auth/test-servers}"
RUN="$ROOT/.test-servers"
KAFKA_POM="$ROOT/deploy/test-servers/kafka/pom.xml"
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$KAFKA_POM")"
KAFKA_LIBS="$CACHE/kafka-$KAFKA_VERSION/libs"
FERRETDB_MODULE='github.com/FerretDB/FerretDB'
FERRETDB_VERSION='v1.24.2'
FERRETDB_BIN="$CACHE/ferretdb-$FERRETDB_VERSION/bin/ferretdb"
# How long each server may take to answer once started.
START_TIMEOUT_S=120

log() { echo "test-servers: $*"; }
now() { echo "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

# --- building ---------------------------------------------------------------

build_kafka() {
  [[ -f "$KAFKA_LIBS/.complete" ]] && return
  local started; started="$(now)"
  log "resolving the Kafka $KAFKA_VERSION broker jars with Maven into $KAFKA_LIBS"
  rm -rf "$KAFKA_LIBS"
  mvn -q -B -Dstyle.color=never -f "$KAFKA_POM" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS"
  touch "$KAFKA_LIBS/.complete"
  log "Kafka classpath ready in $(since "$started")"
}

build_ferretdb() {
  [[ -x "$FERRETDB_BIN" ]] && return
  local started; started="$(now)"
  local dir; dir="$(dirname "$(dirname "$FERRETDB_BIN")")"
  log "building FerretDB $FERRETDB_VERSION from the Go module proxy into $dir (a few minutes the first time)"
  rm -rf "$dir" && mkdir -p "$dir"
  local source
  source="$(GOTOOLCHAIN=local go mod download -json "$FERRETDB_MODULE@$FERRETDB_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  # FerretDB refuses to start without the version file its release build generates from git,
  # which a module download has empty: built from a copy that has it.
  cp -r "$source" "$dir/src" && chmod -R u+w "$dir/src"
  echo "$FERRETDB_VERSION" >"$dir/src/build/version/version.txt"
  (cd "$dir/src" && GOTOOLCHAIN=local GOFLAGS=-buildvcs=false go build -trimpath -o "$FERRETDB_BIN.tmp" ./cmd/ferretdb)
  mv "$FERRETDB_BIN.tmp" "$FERRETDB_BIN"
  rm -rf "$dir/src"
  log "FerretDB built in $(since "$started")"
}

# --- running ----------------------------------------------------------------

# Three distinct free loopback ports: all are bound at once before any is released.
free_ports() {
  python3 -c '
import socket
held = [socket.socket() for _ in range(3)]
for s in held: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in held))
for s in held: s.close()'
}

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A pid from the state file is signalled only while it is still the process started here.
ours() {
  local pid="$1"
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$RUN/"
}

wait_until() {
  local what="$1" pid="$2" logfile="$3"; shift 3
  local deadline=$((SECONDS + START_TIMEOUT_S))
  until "$@"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "$what exited while starting; the end of $logfile:"; tail -n 40 "$logfile" >&2; return 1
    fi
    if ((SECONDS > deadline)); then
      log "$what did not answer within $START_TIMEOUT_S s; the end of $logfile:"; tail -n 40 "$logfile" >&2; return 1
    fi
    sleep 0.2
  done
}

kafka_started() { answers "$1" && grep -q 'Kafka Server started' "$RUN/kafka/kafka.log"; }

start_kafka() {
  local port="$1" controller="$2" started; started="$(now)"
  mkdir -p "$RUN/kafka/data"
  cat >"$RUN/kafka/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$RUN/kafka/data
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  # Small heap and the serial collector: the machine has two cores and other work on them.
  local java=(java -Xms128m -Xmx512m -XX:+UseSerialGC -Dlog4j2.configurationFile="$ROOT/deploy/test-servers/kafka/log4j2.yaml" -cp "$KAFKA_LIBS/*")
  local cluster_id
  cluster_id="$("${java[@]}" kafka.tools.StorageTool random-uuid)"
  if ! "${java[@]}" kafka.tools.StorageTool format --ignore-formatted -t "$cluster_id" -c "$RUN/kafka/server.properties" \
    >"$RUN/kafka/format.log" 2>&1; then
    log "formatting Kafka's storage failed:"; cat "$RUN/kafka/format.log" >&2; return 1
  fi
  "${java[@]}" kafka.Kafka "$RUN/kafka/server.properties" >"$RUN/kafka/kafka.log" 2>&1 </dev/null &
  echo "$!" >"$RUN/kafka/pid"
  wait_until "Kafka" "$!" "$RUN/kafka/kafka.log" kafka_started "$port"
  log "Kafka $KAFKA_VERSION answers on 127.0.0.1:$port (started in $(since "$started"))"
}

start_ferretdb() {
  local port="$1" started; started="$(now)"
  mkdir -p "$RUN/ferretdb/data"
  "$FERRETDB_BIN" --handler=sqlite --sqlite-url="file:$RUN/ferretdb/data/" --state-dir="$RUN/ferretdb" \
    --listen-addr="127.0.0.1:$port" --debug-addr=- --telemetry=disable --log-level=warn \
    >"$RUN/ferretdb/ferretdb.log" 2>&1 </dev/null &
  echo "$!" >"$RUN/ferretdb/pid"
  wait_until "FerretDB" "$!" "$RUN/ferretdb/ferretdb.log" answers "$port"
  log "FerretDB $FERRETDB_VERSION answers on 127.0.0.1:$port (started in $(since "$started"))"
}

build() {
  mkdir -p "$CACHE"
  # One build at a time per cache: two checkouts starting together wait for each other.
  (
    flock 9
    build_ferretdb
    build_kafka
  ) 9>"$CACHE/.build-lock"
}

start() {
  if [[ -f "$RUN/env" ]]; then
    log "already started (scripts/test-servers.sh stop first)"; cat "$RUN/env"; return
  fi
  build
  rm -rf "$RUN" && mkdir -p "$RUN/kafka" "$RUN/ferretdb"
  # Whatever fails from here on, nothing started is left running.
  trap 'stop >/dev/null' ERR
  local kafka controller mongo
  read -r kafka controller mongo < <(free_ports)
  start_kafka "$kafka" "$controller"
  start_ferretdb "$mongo"
  trap - ERR
  printf 'export KAFKA_BROKERS=127.0.0.1:%s\nexport MONGODB_URL=mongodb://127.0.0.1:%s/\n' "$kafka" "$mongo" >"$RUN/env"
  cat "$RUN/env"
}

stop_one() {
  local name="$1" pidfile="$RUN/$1/pid" pid
  [[ -f "$pidfile" ]] || return 0
  pid="$(cat "$pidfile")"
  if ours "$pid"; then
    kill -TERM "$pid"
    for _ in $(seq 1 100); do ours "$pid" || break; sleep 0.2; done
    if ours "$pid"; then log "$name did not stop in 20 s: killing it"; kill -KILL "$pid"; fi
    log "$name stopped"
  fi
  rm -f "$pidfile"
}

stop() {
  [[ -d "$RUN" ]] || { log "nothing started"; return; }
  stop_one kafka
  stop_one ferretdb
  rm -rf "$RUN"
}

status() {
  local name pid up=0
  for name in kafka ferretdb; do
    pid="$(cat "$RUN/$name/pid" 2>/dev/null || true)"
    if ours "$pid"; then log "$name runs (pid $pid)"; up=$((up + 1)); else log "$name is not running"; fi
  done
  [[ -f "$RUN/env" ]] && cat "$RUN/env"
  ((up == 2))
}

case "${1:-}" in
  build) build ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 build|start|stop|status" >&2; exit 2 ;;
esac
