#!/usr/bin/env bash
# Cluster figures on one machine, as users run it: a three-member cluster (perf/scripts/cluster.sh,
# three server JVMs on loopback), a standalone server (another JVM) and the load generator (another).
#   (a) AppendStream entries/s (batches of 100 entries of 64 bytes, STREAMS x WINDOW) into the
#       cluster's leader, into a follower, and into a standalone server: rounds alternating,
#       medians, ratios cluster/standalone;
#   (b) unary Append latency, one caller (sequential): p50 and p99 via leader, follower, standalone;
#   (c) failover: kill -9 of the leader while an AppendStream load runs on a follower; the time from
#       the kill to the first accepted Append (FailoverProbe: sequential unary Appends on both
#       followers), then the member is restarted on its ports and data (cluster.sh start).
# The load average (/proc/loadavg) is printed before each measurement: other work on the machine
# shows there. While the standalone server is measured the cluster stays up, idle; the CPU its
# three JVMs use meanwhile is printed too.
# Usage: perf/scripts/cluster-figures.sh [rounds=3] [seconds=20]
#   UNARY_SECS=10 KILLS=3 STREAMS=4 WINDOW=8 WARMUP=5 OUT=perf-results/cluster
# Needs: mvn -q -B package -DskipTests. Leaves nothing running; data under $OUT/data (removed first).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}
SECS=${2:-20}
UNARY_SECS=${UNARY_SECS:-10}
KILLS=${KILLS:-3}
STREAMS=${STREAMS:-4}
WINDOW=${WINDOW:-8}
WARMUP=${WARMUP:-5}
JAR=perf/target/converge-ledger-perf.jar
SERVER_JAR=transport/target/converge-ledger-server.jar
CL=perf/scripts/cluster.sh
OUT=${OUT:-perf-results/cluster}
DATA=$OUT/data
for j in "$JAR" "$SERVER_JAR"; do [ -f "$j" ] || { echo "missing $j: mvn -q -B package -DskipTests" >&2; exit 2; }; done
rm -rf "$DATA"; mkdir -p "$OUT" "$DATA"
SUMMARY=$OUT/summary.txt
: >"$SUMMARY"
say() { echo "$*" | tee -a "$SUMMARY"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

SA_PID=""; PROBE_PID=""; BG_PID=""
cleanup() {
  for p in $SA_PID $PROBE_PID $BG_PID; do kill "$p" 2>/dev/null || true; done
  "$CL" down "$DATA/cluster" >/dev/null 2>&1 || true
}
trap cleanup EXIT

field() { echo "$1" | tr ' ' '\n' | grep "^$2=" | cut -d= -f2; }
median() { tr ' ' '\n' | tr -d '*' | { grep -vE '^$|^n/a$' || true; } | sort -g | awk '{a[NR]=$1} END {if (NR==0) print "n/a"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
ratio() { if [[ $1 == n/a || $2 == n/a ]]; then echo n/a; else awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a/b}'; fi; }
# entries/s of a RESULT line, marked with a * when the run had errors (its count of acknowledged entries still holds)
rate_of() { if [[ $(field "$1" status) == ok ]]; then field "$1" throughput; else echo "$(field "$1" throughput)*"; fi; }
wait_port() { for _ in $(seq 300); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 12000))
    if ! ss -Htanu 2>/dev/null | awk '{print $5}' | sed 's/.*://' | grep -qx "$p"; then echo "$p"; return; fi
  done
}
# CPU seconds used so far by the pids given (utime + stime)
cpu_seconds() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; awk -v t=$t -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", t / hz}'; }

# name target, then load options: the RESULT line (the generator exits 1 on errors; its line says so)
load() {
  local name=$1 target=$2; shift 2
  java -jar "$JAR" load --target "$target" --out "$OUT/$name" "$@" >"$OUT/$name.txt" 2>&1 || true
  grep '^RESULT' "$OUT/$name.txt" || echo "RESULT status=FAILED no_result_line=see_$name.txt"
}
stream() { load "$1" "$2" --rpc stream --batch 100 --payload 64 --streams "$STREAMS" --window "$WINDOW" \
  --duration "${SECS}s" --warmup "${WARMUP}s"; }
