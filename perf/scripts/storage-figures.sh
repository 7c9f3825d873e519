#!/usr/bin/env bash
# The store off the heap (issue 9), on one machine, each server its own process and the load
# generator another:
#   throughput  rounds alternating four servers: the ledger with files (default fsync,
#               interval), with LEDGER_STORAGE=memory, with LEDGER_FSYNC=always, and the no-op
#               server (LEDGER_MODE=noop-baseline). Each is first pre-filled over AppendStream
#               for PREFILL seconds (a few million entries), then measured on AppendStream
#               (--rpc stream --batch 100 --streams 4 --window 8, 64 B) for SECS seconds after
#               a WARMUP, then on unary Append (--callers 50) for USECS seconds on the same,
#               by then fuller, server. Prints medians and the ratios files/memory,
#               files/no-op, memory/no-op and always/interval, for both rpcs.
#   gc          the ledger with files and -Xmx1g, -Xlog:gc to a file: 30 s of AppendStream
#               (after 2 s of warm-up); then the GC log's pauses within those 30 s: count,
#               longest, sum and share of the run. Then heap capacity on the same server:
#               appends go on until CAPACITY entries are stored (or an append is refused),
#               a full GC, and the heap used, ledger_entries_stored and ledger_bytes_stored
#               from /metrics; prints the heap per stored entry and how many fit 1 GiB.
#   recovery    fills a fresh data directory with RECOVER entries of 64 B over AppendStream,
#               stops the server with SIGTERM, starts it again on the same directory and
#               times launch -> "listening" (recovery runs before it); prints entries/s. Then
#               once more with the page cache dropped first (a cold start), if /proc allows.
#   latency     open loop over AppendStream at RATE entries/s (default: half the median
#               files AppendStream rate of the throughput part, or HALF_OF if given), 60 s
#               after a 10 s warm-up, on a pre-filled files server: per-batch latency from
#               each batch's intended send (coordinated omission corrected).
# Usage: perf/scripts/storage-figures.sh [rounds=3] [seconds=20]
#   PARTS="throughput gc recovery latency" picks parts; PREFILL=4 WARMUP=5 USECS=20 UWARMUP=3
#   CAPACITY=30000000 RECOVER=20000000 OPEN_SECS=60 OPEN_WARMUP=10 RATE= HALF_OF= override.
#   SERVER_OPTS (JVM options of every ledger server, default -XX:MaxDirectMemorySize=16g so
#   the memory store has room; the memory store also gets LEDGER_MEMORY_BUDGET_BYTES=16e9:
#   with records in memory they count against the heap's default budget, half the heap).
# Data directories are made under TMPDIR (default /tmp) and deleted after each server.
# Needs: a built perf jar (mvn -q -B package -DskipTests), curl, jcmd, ~10 GB free on TMPDIR.
# Run it on a quiet machine: uptime below ~0.7, no build or test running.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}
SECS=${2:-20}
PARTS=${PARTS:-throughput gc recovery latency}
PREFILL=${PREFILL:-4}
WARMUP=${WARMUP:-5}
USECS=${USECS:-20}
UWARMUP=${UWARMUP:-3}
CAPACITY=${CAPACITY:-30000000}
RECOVER=${RECOVER:-20000000}
OPEN_SECS=${OPEN_SECS:-60}
OPEN_WARMUP=${OPEN_WARMUP:-10}
SERVER_OPTS=${SERVER_OPTS:--XX:MaxDirectMemorySize=16g}
JAR=perf/target/converge-ledger-perf.jar
OUT=${OUT:-perf-results/storage}
PORT=50791; METRICS=50792
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
[ -f "$JAR" ] || { echo "missing $JAR: mvn -q -B package -DskipTests" >&2; exit 2; }
for tool in curl jcmd; do command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }; done

