#!/usr/bin/env bash
set -u
# perf/scripts/watch-stalled-apart.sh SERVER_JAR PERF_JAR: 10,000 stalled watchers held by a load generator
# process of their own on the measured context, between two runs without them.
server_jar=$1 perf_jar=$2
port=$((54000 + RANDOM % 900))
LEDGER_STORAGE=memory LEDGER_MEMORY_BUDGET_BYTES=8000000000 LEDGER_MAX_WATCHERS=20000 GRPC_PORT=$port java -Xmx2g -XX:MaxDirectMemorySize=9g -jar "$server_jar" > /tmp/watch-stalled-server.log 2>&1 &
s=$!
for _ in $(seq 60); do grep -q "listening on port" /tmp/watch-stalled-server.log && break; sleep 0.5; done
B() { java -Xmx1g -jar "$perf_jar" load --target 127.0.0.1:$port --rpc stream --streams 1 --batch 100 --window 4 --payload 256 \
  --channels 4 --warmup 4s --duration 8s --out /tmp/sepres --watchers 1 --run-id $1 2>&1 | grep -E "^(entries|watch: .*received)"; }
echo "no stalled (1)"; B N1
java -Xmx2g -jar "$perf_jar" load --target 127.0.0.1:$port --rate 50 --duration 150s --warmup 0s --payload 256 --channels 1 \
  --stalled-watchers 10000 --run-id S --out /tmp/sepA > /tmp/watch-stalled-holder.log 2>&1 &
a=$!
sleep 30
echo "10000 stalled on the context, in another process"; B S
echo "10000 stalled on the context, in another process (again)"; B S
kill $a; wait $a 2>/dev/null; sleep 3
echo "no stalled (2)"; B N2
kill $s; wait $s 2>/dev/null
