#!/usr/bin/env bash
# Unary Append under overload, on one machine: a flood of AppendBatch calls (16 callers,
# 4 batches of 1,000 entries in flight each) keeps a small command ring full, while 50
# closed-loop callers append one entry at a time. Every unary call must end with its entry
# or RESOURCE_EXHAUSTED (the ring stayed full for LEDGER_RING_FULL_WAIT_MS), none without a
# status. Prints the unary run's RESULT line (errors by status, unanswered, latency) and the
# flood's, and the server's ring-wait metrics (how many calls waited, were refused, the
# longest wait).
# Usage: perf/scripts/overload.sh [seconds=6]   RING=1024 WAIT_MS=20 override the server's ring.
# Needs: a built perf jar (mvn -q -B package -DskipTests).
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-6}
RING=${RING:-1024}
WAIT_MS=${WAIT_MS:-20}
JAR=perf/target/converge-ledger-perf.jar
OUT=${OUT:-perf-results/overload}
PORT=50782
mkdir -p "$OUT"
[ -f "$JAR" ] || { echo "missing $JAR: mvn -q -B package -DskipTests" >&2; exit 2; }
METRICS=50783
LEDGER_RING_SIZE=$RING LEDGER_RING_FULL_WAIT_MS=$WAIT_MS GRPC_PORT=$PORT LEDGER_METRICS_PORT=$METRICS \
  java -cp "$JAR" io.converge.ledger.transport.LedgerServerMain 2>"$OUT/server.log" &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
java -jar "$JAR" load --target 127.0.0.1:$PORT --rpc batch --batch 1000 --streams 16 --window 4 \
  --duration "$((SECS + 4))s" --warmup 2s --out "$OUT/flood" > "$OUT/flood.txt" 2>&1 &
FLOOD=$!
sleep 3
java -jar "$JAR" load --target 127.0.0.1:$PORT --callers 50 --duration "${SECS}s" --warmup 1s \
  --out "$OUT/unary" > "$OUT/unary.txt" 2>&1 || true
wait $FLOOD || true
echo "ring $RING slots, ring-full wait $WAIT_MS ms; the server's own count of calls that waited for ring room:"
curl -s "localhost:$METRICS/metrics" | grep -E '^ledger_ring_full' || echo "(metrics unavailable)"
echo "unary: $(grep -h 'THIS RUN HAD ERRORS' "$OUT/unary.txt" || echo 'no errors')"
grep -h '^RESULT' "$OUT/unary.txt"
echo "flood: $(grep -h 'THIS RUN HAD ERRORS' "$OUT/flood.txt" || echo 'no errors')"
grep -h '^RESULT' "$OUT/flood.txt"