SERVER_PID=""; DATA=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ -n "$DATA" ]; then rm -rf "$DATA"; fi
}
trap cleanup EXIT
# shellcheck source=perf/scripts/result-lines.sh
source perf/scripts/result-lines.sh
rate_of() { if [[ $(field "$1" status) == ok ]]; then field "$1" throughput; else echo n/a; fi; }
now_ms() { date +%s%3N; }
metrics() { curl -s "localhost:$METRICS/metrics" || true; }
metric() { # name: its value (the sum over its series) from the running server's /metrics, n/a without one
  metrics | awk -v n="$1" '$1 == n || index($1, n "{") == 1 {s += $NF; k++} END {if (k) printf "%.0f", s; else print "n/a"}'
}
heap_used() { metrics | awk 'index($0, "jvm_memory_used_bytes{area=\"heap\"") == 1 {s += $NF} END {printf "%.0f", s}'; }
uptime_s() { jcmd "$1" VM.uptime 2>/dev/null | awk 'NR > 1 && $1 ~ /^[0-9.]+$/ {print $1}' | tail -1; }

# start_server name mode [VAR=value ...]: mode is files|memory|always|noop; a fresh data
# directory; waits for "listening" (printed after recovery). JAVA_EXTRA adds JVM options.
start_server() {
  local name=$1 mode=$2; shift 2
  DATA=$(mktemp -d "${TMPDIR:-/tmp}/ledger-storage-figures.XXXXXX")
  local env=(GRPC_PORT=$PORT LEDGER_METRICS_PORT=$METRICS LEDGER_DATA_DIR="$DATA")
  case $mode in
    files) ;;
    memory) env+=(LEDGER_STORAGE=memory LEDGER_MEMORY_BUDGET_BYTES=16000000000) ;;
    always) env+=(LEDGER_FSYNC=always) ;;
    noop) env+=(LEDGER_MODE=noop-baseline) ;;
  esac
  launch "$name" "${env[@]}" "$@"
}
# launch name VAR=value...: the server on DATA as it is; sets SERVER_PID, LAUNCH_MS, READY_MS
launch() {
  local name=$1; shift
  LAUNCH_MS=$(now_ms)
  # shellcheck disable=SC2086
  env "$@" java $SERVER_OPTS ${JAVA_EXTRA:-} -cp "$JAR" io.converge.ledger.transport.LedgerServerMain \
    2>>"$OUT/server-$name.log" &
  SERVER_PID=$!
  for _ in $(seq 6000); do
    if grep -q 'listening on port' "$OUT/server-$name.log" 2>/dev/null; then READY_MS=$(now_ms); return 0; fi
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "server $name exited:" >&2; tail -5 "$OUT/server-$name.log" >&2; exit 1; }
    sleep 0.02
  done
  echo "server $name did not start in 120 s" >&2; exit 1
}
stop_server() { # SIGTERM, then wait for the graceful stop (it forces what is written)
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}
drop_data() { rm -rf "$DATA"; DATA=""; }
# load outname args...: the RESULT line (the load generator exits 1 on errors; its line says so)
load() {
  local name=$1; shift
  java -jar "$JAR" load --target 127.0.0.1:$PORT --payload 64 --out "$OUT/$name" "$@" > "$OUT/$name.txt" 2>&1 || true
  grep '^RESULT' "$OUT/$name.txt" || echo "RESULT status=FAILED no_result_line=see_$name.txt"
}
stream() { local name=$1; shift; load "$name" --rpc stream --batch 100 --streams 4 --window 8 "$@"; }
# fill_to name target: AppendStream until the server stores at least target entries, or an append is refused
fill_to() {
  local name=$1 target=$2 i=0 have line secs
  while :; do
    have=$(metric ledger_entries_stored)
    [[ $have =~ ^[0-9]+$ ]] || { echo "  fill: the server's /metrics do not answer" >&2; return 1; }
    [ "$have" -ge "$target" ] && return 0
    # about the time the rest takes at 1 M/s, at least 2 s, at most 10 s
    secs=$(( (target - have) / 1000000 )); secs=$(( secs < 2 ? 2 : (secs > 10 ? 10 : secs) ))
    line=$(stream "$name-fill$i" --duration "${secs}s" --warmup 0s)
    i=$((i + 1))
    if [[ $(field "$line" status) != ok ]]; then
      echo "  fill stopped: $(grep -h 'THIS RUN HAD ERRORS' "$OUT/$name-fill$((i - 1)).txt" | head -1)"
      return 1
    fi
  done
}
# gc_summary log from_s to_s: the G1 pauses whose end falls within [from, to] of JVM uptime
gc_summary() {
  awk -v from="$2" -v to="$3" '
    / Pause / && !/Concurrent/ && $NF ~ /ms$/ {
      t = $1; gsub(/^\[|s\].*$/, "", t); t += 0
      if (t < from || t > to) next
      ms = $NF; sub(/ms$/, "", ms); ms += 0
      n++; sum += ms; if (ms > max) { max = ms; which = $0 }
      kind = $0; sub(/^.*GC\([0-9]+\) /, "", kind); sub(/ [0-9]+[MKG]->.*$/, "", kind); kinds[kind]++
    }
    END {
      span = to - from
      printf "pauses=%d longest_ms=%.3f total_ms=%.1f window_s=%.1f share_pct=%.3f\n", n, max, sum, span, (span > 0 ? sum / (span * 10) : 0)
      for (k in kinds) printf "  %5d x %s\n", kinds[k], k
      if (n > 0) printf "  longest: %s\n", which
    }' "$1"
}

