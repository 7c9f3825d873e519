#!/usr/bin/env bash
# Side by side on one machine, one after another, same concurrency and payload:
#   Redis Streams XADD (redis-benchmark, Debian's redis-server) with C clients,
#   the ledger (unary Append) with C callers, and the no-op baseline server with C callers.
# Usage: perf/scripts/side-by-side.sh [clients=50] [seconds=10]
# Needs: a built perf jar (mvn -q -B package -DskipTests) and redis-server + redis-benchmark
# (Debian: apt-get install redis-server redis-tools). Prints one summary table at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
C=${1:-50}
SECONDS_PER_RUN=${2:-10}
JAR=perf/target/converge-ledger-perf.jar
OUT=${OUT:-perf-results/side-by-side}
mkdir -p "$OUT"
for tool in redis-server redis-benchmark redis-cli; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install redis-server redis-tools" >&2; exit 2; }
done
[ -f "$JAR" ] || { echo "missing $JAR: mvn -q -B package -DskipTests" >&2; exit 2; }

REDIS_PORT=6399; LEDGER_PORT=50761; NOOP_PORT=50762
PAYLOAD=$(head -c 64 /dev/zero | tr '\0' 'x')
cleanup() {
  redis-cli -p $REDIS_PORT shutdown nosave >/dev/null 2>&1 || true
  [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null || true
}
trap cleanup EXIT

wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

# Redis: as many requests as it serves in about SECONDS_PER_RUN at ~120k/s.
redis-server --port $REDIS_PORT --save "" --appendonly no --daemonize yes --logfile "$OUT/redis.log"
wait_port $REDIS_PORT
N=$((120000 * SECONDS_PER_RUN))
redis-benchmark -p $REDIS_PORT -c "$C" -n 200000 -q XADD warm '*' f "$PAYLOAD" >/dev/null
REDIS=$(redis-benchmark -p $REDIS_PORT -c "$C" -n "$N" -q XADD s '*' f "$PAYLOAD" | tr '\r' '\n' | grep "requests per second" | tail -1)
REDIS_P16=$(redis-benchmark -p $REDIS_PORT -c "$C" -P 16 -n $((N * 8)) -q XADD s16 '*' f "$PAYLOAD" | tr '\r' '\n' | grep "requests per second" | tail -1)
redis-cli -p $REDIS_PORT shutdown nosave >/dev/null 2>&1 || true

run_server() { # mode port
  LEDGER_MODE=$1 GRPC_PORT=$2 java -cp "$JAR" io.converge.ledger.transport.LedgerServerMain 2>"$OUT/server-$1.log" &
  SERVER_PID=$!
  wait_port "$2"
}
stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=; }
load() { # port name
  java -jar "$JAR" load --target 127.0.0.1:"$1" --callers "$C" --duration "${SECONDS_PER_RUN}s" --warmup 3s \
    --out "$OUT/$2" | grep '^RESULT'
}
run_server ledger $LEDGER_PORT; LEDGER=$(load $LEDGER_PORT ledger); stop_server
run_server noop-baseline $NOOP_PORT; NOOP=$(load $NOOP_PORT noop); stop_server

field() { echo "$1" | tr ' ' '\n' | grep "^$2=" | cut -d= -f2; }
echo
echo "side by side, $C clients/callers, 64-byte values, loopback, $(nproc) cores"
echo "  redis XADD                : $REDIS"
echo "  redis XADD, pipelined 16  : $REDIS_P16"
echo "  ledger unary Append       : $(field "$LEDGER" throughput)/s  p50 $(field "$LEDGER" p50_us) us  p99 $(field "$LEDGER" p99_us) us"
echo "  no-op gRPC unary Append   : $(field "$NOOP" throughput)/s  p50 $(field "$NOOP" p50_us) us  p99 $(field "$NOOP" p99_us) us"
