#!/usr/bin/env bash
# Issue 10, rows 7 and 8, rerun against the server as separate processes on loopback:
#  row 7: one AppendBatch of 700 entries x 10,000 metadata pairs (about 62 MB) while small
#         Appends go on on the same connection (the same event loop) and on another;
#  row 8: thousands of TCP connections that never speak, while a connected client, /metrics
#         and a newcomer try to get answers. Run twice: "before-style" with the edge's bounds
#         lifted (no cap, an hour's handshake timeout) and the server held to 1024 file
#         descriptors, so the descriptors run out as they did; then with the bounds
#         (LEDGER_MAX_CONNECTIONS=1000, LEDGER_HANDSHAKE_TIMEOUT_MS=10000).
# Prints each run's RESULT lines and the server's edge meters.
# Usage: perf/scripts/hostile-edge.sh [silent connections=5000]
# Needs: a built perf jar (mvn -q -B -o -pl perf -am package -DskipTests).
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT=${1:-5000}
JAR=perf/target/converge-ledger-perf.jar
OUT=${OUT:-perf-results/hostile-edge}
PORT=50792
METRICS=50793
mkdir -p "$OUT"
[ -f "$JAR" ] || { echo "missing $JAR: mvn -q -B -o -pl perf -am package -DskipTests" >&2; exit 2; }
SERVER_PID=
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true' EXIT

# start_server DESCRIPTORS VAR=value...: the ledger (records in memory) with at most that many open files
start_server() {
  local fds=$1; shift
  ( ulimit -n "$fds"; exec env GRPC_PORT=$PORT LEDGER_METRICS_PORT=$METRICS LEDGER_STORAGE=memory "$@" \
      java -Xmx2g -cp "$JAR" io.converge.ledger.transport.LedgerServerMain ) 2>>"$OUT/server.log" &
  SERVER_PID=$!
  for _ in $(seq 150); do
    (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && return 0
    sleep 0.1
  done
  echo "the server did not start; see $OUT/server.log" >&2
  exit 1
}
stop_server() {
  local start; start=$(date +%s%N)
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
  echo "  (SIGTERM to exit: $(( ($(date +%s%N) - start) / 1000000 )) ms)"
}
client() { java -cp "$JAR" io.converge.ledger.perf.hostile.HostileEdgeClient "$@"; }
edge_meters() {
  curl -s --max-time 5 "127.0.0.1:$METRICS/metrics" | grep -E '^ledger_(connections|parse)_|^ledger_latency_publish_to_reply_max' \
    | sed 's/^/  server: /' \
    || echo "  server: /metrics did not answer"
}

echo "== row 7 (before: the batch held one event loop 24 s; neighbours got DEADLINE_EXCEEDED)"
start_server 20000
client metadata-batch 127.0.0.1 $PORT 700 10000 | tee "$OUT/row7.txt"
edge_meters
stop_server

echo "== row 8, before-style: no cap, no handshake timeout, 1024 descriptors, $COUNT silent connections"
start_server 1024 LEDGER_MAX_CONNECTIONS=1000000 LEDGER_HANDSHAKE_TIMEOUT_MS=3600000
client idle-connections 127.0.0.1 $PORT $METRICS "$COUNT" | grep -v '^RESULT silent' | tee "$OUT/row8-before.txt" || true
edge_meters
stop_server

echo "== row 8, after: LEDGER_MAX_CONNECTIONS=1000, LEDGER_HANDSHAKE_TIMEOUT_MS=10000, $COUNT silent connections"
start_server 20000 LEDGER_MAX_CONNECTIONS=1000 LEDGER_HANDSHAKE_TIMEOUT_MS=10000
client idle-connections 127.0.0.1 $PORT $METRICS "$COUNT" | tee "$OUT/row8-after.txt"
edge_meters
stop_server
