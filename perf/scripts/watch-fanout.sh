#!/usr/bin/env bash
# Issue 10/11 fan-out figures, server and load generator as separate processes on loopback.
#   perf/scripts/watch-fanout.sh fanout  SERVER_JAR PERF_JAR [ROUNDS]  # 1,000 watchers (WATCHERS=N): Watch vs WatchBatches
#   perf/scripts/watch-fanout.sh stalled SERVER_JAR PERF_JAR [ROUNDS]  # 10,000 stalled watchers vs none
# Each round runs the pair back to back against one server process (alternating), so that
# the ratios compare runs under the same machine load. Prints each run's summary lines.
set -u
mode=$1 server_jar=$2 perf_jar=$3 rounds=${4:-3} watchers=${WATCHERS:-1000}
port=$((52000 + RANDOM % 1000))
LEDGER_STORAGE=memory LEDGER_MEMORY_BUDGET_BYTES=8000000000 LEDGER_MAX_WATCHERS=20000 GRPC_PORT=$port \
  java -Xmx2g -XX:MaxDirectMemorySize=9g -jar "$server_jar" > /tmp/watch-fanout-server.$port.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 60); do grep -q "listening on port" /tmp/watch-fanout-server.$port.log && break; sleep 0.5; done
# The stalled pair uses 256 B payloads and a 10 s warmup, so that the 10,000 stalled streams
# have filled their windows (and parked) before the measured phase.
if [ "$mode" = stalled ]; then payload=256 warmup=10s; else payload=64 warmup=2s; fi
load() {
  java -Xmx2g -jar "$perf_jar" load --target 127.0.0.1:$port --rpc stream --streams 1 --batch 100 --window 4 \
    --payload $payload --channels 4 --warmup $warmup --duration 8s --out /tmp/watch-fanout-results "$@" 2>&1 \
    | grep -E "^(entries|watch: .*received)" | sed "s/^/  /"
}
for r in $(seq "$rounds"); do
  case $mode in
    fanout)
      echo "round $r: $watchers Watch watchers";        load --watchers "$watchers" --watch-rpc watch   --run-id w$r
      echo "round $r: $watchers WatchBatches watchers"; load --watchers "$watchers" --watch-rpc batches --run-id b$r ;;
    stalled)
      echo "round $r: 1 watcher, no stalled";      load --watchers 1 --run-id n$r
      echo "round $r: 1 watcher, 10000 stalled";   load --watchers 1 --stalled-watchers 10000 --run-id s$r ;;
  esac
done
