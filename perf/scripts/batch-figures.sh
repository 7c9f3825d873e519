#!/usr/bin/env bash
# Batched appends side by side on one machine, rounds alternating, medians reported:
#   Redis Streams XADD (redis-benchmark -c 50 -P 16, 64-byte values),
#   the no-op baseline server and the ledger, each driven over AppendStream with batches of
#   100 entries of 64 bytes (--rpc stream --batch 100 --payload 64, STREAMS x WINDOW).
# Prints entries/s of each and the ratios ledger/no-op and ledger/redis.
# Usage: perf/scripts/batch-figures.sh [rounds=3] [seconds=10]
#   WARMUP=5 (seconds before each measured run: the JIT is busy for the first few) STREAMS=8 WINDOW=8 CHANNELS=2 (the fastest of a sweep on a shared 2-core box) override the
#   load shape; SWEEP=1 first tries streams 2 4 8 x window 2 4 8 16 against the no-op server
#   (5 s each) and uses the fastest.
# Needs: a built perf jar (mvn -q -B package -DskipTests), redis-server and redis-benchmark.
# A server that answers the batched rpcs with an error (UNIMPLEMENTED before the ledger
# serves them) is reported as n/a with its errors, and the script carries on.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}
SECS=${2:-10}
STREAMS=${STREAMS:-8}
WINDOW=${WINDOW:-8}
CHANNELS=${CHANNELS:-2}
JAR=perf/target/converge-ledger-perf.jar
OUT=${OUT:-perf-results/batch}
mkdir -p "$OUT"
for tool in redis-server redis-benchmark redis-cli; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install redis-server redis-tools" >&2; exit 2; }
done
[ -f "$JAR" ] || { echo "missing $JAR: mvn -q -B package -DskipTests" >&2; exit 2; }

REDIS_PORT=6398; PORT=50781
PAYLOAD=$(head -c 64 /dev/zero | tr '\0' 'x')
cleanup() {
  redis-cli -p $REDIS_PORT shutdown nosave >/dev/null 2>&1 || true
  if [ -n "${SERVER_PID:-}" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi
}
trap cleanup EXIT
wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
# shellcheck source=perf/scripts/result-lines.sh
source perf/scripts/result-lines.sh

start_server() { # mode
  LEDGER_MODE=$1 GRPC_PORT=$PORT java -cp "$JAR" io.converge.ledger.transport.LedgerServerMain 2>>"$OUT/server-$1.log" &
  SERVER_PID=$!
  wait_port $PORT
}
stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=; }
# load name streams window seconds: the RESULT line (the load generator exits 1 on errors; its line still says so)
load() {
  java -jar "$JAR" load --target 127.0.0.1:$PORT --rpc stream --batch 100 --payload 64 --streams "$2" --window "$3" \
    --channels "$CHANNELS" --duration "$4s" --warmup "${WARMUP:-5}s" --out "$OUT/$1" > "$OUT/$1.txt" 2>&1 || true
  grep '^RESULT' "$OUT/$1.txt" || echo "RESULT status=FAILED no_result_line=see_$1.txt"
}
# the entries/s of a RESULT line, or n/a when the run had errors
rate_of() { if [[ $(field "$1" status) == ok ]]; then field "$1" throughput; else echo n/a; fi; }
redis_rate() {
  redis-benchmark -p $REDIS_PORT -c 50 -P 16 -n "$1" -q XADD "s$2" '*' f "$PAYLOAD" | tr '\r' '\n' \
    | grep -oE '[0-9.]+ requests per second' | tail -1 | awk '{print $1}'
}

if [[ ${SWEEP:-0} == 1 ]]; then
  start_server noop-baseline
  best=0
  for s in 2 4 8; do
    for w in 2 4 8 16; do
      line=$(load "sweep-s$s-w$w" $s $w 5)
      r=$(rate_of "$line")
      echo "sweep no-op: streams $s window $w: $r entries/s, client $(field "$line" client_cpu_cores) cores" \
        | tee -a "$OUT/sweep.txt"
      if [[ $r != n/a ]] && awk -v a="$r" -v b="$best" 'BEGIN {exit !(a > b)}'; then best=$r; STREAMS=$s; WINDOW=$w; fi
    done
  done
  stop_server
  echo "sweep: fastest streams $STREAMS window $WINDOW ($best entries/s)" | tee -a "$OUT/sweep.txt"
fi

REDIS_ALL=""; NOOP_ALL=""; LEDGER_ALL=""; LEDGER_ERRORS=""; NOOP_CPU=""; LEDGER_CPU=""
redis-server --port $REDIS_PORT --save "" --appendonly no --daemonize yes --logfile "$OUT/redis.log"
wait_port $REDIS_PORT
for round in $(seq "$ROUNDS"); do
  # Redis: about SECS seconds at ~1M/s pipelined (the figure is a rate, so the exact count matters little).
  redis-benchmark -p $REDIS_PORT -c 50 -P 16 -n 500000 -q XADD warm '*' f "$PAYLOAD" >/dev/null
  r=$(redis_rate $((1000000 * SECS)) "$round")
  redis-cli -p $REDIS_PORT del "s$round" warm >/dev/null
  REDIS_ALL="$REDIS_ALL $r"
  start_server noop-baseline
  line=$(load "noop-r$round" "$STREAMS" "$WINDOW" "$SECS"); stop_server
  NOOP_ALL="$NOOP_ALL $(rate_of "$line")"; NOOP_CPU="$NOOP_CPU $(field "$line" client_cpu_cores)"
  start_server ledger
  line=$(load "ledger-r$round" "$STREAMS" "$WINDOW" "$SECS"); stop_server
  LEDGER_ALL="$LEDGER_ALL $(rate_of "$line")"; LEDGER_CPU="$LEDGER_CPU $(field "$line" client_cpu_cores)"
  if [[ $(field "$line" status) != ok ]]; then
    LEDGER_ERRORS=$(grep -h 'THIS RUN HAD ERRORS' "$OUT/ledger-r$round.txt" | head -1 || true)
  fi
  echo "round $round: redis $r, no-op $(rate_of "$(grep '^RESULT' "$OUT/noop-r$round.txt" || true)")," \
    "ledger $(rate_of "$line") entries/s" | tee -a "$OUT/rounds.txt"
done
redis-cli -p $REDIS_PORT shutdown nosave >/dev/null 2>&1 || true

REDIS=$(echo "$REDIS_ALL" | median); NOOP=$(echo "$NOOP_ALL" | median); LEDGER=$(echo "$LEDGER_ALL" | median)
echo
echo "batched appends, median of $ROUNDS round(s) of ${SECS}s, 64-byte values, loopback, $(nproc) cores"
echo "  redis XADD -c 50 -P 16                    : $REDIS entries/s   (rounds:$REDIS_ALL)"
echo "  no-op AppendStream s=$STREAMS w=$WINDOW batch 100   : $NOOP entries/s   (rounds:$NOOP_ALL; client cores:$NOOP_CPU)"
echo "  ledger AppendStream s=$STREAMS w=$WINDOW batch 100  : $LEDGER entries/s   (rounds:$LEDGER_ALL; client cores:$LEDGER_CPU)"
if [ -n "$LEDGER_ERRORS" ]; then echo "  ledger errors: $LEDGER_ERRORS"; fi
echo "  ratio ledger/no-op: $(ratio "$LEDGER" "$NOOP")   ratio ledger/redis: $(ratio "$LEDGER" "$REDIS")"
echo "files: $OUT"