unary() { load "$1" "$2" --callers 1 --channels 1 --payload 64 --duration "${UNARY_SECS}s" --warmup 3s; }

SA_PORT=$(free_port)
start_standalone() {
  rm -rf "$DATA/standalone"
  GRPC_PORT=$SA_PORT LEDGER_DATA_DIR="$DATA/standalone" java -Xmx512m -jar "$SERVER_JAR" >>"$OUT/standalone.log" 2>&1 &
  SA_PID=$!
  wait_port "$SA_PORT"
}
stop_standalone() { kill "$SA_PID"; wait "$SA_PID" 2>/dev/null || true; SA_PID=""; }

say "cluster figures, $(date -Is), $(nproc) cores, load average at start: $(loadavg)"
"$CL" up "$DATA/cluster" | tee -a "$SUMMARY"
# shellcheck source=/dev/null
. "$DATA/cluster/cluster.env"
port() { local v="GRPC_$1"; echo "${!v}"; }
cluster_pids() { cat "$DATA"/cluster/node-*.pid; }
roles() { # sets LEADER and FOLLOWER (the lowest-numbered other member)
  LEADER=$("$CL" leader "$DATA/cluster")
  FOLLOWER=$((LEADER == 0 ? 1 : 0))
}

say ""
say "(a) AppendStream, batch 100, 64-byte values, streams $STREAMS window $WINDOW, ${SECS}s after ${WARMUP}s warm-up"
A_LEADER=""; A_FOLLOWER=""; A_SA=""
for r in $(seq "$ROUNDS"); do
  roles
  say "round $r: load average before leader run: $(loadavg) (leader is member $LEADER)"
  l=$(stream "a-stream-leader-r$r" "127.0.0.1:$(port "$LEADER")"); A_LEADER="$A_LEADER $(rate_of "$l")"
  say "  cluster via leader $LEADER   : $l"
  say "round $r: load average before follower run: $(loadavg) (follower is member $FOLLOWER)"
  l=$(stream "a-stream-follower-r$r" "127.0.0.1:$(port "$FOLLOWER")"); A_FOLLOWER="$A_FOLLOWER $(rate_of "$l")"
  say "  cluster via follower $FOLLOWER : $l"
  start_standalone
  say "round $r: load average before standalone run: $(loadavg)"
  c0=$(cpu_seconds $(cluster_pids)); t0=$(date +%s.%N)
  l=$(stream "a-stream-standalone-r$r" "127.0.0.1:$SA_PORT"); A_SA="$A_SA $(rate_of "$l")"
  c1=$(cpu_seconds $(cluster_pids)); t1=$(date +%s.%N)
  stop_standalone
  say "  standalone          : $l"
  say "  (the idle cluster used $(awk -v a="$c0" -v b="$c1" -v s="$t0" -v e="$t1" 'BEGIN {printf "%.2f", (b-a)/(e-s)}') cores meanwhile)"
done
ML=$(echo "$A_LEADER" | median); MF=$(echo "$A_FOLLOWER" | median); MS=$(echo "$A_SA" | median)

say ""
say "(b) unary Append, one caller, 64-byte values, ${UNARY_SECS}s after 3s warm-up"
B_LEADER=""; B_FOLLOWER=""; B_SA=""; B_LEADER99=""; B_FOLLOWER99=""; B_SA99=""
for r in $(seq "$ROUNDS"); do
  roles
  say "round $r: load average before: $(loadavg)"
  l=$(unary "b-unary-leader-r$r" "127.0.0.1:$(port "$LEADER")")
  B_LEADER="$B_LEADER $(field "$l" p50_us)"; B_LEADER99="$B_LEADER99 $(field "$l" p99_us)"
  say "  cluster via leader $LEADER   : $l"
  l=$(unary "b-unary-follower-r$r" "127.0.0.1:$(port "$FOLLOWER")")
  B_FOLLOWER="$B_FOLLOWER $(field "$l" p50_us)"; B_FOLLOWER99="$B_FOLLOWER99 $(field "$l" p99_us)"
  say "  cluster via follower $FOLLOWER : $l"
  start_standalone
  l=$(unary "b-unary-standalone-r$r" "127.0.0.1:$SA_PORT")
  B_SA="$B_SA $(field "$l" p50_us)"; B_SA99="$B_SA99 $(field "$l" p99_us)"
  stop_standalone
  say "  standalone          : $l"
