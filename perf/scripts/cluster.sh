#!/usr/bin/env bash
# A three-member ledger cluster on loopback, for trying cluster mode by hand and for the
# cluster figures (docs/CLUSTER.md). Each member is the server jar in its own JVM.
# Usage:
#   perf/scripts/cluster.sh up DIR        start members 0, 1, 2 on free ports, data under DIR/node-ID,
#                                         logs DIR/node-ID.log, pids DIR/node-ID.pid, ports in DIR/cluster.env;
#                                         waits until each serves gRPC and follows a leader, then prints
#                                         one line per member: node ID HOST:PORT PID
#   perf/scripts/cluster.sh start DIR ID  restarts member ID on its old ports and data, prints its line
#   perf/scripts/cluster.sh kill DIR ID   kill -9 of member ID
#   perf/scripts/cluster.sh leader DIR    prints the leader's id (from the members' metrics), or fails
#   perf/scripts/cluster.sh down DIR      stops every member: SIGTERM, SIGKILL after DOWN_SECONDS
# Environment: UP_SECONDS=60 (the wait for members to serve and follow a leader),
#   DOWN_SECONDS=20, JAVA_OPTS=-Xmx512m, and any LEDGER_* setting, passed on to the members
#   (such as LEDGER_CLUSTER_HEARTBEAT_TIMEOUT_MS; `up` records none of them in cluster.env).
# Needs: the server jar (mvn -q -B package -DskipTests). Uses ss when present to find free ports.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
JAR=${JAR:-$ROOT/transport/target/converge-ledger-server.jar}
HOST=127.0.0.1
IDS="0 1 2"
UP_SECONDS=${UP_SECONDS:-60}
DOWN_SECONDS=${DOWN_SECONDS:-20}
JAVA_OPTS=${JAVA_OPTS:--Xmx512m}

die() { echo "cluster.sh: $*" >&2; exit 1; }
usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# Ports in use now (TCP listening and UDP bound), one a line; empty without ss.
ports_in_use() {
  if command -v ss >/dev/null; then
    ss -Htanu 2>/dev/null | awk '{print $5}' | sed 's/.*://' | sort -un
  fi
}
# Sets PICKED to the first of COUNT free consecutive ports in 20000..32000, none of them in $USED
# (one a line), and adds them to USED. Below 32768: Aeron takes ephemeral ports (replication,
# egress) from the kernel's range above it.
pick_ports() { # count
  local count=$1 base p ok
  for _ in $(seq 500); do
    base=$((20000 + RANDOM % 12000))
    ok=1
    for p in $(seq "$base" $((base + count - 1))); do
      if grep -qx "$p" <<<"$USED"; then ok=0; break; fi
      # without ss, at least a TCP port someone listens on is seen here
      if ! command -v ss >/dev/null && (exec 3<>"/dev/tcp/$HOST/$p") 2>/dev/null; then ok=0; break; fi
    done
    if [[ $ok == 1 ]]; then
      USED=$(printf '%s\n' "$USED" $(seq "$base" $((base + count - 1))))
      PICKED=$base
      return 0
    fi
  done
  die "found no $count free consecutive port(s) in 20000..32000"
}

load_env() { # dir
  [[ -f $1/cluster.env ]] || die "no $1/cluster.env: run '$0 up $1' first"
  # shellcheck source=/dev/null
  . "$1/cluster.env"
}
pid_of() { # dir id: the pid recorded for the member when it is still running, else nothing
  local pid
  pid=$(cat "$1/node-$2.pid" 2>/dev/null || true)
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null \
    && { [[ ! -r /proc/$pid/cmdline ]] || grep -q converge-ledger "/proc/$pid/cmdline" 2>/dev/null; }; then
    echo "$pid"
  fi
}
grpc_port() { local v="GRPC_$1"; echo "${!v}"; }
metrics_port() { local v="METRICS_$1"; echo "${!v}"; }

launch() { # dir id: starts the member in the background, appending to its log
  local dir=$1 id=$2
  mkdir -p "$dir/node-$id"
  echo "=== cluster.sh: member $id starting at $(date -Is) ===" >>"$dir/node-$id.log"
  # shellcheck disable=SC2086
  LEDGER_CLUSTER_MEMBERS=$MEMBERS LEDGER_CLUSTER_MEMBER_ID=$id GRPC_PORT=$(grpc_port "$id") \
    LEDGER_METRICS_PORT=$(metrics_port "$id") LEDGER_DATA_DIR="$dir/node-$id" \
    nohup java $JAVA_OPTS -jar "$JAR" >>"$dir/node-$id.log" 2>&1 </dev/null &
  echo $! >"$dir/node-$id.pid"
}
# The log of the member's current run: the lines after its last start marker.
current_log() { # dir id
  awk '/^=== cluster.sh: member .* starting at/ {n = NR} {l[NR] = $0} END {for (i = n + 1; i <= NR; i++) print l[i]}' \
    "$1/node-$2.log"
}
ready() { # dir id: it listens and its ingress has a leader
  local log
  log=$(current_log "$1" "$2")
  grep -q "listening on port" <<<"$log" && grep -qE "connected to leader|follows new leader" <<<"$log"
}
# Waits until every member given serves and follows a leader; on timeout, shows the logs' tails and fails.
await_ready() { # dir ids...
  local dir=$1; shift
  local deadline=$((SECONDS + UP_SECONDS)) id waiting
  while :; do
    waiting=""
    for id in "$@"; do
      if [[ -z $(pid_of "$dir" "$id") ]]; then
        if grep -q "active Mark file detected" <<<"$(current_log "$dir" "$id")" && ((SECONDS + 2 < deadline)); then
          # Aeron's archive refuses a mark file written to in the last 10 s (Archive.Configuration.LIVENESS_TIMEOUT_MS),
          # which a member killed with -9 leaves behind: try again until it has gone stale.
          echo "cluster.sh: member $id: its killed predecessor's Aeron mark file is still fresh;" \
            "starting it again in 1 s" >&2
          sleep 1
          launch "$dir" "$id"
          waiting="$waiting $id"
          continue
        fi
        echo "cluster.sh: member $id exited; the end of $dir/node-$id.log:" >&2
        tail -n 30 "$dir/node-$id.log" >&2
        exit 1
      fi
      ready "$dir" "$id" || waiting="$waiting $id"
    done
    [[ -z $waiting ]] && return 0
    if ((SECONDS >= deadline)); then
      echo "cluster.sh: member(s)$waiting did not serve and follow a leader within ${UP_SECONDS}s" >&2
      for id in $waiting; do
        echo "--- the end of $dir/node-$id.log ---" >&2
        tail -n 30 "$dir/node-$id.log" >&2
      done
      exit 1
    fi
    sleep 0.2
  done
}
line_of() { echo "node $2 $HOST:$(grpc_port "$2") $(pid_of "$1" "$2")"; }

