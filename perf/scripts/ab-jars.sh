#!/usr/bin/env bash
# One change measured side by side: two builds of the perf jar (say, before and after a
# change), each serving as its own process in turn, the same load against each, rounds
# alternating (A B, B A, ...). Prints each run's rate and the server's CPU time per entry
# (--server-pid), then the medians and the B/A ratios.
# Usage: perf/scripts/ab-jars.sh A.jar B.jar [rounds=3] [seconds=10] [load options...]
#   default load: AppendStream, 4 streams x 8 batches x 100 entries x 64 B on one channel
#   MODE=noop-baseline serves the no-op server instead of the ledger; SERVER_ENV="VAR=value ..."
#   adds server variables; WARMUP=3. The ledger keeps its records in files under TMPDIR, a
#   fresh directory per run. The load generator is A's.
# Example: cp perf/target/converge-ledger-perf.jar /tmp/before.jar; (change, rebuild);
#   perf/scripts/ab-jars.sh /tmp/before.jar perf/target/converge-ledger-perf.jar 5 10
set -euo pipefail
A=$1; B=$2; ROUNDS=${3:-3}; SECS=${4:-10}
shift $(( $# < 4 ? $# : 4 ))
LOAD=("$@")
if [ ${#LOAD[@]} -eq 0 ]; then LOAD=(--rpc stream --batch 100 --streams 4 --window 8 --channels 1); fi
PORT=50821
OUT=${OUT:-perf-results/ab}
mkdir -p "$OUT"
SERVER_PID=""; DATA=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ -n "$DATA" ]; then rm -rf "$DATA"; fi
}
trap cleanup EXIT
# shellcheck source=perf/scripts/result-lines.sh
source "$(dirname "${BASH_SOURCE[0]}")/result-lines.sh"

run() { # label jar round: one server, one load; prints the RESULT line
  local label=$1 jar=$2 round=$3 log="$OUT/server-$1-$3.log"
  DATA=$(mktemp -d "${TMPDIR:-/tmp}/ledger-ab.XXXXXX")
  # shellcheck disable=SC2086
  env ${SERVER_ENV:-} LEDGER_MODE="${MODE:-ledger}" GRPC_PORT=$PORT LEDGER_DATA_DIR="$DATA" \
    java -cp "$jar" io.converge.ledger.transport.LedgerServerMain > "$log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 3000); do grep -q 'listening on port' "$log" && break; sleep 0.02; done
  java -jar "$A" load --target 127.0.0.1:$PORT --payload 64 --server-pid "$SERVER_PID" --duration "${SECS}s" \
    --warmup "${WARMUP:-3}s" --out "$OUT/$label-$round" "${LOAD[@]}" > "$OUT/$label-$round.txt" 2>&1 || true
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  rm -rf "$DATA"; DATA=""
  grep '^RESULT' "$OUT/$label-$round.txt" || echo "RESULT status=FAILED"
}
declare -A RATE CPU
for round in $(seq "$ROUNDS"); do
  if (( round % 2 )); then order="A B"; else order="B A"; fi
  for label in $order; do
    jar=$A; [[ $label == B ]] && jar=$B
    line=$(run "$label" "$jar" "$round")
    r=n/a; c=n/a
    if [[ $(field "$line" status) == ok ]]; then r=$(field "$line" throughput); c=$(field "$line" server_cpu_us_per_entry); fi
    RATE[$label]+="$r "; CPU[$label]+="$c "
    echo "round $round $label: $r /s, server $c us/entry, load average $(cut -d' ' -f1 /proc/loadavg)"
  done
done
ra=$(echo "${RATE[A]}" | median); rb=$(echo "${RATE[B]}" | median)
ca=$(echo "${CPU[A]}" | median); cb=$(echo "${CPU[B]}" | median)
echo "A $A: median $ra /s, $ca us/entry"
echo "B $B: median $rb /s, $cb us/entry"
echo "B/A: rate $(ratio "$rb" "$ra"), CPU per entry $(ratio "$cb" "$ca")"
