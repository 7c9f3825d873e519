#!/usr/bin/env bash
# Issue 11's hot-path figures, measured as users run the ledger: the ledger server (records in
# files, the default, under TMPDIR) and the no-op baseline server (LEDGER_MODE=noop-baseline)
# are each their own process and stay up for the whole run; the load generator is a third.
# Rounds alternate the two servers, the order swapped every round, so a drift of the machine
# touches both alike. Every run passes --server-pid, so each reports the server's CPU time
# per entry (user + system, all its threads, from /proc) beside its rate, and the summary
# gives the last round's split of it by thread group (event loops, ring threads, segments, GC).
#   prefill  PREFILL seconds of AppendStream into the ledger first: a server that holds data
#   unary    50 callers in closed loop on ONE channel, 64 B, USECS s after 3 s of warm-up
#   stream   AppendStream, 4 streams x 8 batches in flight x 100 entries x 64 B on ONE channel,
#            SECS s after WARMUP s; the ledger keeps filling, so the first and the last round
#            show any drift as it fills
#   seq      one caller, one channel: p50
#   open     open loop on the ledger at half the median unary rate of the rounds, OPEN_SECS s,
#            with its server-side publish->sequenced and publish->reply histograms (/latency)
#   redis    redis-benchmark XADD -c 50 -P 16 (64 B), one run per round, if it is installed
# Usage: perf/scripts/hot-path-figures.sh [rounds=5] [seconds=10]
#   PREFILL=10 WARMUP=3 USECS=10 OPEN_SECS=60 PARTS="unary stream seq open redis" override.
# Needs a built perf jar (mvn -q -B package -DskipTests). Run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-5}
SECS=${2:-10}
PREFILL=${PREFILL:-10}
WARMUP=${WARMUP:-3}
USECS=${USECS:-10}
OPEN_SECS=${OPEN_SECS:-60}
PARTS=${PARTS:-unary stream seq open redis}
JAR=${JAR:-perf/target/converge-ledger-perf.jar}
OUT=${OUT:-perf-results/hot-path}
LEDGER_PORT=50801; METRICS=50802; NOOP_PORT=50803; REDIS_PORT=6397
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
[ -f "$JAR" ] || { echo "missing $JAR: mvn -q -B package -DskipTests" >&2; exit 2; }

