#!/usr/bin/env bash
# Snapshots in pieces (issue 10, rows 3 and 10), server and client as separate processes:
# for each size in SIZES, two fresh ledger servers (files under TMPDIR); the client fills a
# context of server A with that many small entries (key k0..k9, 16-byte payload, AppendBatch
# of 1000), takes it with SnapshotChunks into a file, loads the file with LoadChunks into
# server B (a fresh context there), then measures Get latency (limit 10) for 5 s alone and
# while 16 SnapshotChunks of the context run on server A. After each step it prints the
# server's RSS (VmRSS), peak RSS (VmHWM) and heap used (jcmd GC.heap_info).
# Usage: perf/scripts/snapshot-figures.sh
#   SIZES="2000000 10000000" CONCURRENT=16 override; SERVER_OPTS (default -Xmx3g
#   -XX:MaxDirectMemorySize=4g); TRANSFER_BUDGET (default 2147483648: a 10 M-entry blob of
#   ~540 MB is staged whole for its check, more than the 512 MiB default budget).
# Needs: a built perf jar (mvn -B -o -q -pl perf -am package -DskipTests), jcmd.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZES=${SIZES:-2000000 10000000}
CONCURRENT=${CONCURRENT:-16}
SERVER_OPTS=${SERVER_OPTS:--Xmx3g -XX:MaxDirectMemorySize=4g}
TRANSFER_BUDGET=${TRANSFER_BUDGET:-2147483648}
JAR=perf/target/converge-ledger-perf.jar
OUT=${OUT:-perf-results/snapshots}
mkdir -p "$OUT"
exec > >(tee "$OUT/figures.txt") 2>&1
[ -f "$JAR" ] || { echo "missing $JAR: mvn -B -o -q -pl perf -am package -DskipTests" >&2; exit 2; }
PORT_A=50791; PORT_B=50792
WORK=$(mktemp -d "${TMPDIR:-/tmp}/snapshot-figures.XXXXXX")
PID_A=; PID_B=
cleanup() {
  for p in $PID_A $PID_B; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
wait_port() { for _ in $(seq 300); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

start_server() { # name port -> pid in SERVER_PID
  mkdir -p "$WORK/$1"
  # shellcheck disable=SC2086
  GRPC_PORT=$2 LEDGER_DATA_DIR="$WORK/$1/data" LEDGER_TRANSFER_BUDGET_BYTES=$TRANSFER_BUDGET \
    java $SERVER_OPTS -cp "$JAR" io.converge.ledger.transport.LedgerServerMain 2>>"$OUT/server-$1.log" &
  SERVER_PID=$!
  wait_port "$2"
}
memory() { # label pid
  local rss hwm heap
  rss=$(awk '/VmRSS/ {print $2}' /proc/"$2"/status)
  hwm=$(awk '/VmHWM/ {print $2}' /proc/"$2"/status)
  heap=$(jcmd "$2" GC.heap_info 2>/dev/null | grep -oE 'used [0-9]+K' | head -1 | grep -oE '[0-9]+' || echo 0)
  printf '%s rss_mb=%d peak_rss_mb=%d heap_used_mb=%d\n' "$1" $((rss / 1024)) $((hwm / 1024)) $((heap / 1024))
}
client() { java -Xmx2g -jar "$JAR" snapshots "$@"; }

for n in $SIZES; do
  echo "== $n entries"
  start_server "a-$n" $PORT_A; PID_A=$SERVER_PID
  start_server "b-$n" $PORT_B; PID_B=$SERVER_PID
  client fill 127.0.0.1:$PORT_A ctx "$n"
  memory "after_fill server_a" "$PID_A"
  client take 127.0.0.1:$PORT_A ctx "$WORK/blob-$n.bin"
  memory "after_take server_a" "$PID_A"
  client load 127.0.0.1:$PORT_B copy "$WORK/blob-$n.bin"
  memory "after_load server_b" "$PID_B"
  rm -f "$WORK/blob-$n.bin"
  client get-lat 127.0.0.1:$PORT_A ctx "$CONCURRENT"
  memory "after_${CONCURRENT}_snapshots server_a" "$PID_A"
  for p in $PID_A $PID_B; do kill "$p"; wait "$p" 2>/dev/null || true; done
  PID_A=; PID_B=
  rm -rf "$WORK/a-$n" "$WORK/b-$n"
done