STREAM_LINE=""; UNARY_LINE=""
# one_config name mode: pre-fill, AppendStream measured, unary measured; sets STREAM_LINE, UNARY_LINE
one_config() {
  local name=$1 mode=$2
  JAVA_EXTRA="-Xlog:gc:file=$OUT/gc-$name.log" start_server "$name" "$mode"
  stream "$name-prefill" --duration "${PREFILL}s" --warmup 0s >/dev/null
  local held; held=$(metric ledger_entries_stored)
  STREAM_LINE=$(stream "$name-stream" --duration "${SECS}s" --warmup "${WARMUP}s")
  UNARY_LINE=$(load "$name-unary" --callers 50 --duration "${USECS}s" --warmup "${UWARMUP}s")
  local stored; stored=$(metric ledger_entries_stored)
  local refusals; refusals=$(metric ledger_store_refusals_total)
  stop_server; drop_data
  echo "  $name: held $held before, $stored after; stream $(rate_of "$STREAM_LINE") entries/s" \
    "(p99 $(field "$STREAM_LINE" p99_us) us), unary $(rate_of "$UNARY_LINE") calls/s" \
    "(p99 $(field "$UNARY_LINE" p99_us) us); store refusals $refusals" | tee -a "$OUT/rounds.txt"
}

echo "machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2 " GiB"}'), $(uname -r)," \
  "$(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT/machine.txt"

if [[ " $PARTS " == *" throughput "* ]]; then
  declare -A S U
  ORDER=(files memory always noop)
  for round in $(seq "$ROUNDS"); do
    echo "round $round ($(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$OUT/rounds.txt"
    # rotate the order each round, so no set-up always runs first or last
    for k in $(seq 0 3); do
      c=${ORDER[$(( (k + round - 1) % 4 ))]}
      one_config "$c-r$round" "$c"
      S[$c]="${S[$c]:-} $(rate_of "$STREAM_LINE")"; U[$c]="${U[$c]:-} $(rate_of "$UNARY_LINE")"
    done
  done
  for c in files memory always noop; do
    declare "MS_$c=$(echo "${S[$c]}" | median)"; declare "MU_$c=$(echo "${U[$c]}" | median)"
  done
  {
    echo
    echo "throughput, median of $ROUNDS round(s); AppendStream ${SECS}s after ${WARMUP}s (4 streams x 8 x 100 x 64 B)," \
      "unary ${USECS}s after ${UWARMUP}s (50 callers); each server pre-filled ${PREFILL}s first"
    for c in files memory always noop; do
      ms=MS_$c; mu=MU_$c
      printf "  %-7s AppendStream %12s entries/s (rounds:%s)   unary %10s calls/s (rounds:%s)\n" \
        "$c" "${!ms}" "${S[$c]}" "${!mu}" "${U[$c]}"
    done
    echo "  AppendStream: files/memory $(ratio "$MS_files" "$MS_memory")  files/no-op $(ratio "$MS_files" "$MS_noop")" \
      " memory/no-op $(ratio "$MS_memory" "$MS_noop")  always/interval $(ratio "$MS_always" "$MS_files")"
    echo "  unary:        files/memory $(ratio "$MU_files" "$MU_memory")  files/no-op $(ratio "$MU_files" "$MU_noop")" \
      " memory/no-op $(ratio "$MU_memory" "$MU_noop")  always/interval $(ratio "$MU_always" "$MU_files")"
  } | tee "$OUT/throughput.txt"