# The role a member's metrics give (2 leader, 1 candidate, 0 follower), or nothing when it does not answer.
role_of() { # id
  local port body
  port=$(metrics_port "$1")
  if command -v curl >/dev/null; then
    body=$(curl -s --max-time 2 "http://$HOST:$port/metrics" || true)
  else
    body=$(timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$port && printf 'GET /metrics HTTP/1.0\r\nHost: $HOST\r\n\r\n' >&3 \
      && cat <&3" 2>/dev/null || true)
  fi
  awk -v m="member=\"$1\"" '/^ledger_cluster_role\{/ && index($0, m) {printf "%d\n", $NF; exit}' <<<"$body"
}

cmd=${1:-}
case $cmd in
  up)
    [[ $# == 2 ]] || usage
    DIR=$(mkdir -p "$2" && cd "$2" && pwd)
    [[ -f $JAR ]] || die "missing $JAR: mvn -q -B package -DskipTests"
    if [[ -f $DIR/cluster.env ]]; then
      load_env "$DIR"
      for id in $IDS; do
        [[ -z $(pid_of "$DIR" "$id") ]] || die "member $id still runs (pid $(pid_of "$DIR" "$id")): '$0 down $DIR' first"
      done
      echo "cluster.sh: reusing the ports in $DIR/cluster.env" >&2
    else
      USED=$(ports_in_use)
      MEMBERS=""
      {
        echo "# written by perf/scripts/cluster.sh up at $(date -Is)"
        for id in $IDS; do
          pick_ports 5
          MEMBERS="$MEMBERS${MEMBERS:+,}$id=$HOST:$PICKED"
          pick_ports 1
          echo "GRPC_$id=$PICKED"
          pick_ports 1
          echo "METRICS_$id=$PICKED"
        done
        echo "MEMBERS=$MEMBERS"
      } >"$DIR/cluster.env.new"
      mv "$DIR/cluster.env.new" "$DIR/cluster.env"
      load_env "$DIR"
    fi
    for id in $IDS; do launch "$DIR" "$id"; done
    await_ready "$DIR" $IDS
    for id in $IDS; do line_of "$DIR" "$id"; done
    ;;
  start)
    [[ $# == 3 ]] || usage
    DIR=$(cd "$2" && pwd) || die "no directory $2"
    ID=$3
    load_env "$DIR"
    [[ -n $(grpc_port "$ID") ]] || die "member $ID is not in $DIR/cluster.env (members: $IDS)"
    [[ -z $(pid_of "$DIR" "$ID") ]] || die "member $ID still runs (pid $(pid_of "$DIR" "$ID"))"
    launch "$DIR" "$ID"
    await_ready "$DIR" "$ID"
    line_of "$DIR" "$ID"
    ;;
  kill)
    [[ $# == 3 ]] || usage
    DIR=$2; ID=$3
    load_env "$DIR"
    pid=$(pid_of "$DIR" "$ID")
    [[ -n $pid ]] || die "member $ID does not run"
    kill -9 "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.05; done
    die "member $ID (pid $pid) still there 5 s after kill -9"
    ;;
  leader)
    [[ $# == 2 ]] || usage
    load_env "$2"
    for id in $IDS; do
      if [[ $(role_of "$id") == 2 ]]; then echo "$id"; exit 0; fi
    done
    die "no member says it leads (yet)"
    ;;
  down)
    [[ $# == 2 ]] || usage
    DIR=$2
    load_env "$DIR"
    pids=""
    for id in $IDS; do
      pid=$(pid_of "$DIR" "$id")
      if [[ -n $pid ]]; then kill -TERM "$pid" 2>/dev/null || true; pids="$pids $pid"; fi
    done
    deadline=$((SECONDS + DOWN_SECONDS))
    for pid in $pids; do
      while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
      if kill -0 "$pid" 2>/dev/null; then
        echo "cluster.sh: pid $pid still runs ${DOWN_SECONDS}s after SIGTERM: SIGKILL" >&2
        kill -9 "$pid" 2>/dev/null || true
      fi
    done
    for id in $IDS; do rm -f "$DIR/node-$id.pid"; done
    ;;
  *) usage ;;
esac