LEDGER_PID=""; NOOP_PID=""; DATA=""
cleanup() {
  for pid in $LEDGER_PID $NOOP_PID; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  if [ -n "$DATA" ]; then rm -rf "$DATA"; fi
  if command -v redis-cli >/dev/null; then redis-cli -p $REDIS_PORT shutdown nosave >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
# shellcheck source=perf/scripts/result-lines.sh
source perf/scripts/result-lines.sh
# the value of key in a RESULT line, or n/a when the run had errors
ok_field() { if [[ $(field "$1" status) == ok ]]; then field "$1" "$2"; else echo n/a; fi; }

# launch name port VAR=value...: a server process; prints its pid once it listens
launch() {
  local name=$1 port=$2; shift 2
  env "$@" GRPC_PORT="$port" java -cp "$JAR" io.converge.ledger.transport.LedgerServerMain >>"$OUT/server-$name.log" 2>&1 &
  local pid=$!
  for _ in $(seq 3000); do
    if grep -q 'listening on port' "$OUT/server-$name.log" 2>/dev/null; then echo "$pid"; return 0; fi
    kill -0 "$pid" 2>/dev/null || { echo "server $name exited:" >&2; tail -5 "$OUT/server-$name.log" >&2; exit 1; }
    sleep 0.02
  done
  echo "server $name did not start in 60 s" >&2; exit 1
}
# load name port pid args...: the RESULT line (the load generator exits 1 on errors; its line says so)
load() {
  local name=$1 port=$2 pid=$3; shift 3
  java -jar "$JAR" load --target 127.0.0.1:"$port" --payload 64 --server-pid "$pid" --out "$OUT/$name" "$@" \
    > "$OUT/$name.txt" 2>&1 || true
  grep '^RESULT' "$OUT/$name.txt" || echo "RESULT status=FAILED no_result_line=see_$name.txt"
}
unary() { load "$1" "$2" "$3" --callers 50 --channels 1 --duration "${USECS}s" --warmup 3s; }
stream() { load "$1" "$2" "$3" --rpc stream --batch 100 --streams 4 --window 8 --channels 1 --duration "${SECS}s" --warmup "${WARMUP}s"; }
seq1() { load "$1" "$2" "$3" --callers 1 --channels 1 --duration "${USECS}s" --warmup 3s; }
on() { # which: the port and pid of the ledger or the no-op server
  if [[ $1 == ledger ]]; then echo "$LEDGER_PORT $LEDGER_PID"; else echo "$NOOP_PORT $NOOP_PID"; fi
}

DATA=$(mktemp -d "${TMPDIR:-/tmp}/ledger-hot-path.XXXXXX")
LEDGER_PID=$(launch ledger $LEDGER_PORT LEDGER_DATA_DIR="$DATA" LEDGER_METRICS_PORT=$METRICS)
NOOP_PID=$(launch noop $NOOP_PORT LEDGER_MODE=noop-baseline)
echo "ledger pid $LEDGER_PID (data $DATA), no-op pid $NOOP_PID; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)" \
  | tee "$OUT/summary.txt"
# shellcheck disable=SC2046
load prefill $(on ledger) --rpc stream --batch 100 --streams 4 --window 8 --channels 1 --duration "${PREFILL}s" \
  --warmup 0s | { read -r l; echo "prefill: $(field "$l" appends_total) entries into the ledger"; } | tee -a "$OUT/summary.txt"
# shellcheck disable=SC2046
load warm-noop $(on noop) --rpc stream --batch 100 --streams 4 --window 8 --channels 1 --duration 3s --warmup 0s >/dev/null

declare -A RATE CPU P50
record() { # part which round line
  RATE[$1-$2]+="$(ok_field "$4" throughput) "
  CPU[$1-$2]+="$(ok_field "$4" server_cpu_us_per_entry) "
  P50[$1-$2]+="$(ok_field "$4" p50_us) "
  printf '%-6s %-6s round %d: %12s /s  p50 %8s us  server %6s us/entry %5s cores  client %s cores  errors %s\n' \
    "$1" "$2" "$3" "$(ok_field "$4" throughput)" "$(ok_field "$4" p50_us)" "$(ok_field "$4" server_cpu_us_per_entry)" \
    "$(ok_field "$4" server_cpu_cores)" "$(field "$4" client_cpu_cores)" "$(field "$4" errors)" | tee -a "$OUT/summary.txt"
}
REDIS_ALL=""
if [[ " $PARTS " == *" redis "* ]] && command -v redis-benchmark >/dev/null; then
  redis-server --port $REDIS_PORT --save "" --appendonly no --daemonize yes --logfile "$OUT/redis.log"
  sleep 0.5
fi
for round in $(seq "$ROUNDS"); do
  if (( round % 2 )); then order="noop ledger"; else order="ledger noop"; fi
  for part in unary stream seq; do
    [[ " $PARTS " == *" $part "* ]] || continue
    for which in $order; do
      fn=$part; [[ $part == seq ]] && fn=seq1
      # shellcheck disable=SC2046
      record "$part" "$which" "$round" "$($fn "$part-$which-$round" $(on "$which"))"
    done
  done
  if [[ " $PARTS " == *" redis "* ]] && command -v redis-benchmark >/dev/null; then
    r=$(redis-benchmark -p $REDIS_PORT -c 50 -P 16 -n 8000000 -q XADD "s$round" '*' f "$(head -c 64 /dev/zero | tr '\0' x)" \
      | tr '\r' '\n' | grep -oE '[0-9.]+ requests per second' | tail -1 | awk '{print $1}')
    REDIS_ALL+="$r "
    echo "redis  XADD -P 16 round $round: $r /s" | tee -a "$OUT/summary.txt"
  fi
done

{
  echo
  echo "medians of $ROUNDS rounds (ledger holds $(curl -s "localhost:$METRICS/metrics" | awk '$1 == "ledger_entries_stored" {print $NF}') entries at the end)"
  for part in unary stream seq; do
    [[ " $PARTS " == *" $part "* ]] || continue
    l=$(echo "${RATE[$part-ledger]}" | median); n=$(echo "${RATE[$part-noop]}" | median)
    lc=$(echo "${CPU[$part-ledger]}" | median); nc=$(echo "${CPU[$part-noop]}" | median)
    lp=$(echo "${P50[$part-ledger]}" | median); np=$(echo "${P50[$part-noop]}" | median)
    # the ratio of each round, then their median (rounds are side by side; medians of each are not)
    read -ra ls <<< "${RATE[$part-ledger]}"; read -ra ns <<< "${RATE[$part-noop]}"
    rs=""; for i in "${!ls[@]}"; do rs+="$(ratio "${ls[$i]}" "${ns[$i]}") "; done
    echo "$part: ledger $l/s, no-op $n/s; per-round ratios $rs-> median $(echo "$rs" | median)"
    echo "$part: p50 ledger $lp us, no-op $np us (ratio $(ratio "$lp" "$np")); server CPU per entry ledger $lc us, no-op $nc us (ratio $(ratio "$lc" "$nc"))"
    for which in ledger noop; do
      echo "$part: $which, last round, $(grep -h '^server CPU' "$OUT/$part-$which-$ROUNDS.txt" || echo 'no server CPU line')"
    done
    if [[ $part == stream ]]; then
      echo "stream: ledger first round ${ls[0]}/s, last ${ls[${#ls[@]}-1]}/s (last/first $(ratio "${ls[${#ls[@]}-1]}" "${ls[0]}"))"
    fi
  done
  [ -n "$REDIS_ALL" ] && echo "redis XADD -c 50 -P 16: median $(echo "$REDIS_ALL" | median)/s"
} | tee -a "$OUT/summary.txt"

if [[ " $PARTS " == *" open "* ]]; then
  MAX=$(echo "${RATE[unary-ledger]:-}" | median)
  if [[ $MAX != n/a ]]; then
    HALF=$(awk -v m="$MAX" 'BEGIN {printf "%d", m / 2}')
    # shellcheck disable=SC2046
    line=$(load open-half $(on ledger) --rate "$HALF" --channels 1 --duration "${OPEN_SECS}s" --warmup 5s \
      --server-metrics "http://127.0.0.1:$METRICS")
    {
      echo
      echo "open loop at $HALF/s (half the median unary rate), ${OPEN_SECS}s: client p50 $(field "$line" p50_us) us p99 $(field "$line" p99_us) us, cap waits $(field "$line" cap_waits), errors $(field "$line" errors)"
      grep -A3 '^server-side' "$OUT/open-half.txt" || echo "(no server-side lines: see $OUT/open-half.txt)"
    } | tee -a "$OUT/summary.txt"
  fi
fi
echo "summary: $OUT/summary.txt"