done

say ""
say "(c) failover: kill -9 of the leader under an AppendStream load on a follower; kill -> first accepted Append"
C_ALL=""
for k in $(seq "$KILLS"); do
  roles
  others=""
  for i in 0 1 2; do if [[ $i != "$LEADER" ]]; then others="$others${others:+,}127.0.0.1:$(port "$i")"; fi; done
  java -cp "$JAR" perf/scripts/FailoverProbe.java "$others" >"$OUT/c-probe-k$k.txt" 2>&1 &
  PROBE_PID=$!
  for _ in $(seq 300); do grep -q '^ready' "$OUT/c-probe-k$k.txt" && break; sleep 0.1; done
  grep -q '^ready' "$OUT/c-probe-k$k.txt" || { say "the failover probe did not start:"; cat "$OUT/c-probe-k$k.txt"; exit 1; }
  SECS_BG=20
  java -jar "$JAR" load --target "127.0.0.1:$(port "$FOLLOWER")" --rpc stream --batch 100 --payload 64 \
    --streams "$STREAMS" --window "$WINDOW" --duration "${SECS_BG}s" --warmup 1s --out "$OUT/c-load-k$k" \
    >"$OUT/c-load-k$k.txt" 2>&1 &
  BG_PID=$!
  sleep 5
  say "kill $k: load average before: $(loadavg); killing leader $LEADER, load on follower $FOLLOWER"
  kill_ms=$(date +%s%3N)
  "$CL" kill "$DATA/cluster" "$LEADER"
  ok=""
  for _ in $(seq 600); do
    ok=$(awk -v k="$kill_ms" '$1 == "ok" && $2 >= k {print $3; exit}' "$OUT/c-probe-k$k.txt")
    [[ -n $ok ]] && break
    sleep 0.05
  done
  if [[ -z $ok ]]; then ms=n/a; else ms=$((ok - kill_ms)); fi
  C_ALL="$C_ALL $ms"
  new=$("$CL" leader "$DATA/cluster" 2>/dev/null || echo "?")
  say "  accepted again after $ms ms (new leader $new); probe: $(grep -c . "$OUT/c-probe-k$k.txt") lines in c-probe-k$k.txt"
  kill "$PROBE_PID" 2>/dev/null || true; wait "$PROBE_PID" 2>/dev/null || true; PROBE_PID=""
  wait "$BG_PID" 2>/dev/null || true; BG_PID=""
  say "  the load on the follower: $(grep '^RESULT' "$OUT/c-load-k$k.txt" || echo 'no RESULT line')"
  t0=$SECONDS
  "$CL" start "$DATA/cluster" "$LEADER" 2>>"$OUT/c-restart.txt" | tee -a "$SUMMARY"
  say "  member $LEADER restarted on its ports and data in $((SECONDS - t0)) s"
done

say ""
say "summary ($ROUNDS rounds; load average at the end: $(loadavg))"
say "  (a) AppendStream entries/s, medians: leader $ML (rounds:$A_LEADER), follower $MF (rounds:$A_FOLLOWER)," \
  "standalone $MS (rounds:$A_SA)"
say "      ratio cluster/standalone: via leader $(ratio "$ML" "$MS"), via follower $(ratio "$MF" "$MS")" \
  "(* a run with errors: see its file's THIS RUN HAD ERRORS line)"
say "  (b) unary Append p50 us, medians: leader $(echo "$B_LEADER" | median) (rounds:$B_LEADER)," \
  "follower $(echo "$B_FOLLOWER" | median) (rounds:$B_FOLLOWER), standalone $(echo "$B_SA" | median) (rounds:$B_SA)"
say "      p99 us, medians: leader $(echo "$B_LEADER99" | median), follower $(echo "$B_FOLLOWER99" | median)," \
  "standalone $(echo "$B_SA99" | median)"
say "  (c) failover, kill -9 of the leader -> first accepted Append, ms:$C_ALL"
say "files: $OUT"