fi

if [[ " $PARTS " == *" gc "* ]]; then
  echo
  JAVA_EXTRA="-Xmx1g -Xlog:gc:file=$OUT/gc-xmx1g.log" start_server xmx1g files
  PID=$SERVER_PID
  stream xmx1g-warm --duration 2s --warmup 0s >/dev/null
  FROM=$(uptime_s "$PID")
  LINE=$(stream xmx1g-30s --duration 30s --warmup 0s)
  TO=$(uptime_s "$PID")
  echo "-Xmx1g, files, 30 s AppendStream: $(rate_of "$LINE") entries/s, status $(field "$LINE" status)," \
    "errors $(field "$LINE" errors), p99 $(field "$LINE" p99_us) us, p99.9 $(field "$LINE" p999_us) us, max $(field "$LINE" max_us) us;" \
    "stored $(metric ledger_entries_stored), store refusals $(metric ledger_store_refusals_total)" | tee "$OUT/gc.txt"
  grep -h 'THIS RUN HAD ERRORS' "$OUT/xmx1g-30s.txt" | tee -a "$OUT/gc.txt" || true
  echo "GC pauses during the 30 s (JVM uptime $FROM..$TO s, $OUT/gc-xmx1g.log):" | tee -a "$OUT/gc.txt"
  gc_summary "$OUT/gc-xmx1g.log" "$FROM" "$TO" | tee -a "$OUT/gc.txt"
  # heap capacity, same server
  fill_to xmx1g "$CAPACITY" || true
  jcmd "$PID" GC.run >/dev/null
  sleep 1
  ENTRIES=$(metric ledger_entries_stored); HEAP=$(heap_used); BUDGETED=$(metric ledger_bytes_stored)
  STORE=$(metric ledger_store_bytes)
  MAXHEAP=$(metrics | awk 'index($0, "jvm_memory_max_bytes{area=\"heap\"") == 1 && $NF > 0 {s += $NF} END {printf "%.0f", s}')
  {
    echo "heap capacity, -Xmx1g, files: $ENTRIES entries stored, heap used after full GC $HEAP B" \
      "($(awk -v h="$HEAP" -v n="$ENTRIES" 'BEGIN {printf "%.1f", h / n}') B per entry, all of the JVM's heap included)," \
      "ledger_bytes_stored (the memory budget's count) $BUDGETED B, records in files $STORE B" \
      "($(awk -v h="$STORE" -v n="$ENTRIES" 'BEGIN {printf "%.1f", h / n}') B per entry)"
    echo "  at that rate a 1 GiB heap holds ~$(awk -v h="$HEAP" -v n="$ENTRIES" 'BEGIN {printf "%.0f", 1073741824 / (h / n) / 1e6}') M entries" \
      "(max heap per /metrics: $MAXHEAP B); store refusals $(metric ledger_store_refusals_total)"
  } | tee -a "$OUT/gc.txt"
  stop_server; drop_data
fi

