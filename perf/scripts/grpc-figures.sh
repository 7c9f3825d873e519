#!/usr/bin/env bash
# The gRPC figures of docs/PERFORMANCE.md, in one run on one machine: servers and the load
# generator share it. Each server is its own JVM (the shaded server jar's main), started
# fresh for each figure; the load generator is another JVM.
# Usage: perf/scripts/grpc-figures.sh [seconds=10]     (needs: mvn -q -B package -DskipTests)
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-10}
JAR=perf/target/converge-ledger-perf.jar
OUT=${OUT:-perf-results/grpc}
mkdir -p "$OUT"
[ -f "$JAR" ] || { echo "missing $JAR: mvn -q -B package -DskipTests" >&2; exit 2; }
PORT=50771; METRICS=50772
wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
start() { # mode
  LEDGER_MODE=$1 GRPC_PORT=$PORT LEDGER_METRICS_PORT=$([ "$1" = ledger ] && echo $METRICS || echo "") \
    java -cp "$JAR" io.converge.ledger.transport.LedgerServerMain 2>>"$OUT/server.log" &
  SERVER_PID=$!; wait_port $PORT
}
stop() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; }
trap 'kill ${SERVER_PID:-0} 2>/dev/null || true' EXIT
load() { # name, then load options
  local name=$1; shift
  echo "== $name: load $*" | tee -a "$OUT/summary.txt"
  java -jar "$JAR" load --target 127.0.0.1:$PORT --duration "${SECS}s" --warmup 3s --out "$OUT/$name" "$@" \
    > "$OUT/$name.txt"
  grep -A3 '^server-side' "$OUT/$name.txt" | tee -a "$OUT/summary.txt" || true
  grep '^RESULT' "$OUT/$name.txt" | tee -a "$OUT/summary.txt"
}
: > "$OUT/summary.txt"
for mode in ledger noop-baseline; do
  start $mode
  load "$mode-closed-50" --callers 50
  load "$mode-sequential" --callers 1 --channels 1
  stop
done
# Half of the ledger's maximum sustained rate (closed loop, 50 callers), open loop,
# with the server's own publish->sequenced and publish->reply histograms for that window.
MAX=$(grep '^RESULT' "$OUT/ledger-closed-50.txt" | tr ' ' '\n' | grep '^throughput=' | cut -d= -f2 | cut -d. -f1)
HALF=$((MAX / 2))
start ledger
load "ledger-open-half-max" --rate $HALF --server-metrics http://127.0.0.1:$METRICS
# The open-loop client costs about a core at 20k/s on 2 cores: a rate it can hold too.
load "ledger-open-5k" --rate 5000 --server-metrics http://127.0.0.1:$METRICS
load "ledger-1-appender-100-watchers" --callers 1 --channels 1 --watchers 100 --contexts 1
stop
echo "summary: $OUT/summary.txt"
