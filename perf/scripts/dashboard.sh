#!/usr/bin/env bash
# Renders docs/grafana/dashboard.png: the panels of docs/grafana/dashboard.json drawn from real
# data of a load run by our own tool (converge-ledger-perf.jar dashboard), not by Grafana.
#
# Starts the server (records in files under a temporary directory, a 2,048-slot ring, a 2 GiB
# disk budget, JSON logs into $OUT/server.log) with LEDGER_METRICS_PORT, checks that every metric
# the dashboard and docs/grafana/alerts.yml query is one the server exports (after the load, when
# every series has appeared), and scrapes /metrics every second while the load generator runs:
#   - the whole time: open-loop unary Appends at RATE/s over 8 contexts, with 4 watchers;
#   - from a third of the way for a quarter of it: a flood of AppendBatch calls that fills the
#     ring, so appends wait for room and some are refused (RESOURCE_EXHAUSTED).
# Then it draws the PNG. Everything else goes to $OUT (default perf-results/dashboard).
# Usage: perf/scripts/dashboard.sh [seconds=60]   RATE=1000 OUT=... PNG=... override.
# Needs: the perf jar (mvn -B -o -q -pl perf -am package -DskipTests), python3 (with PyYAML to check
# alerts.yml).
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-60}
RATE=${RATE:-1000}
JAR=perf/target/converge-ledger-perf.jar
OUT=${OUT:-perf-results/dashboard}
PNG=${PNG:-docs/grafana/dashboard.png}
PORT=${PORT:-50792}
METRICS=${METRICS_PORT:-50793}
[ -f "$JAR" ] || { echo "missing $JAR: mvn -B -o -q -pl perf -am package -DskipTests" >&2; exit 2; }
mkdir -p "$OUT"
DATA=$(mktemp -d)

echo "checking docs/grafana/dashboard.json and docs/grafana/alerts.yml parse"
python3 -m json.tool docs/grafana/dashboard.json > /dev/null
if python3 -c 'import yaml' 2>/dev/null; then
  python3 - <<'PY'
import yaml
rules = yaml.safe_load(open("docs/grafana/alerts.yml"))
for group in rules["groups"]:
    for rule in group["rules"]:
        assert rule["alert"] and rule["expr"], rule
print("alerts.yml: %d rules" % sum(len(g["rules"]) for g in rules["groups"]))
PY
else
  echo "(no PyYAML: alerts.yml not checked by a YAML parser)"
fi

LEDGER_STORAGE=files LEDGER_DATA_DIR="$DATA" LEDGER_RING_SIZE=2048 LEDGER_RING_FULL_WAIT_MS=20 \
  LEDGER_DISK_BUDGET_BYTES=2147483648 LEDGER_LOG_FORMAT=json GRPC_PORT=$PORT LEDGER_METRICS_PORT=$METRICS \
  java -Xmx1g -cp "$JAR" io.converge.ledger.transport.LedgerServerMain 2>"$OUT/server.log" &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null || true; wait $SERVER_PID 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 300); do
  grep -q 'listening on port' "$OUT/server.log" 2>/dev/null && break
  kill -0 $SERVER_PID 2>/dev/null || { echo "the server exited:" >&2; cat "$OUT/server.log" >&2; exit 1; }
  sleep 0.1
done
URL=http://127.0.0.1:$METRICS/metrics

java -jar "$JAR" dashboard scrape --metrics "$URL" --duration "$((SECS + 6))s" --interval 1s \
  --out "$OUT/scrapes.prom" &
SCRAPER=$!
sleep 3
java -jar "$JAR" load --target 127.0.0.1:$PORT --rate "$RATE" --contexts 8 --watchers 4 --warmup 0s \
  --duration "${SECS}s" --out "$OUT/unary" > "$OUT/unary.txt" 2>&1 &
UNARY=$!
sleep $((SECS / 3))
java -jar "$JAR" load --target 127.0.0.1:$PORT --rpc batch --batch 500 --streams 4 --window 4 --contexts 8 \
  --warmup 0s --duration "$((SECS / 4))s" --out "$OUT/flood" > "$OUT/flood.txt" 2>&1 || true
wait $UNARY || true
wait $SCRAPER
# After the load, when every series has appeared (call counters at a call, GC pauses at a GC):
java -jar "$JAR" dashboard check --metrics "$URL" --dashboard docs/grafana/dashboard.json \
  --alerts docs/grafana/alerts.yml
java -jar "$JAR" dashboard render --dashboard docs/grafana/dashboard.json --scrapes "$OUT/scrapes.prom" \
  --out "$PNG" --rate-interval 4s
echo "unary: $(grep -h 'THIS RUN HAD ERRORS' "$OUT/unary.txt" || echo 'no errors')"
grep -h '^RESULT' "$OUT/unary.txt" || tail -5 "$OUT/unary.txt"
echo "flood: $(grep -h 'THIS RUN HAD ERRORS' "$OUT/flood.txt" || echo 'no errors')"
grep -h '^RESULT' "$OUT/flood.txt" || tail -5 "$OUT/flood.txt"
echo "server log: $(wc -l < "$OUT/server.log") JSON lines in $OUT/server.log, of which refusals:" \
  "$(grep -c 'answered RESOURCE_EXHAUSTED' "$OUT/server.log" || true)"