if [[ " $PARTS " == *" recovery "* ]]; then
  echo
  start_server recover-fill files
  fill_to recover "$RECOVER"
  FILLED=$(metric ledger_entries_stored); BYTES=$(metric ledger_store_bytes)
  STOP_MS=$(now_ms); stop_server; STOPPED_MS=$(now_ms)
  launch recover-warm GRPC_PORT=$PORT LEDGER_METRICS_PORT=$METRICS LEDGER_DATA_DIR="$DATA"
  WARM_MS=$((READY_MS - LAUNCH_MS))
  BACK=$(grep -o 'recovered [0-9]* entries' "$OUT/server-recover-warm.log" | tail -1 | awk '{print $2}')
  {
    echo "recovery: filled $FILLED entries ($BYTES B of records, $(du -sh "$DATA" | cut -f1) on disk); SIGTERM stop took $((STOPPED_MS - STOP_MS)) ms"
    echo "  warm page cache: launch -> listening $WARM_MS ms, recovered $BACK entries," \
      "$(awk -v n="$BACK" -v ms="$WARM_MS" 'BEGIN {printf "%.2f", n / ms / 1000}') M entries/s"
  } | tee "$OUT/recovery.txt"
  stop_server
  if sync && (echo 3 > /proc/sys/vm/drop_caches) 2>/dev/null; then
    launch recover-cold GRPC_PORT=$PORT LEDGER_METRICS_PORT=$METRICS LEDGER_DATA_DIR="$DATA"
    COLD_MS=$((READY_MS - LAUNCH_MS))
    BACK=$(grep -o 'recovered [0-9]* entries' "$OUT/server-recover-cold.log" | tail -1 | awk '{print $2}')
    echo "  cold page cache (dropped first): launch -> listening $COLD_MS ms, recovered $BACK entries," \
      "$(awk -v n="$BACK" -v ms="$COLD_MS" 'BEGIN {printf "%.2f", n / ms / 1000}') M entries/s" | tee -a "$OUT/recovery.txt"
    stop_server
  else
    echo "  (cannot drop the page cache here: no cold-start figure)" | tee -a "$OUT/recovery.txt"
  fi
  drop_data
fi

if [[ " $PARTS " == *" latency "* ]]; then
  echo
  if [ -z "${RATE:-}" ]; then
    MAX=${HALF_OF:-${MS_files:-}}
    [ -n "$MAX" ] && [ "$MAX" != n/a ] || { echo "latency: no RATE, HALF_OF or throughput part to take half of" >&2; exit 2; }
    RATE=$(awk -v m="$MAX" 'BEGIN {printf "%d", m / 2}')
  fi
  JAVA_EXTRA="-Xlog:gc:file=$OUT/gc-open.log" start_server open files
  PID=$SERVER_PID
  stream open-prefill --duration "${PREFILL}s" --warmup 0s >/dev/null
  FROM=$(uptime_s "$PID")
  LINE=$(stream open --rate "$RATE" --duration "${OPEN_SECS}s" --warmup "${OPEN_WARMUP}s" --server-metrics "http://127.0.0.1:$METRICS")
  TO=$(uptime_s "$PID")
  {
    echo "open loop, files, AppendStream at $RATE entries/s (half of ${MAX:-given}), ${OPEN_SECS}s after ${OPEN_WARMUP}s, per batch from its intended send:"
    echo "  achieved $(field "$LINE" throughput)/s; p50 $(field "$LINE" p50_us) us, p99 $(field "$LINE" p99_us) us," \
      "p99.9 $(field "$LINE" p999_us) us, p99.99 $(field "$LINE" p9999_us) us, max $(field "$LINE" max_us) us;" \
      "uncorrected p99.9 $(field "$LINE" uncorrected_p999_us) us; cap_waits $(field "$LINE" cap_waits)" \
      "unsent $(field "$LINE" unsent) client $(field "$LINE" client_cpu_cores) cores, status $(field "$LINE" status)"
    grep -h 'server-side' -A3 "$OUT/open.txt" || true
    echo "  GC pauses in the warm-up and the run:"
    gc_summary "$OUT/gc-open.log" "$FROM" "$TO"
  } | tee "$OUT/latency.txt"
  stop_server; drop_data
fi
echo "files: $OUT"
