#!/usr/bin/env bash
# bench-memory.sh: the memory a kvstore proxy spends per idle client and per pending request,
# measured (figures for doc/performance.md).
#
#   scripts/bench-memory.sh [--dist DIR] [--base-port B] [--clients N] [--pending-clients C]
#                           [--per-client P] [--dir DIR] [-- PROXY-OPTION...]
#
# Builds nothing: runs bin/kvstore-proxy of the unpacked tree of ./build.sh (--dist, default as
# overload.sh) in static mode over one redis-server (B+101; proxy on B, default B=27000;
# 127.0.0.1 only), with the launcher's JVM options plus -XX:NativeMemoryTracking=summary (to
# attribute off-heap memory) and -XX:+AlwaysPreTouch (the whole heap resident from the start, as
# it is in a proxy that has run a while: RSS growth is then what is not heap; add more JVM options
# in KVSTORE_JAVA_OPTS), and the proxy options
# --backend-stall-ms 0 --down-after-ms 3600000 (so the stopped redis-server below is neither
# abandoned nor marked down), then any PROXY-OPTION. Raises ulimit -n for itself and the proxy.
# The client side is scripts/lib/MemoryBench.java (JDK only). Phases:
#   base     the proxy with no client
#   idle     N clients (default 10000) connected, each after one PING answered
#   pending  the redis-server stopped (SIGSTOP), C clients (default 250) each pipeline P GETs
#            (default 4000, under --max-pending's default 4096, which bounds one client); once
#            the proxy holds all C x P requests, measured; then SIGCONT and every reply is checked
# Each measurement: live heap (jcmd GC.class_histogram: a full collection first, then every
# live object counted), the proxy's RSS (/proc/PID/status; the heap is in it from the start, so
# its growth is off-heap), and NMT's committed "Other" (the direct buffers of Netty's pools) and
# "Thread"; per client / per request = (phase - base) / count, with the ten classes that grew
# most; the cost of one = live heap + RSS growth. Kernel socket buffers are in neither. The
# pending phase is measured against a new base taken after the idle clients left (Netty's pools
# keep what they grew to). Memory figures do not depend on the machine's other load.
# Prints one line per figure; also in DIR/results.txt (DIR: run/bench-memory/). Every process
# it starts is stopped on exit; each phase is bounded (300 s).
set -euo pipefail

SCRIPTS="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPTS/.." && pwd)"
# shellcheck source=lib/dist.sh
. "$SCRIPTS/lib/dist.sh"
DIST=""
BASE_PORT=27000
CLIENTS=10000
PENDING_CLIENTS=250
PER_CLIENT=4000
DIR=""
PROXY_OPTS=()
PIDS=()
PHASE_SECONDS=300

die() { echo "bench-memory: $*" >&2; exit 1; }
usage() { sed -n '2,31s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --dist) DIST="${2:?}"; shift 2 ;;
    --base-port) BASE_PORT="${2:?}"; shift 2 ;;
    --clients) CLIENTS="${2:?}"; shift 2 ;;
    --pending-clients) PENDING_CLIENTS="${2:?}"; shift 2 ;;
    --per-client) PER_CLIENT="${2:?}"; shift 2 ;;
    --dir) DIR="${2:?}"; shift 2 ;;
    --) shift; PROXY_OPTS=("$@"); break ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench-memory: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
DIST="$(find_dist "$ROOT" "$DIST")" || die "$NO_DIST"
DIR="${DIR:-$ROOT/run/bench-memory}"
# The launcher runs $JAVA_HOME/bin/java when JAVA_HOME is set: attach with that JDK's jcmd.
JCMD=jcmd
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/jcmd" ]; then JCMD="$JAVA_HOME/bin/jcmd"; fi
for tool in java "$JCMD" redis-server redis-cli; do command -v "$tool" > /dev/null || die "needs $tool"; done
PROXY_PORT=$BASE_PORT
REDIS_PORT=$((BASE_PORT + 101))
for p in $PROXY_PORT $REDIS_PORT; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then die "port $p is in use: choose another --base-port"; fi
done

REDIS_PID=""
cleanup() {
  local code=$? pid
  trap - EXIT INT TERM
  [ -n "$REDIS_PID" ] && kill -CONT "$REDIS_PID" 2>/dev/null || true
  for pid in ${PIDS[@]+"${PIDS[@]}"}; do kill "$pid" 2>/dev/null || true; done
  for pid in ${PIDS[@]+"${PIDS[@]}"}; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  exit $code
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" -gt $((CLIENTS + 1000)) ] || die "ulimit -n $(ulimit -n) is too low for $CLIENTS clients"
rm -rf "$DIR"
mkdir -p "$DIR"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --maxclients 1000 \
  --dir "$DIR" --logfile "$DIR/redis.log" --daemonize no < /dev/null > /dev/null 2>&1 &
REDIS_PID=$!
PIDS+=($REDIS_PID)
KVSTORE_JAVA_OPTS="${KVSTORE_JAVA_OPTS:-} -XX:NativeMemoryTracking=summary -XX:+AlwaysPreTouch" \
  "$DIST/bin/kvstore-proxy" --listen "127.0.0.1:$PROXY_PORT" --backends "127.0.0.1:$REDIS_PORT" \
  --max-clients $(( (CLIENTS > PENDING_CLIENTS ? CLIENTS : PENDING_CLIENTS) + 100 )) --backend-stall-ms 0 --down-after-ms 3600000 \
  ${PROXY_OPTS[@]+"${PROXY_OPTS[@]}"} < /dev/null > "$DIR/proxy.log" 2>&1 &
PROXY_PID=$! # the launcher execs java: this is the JVM
PIDS+=($PROXY_PID)
for _ in $(seq 1 300); do
  [ "$(redis-cli -p "$PROXY_PORT" ping 2>/dev/null)" = PONG ] && break
  sleep 0.1
done
[ "$(redis-cli -p "$PROXY_PORT" ping 2>/dev/null)" = PONG ] || die "the proxy did not start (see $DIR/proxy.log)"
out() { echo "$*" | tee -a "$DIR/results.txt"; }
out "# $(date -u +%Y-%m-%dT%H:%M:%SZ) kvstore $(cat "$DIST/VERSION" 2>/dev/null) ($DIST), $(java -version 2>&1 | head -n 1)," \
  "$(nproc) cores, ulimit -n $(ulimit -n); KVSTORE_JAVA_OPTS: ${KVSTORE_JAVA_OPTS:-(none)}; proxy options: ${PROXY_OPTS[*]:-defaults}"

# measure NAME: live heap by class (after a full collection), RSS and NMT's committed KB into DIR/NAME.*
measure() {
  "$JCMD" "$PROXY_PID" GC.class_histogram > "$DIR/$1.histo"
  awk '/^VmRSS:/ { print $2 }' "/proc/$PROXY_PID/status" > "$DIR/$1.rss"
  "$JCMD" "$PROXY_PID" VM.native_memory summary > "$DIR/$1.nmt"
}
heap_bytes() { awk '$1 == "Total" { print $3 }' "$DIR/$1.histo"; }
nmt_kb() { sed -n "s/^-  *$2 (reserved=[0-9]*KB, committed=\([0-9]*\)KB.*/\1/p" "$DIR/$1.nmt" | head -n 1; }
instances() { awk -v c="$2" '$4 == c { print $2 }' "$DIR/$1.histo"; }
# report NAME COUNT UNIT: the growth from base, in total and per COUNT, and the classes that grew most
report() {
  local name=$1 count=$2 unit=$3 heap rss other thread
  heap=$(( $(heap_bytes "$name") - $(heap_bytes base) ))
  rss=$(( ($(cat "$DIR/$name.rss") - $(cat "$DIR/base.rss")) * 1024 ))
  other=$(( ($(nmt_kb "$name" Other) - $(nmt_kb base Other)) * 1024 ))
  thread=$(( ($(nmt_kb "$name" Thread) - $(nmt_kb base Thread)) * 1024 ))
  out "$name: $count $unit; growth over base: live heap $((heap / 1048576)) MB, RSS $((rss / 1048576)) MB," \
    "direct (NMT Other) $((other / 1048576)) MB, thread stacks (NMT Thread) $((thread / 1048576)) MB"
  out "$name: per $unit: live heap $((heap / count)) B + RSS growth $((rss / count)) B = $(((heap + rss) / count)) B" \
    "(of the RSS growth, direct buffers $((other / count)) B)"
  out "$name: the classes that grew most (bytes per $unit, instances per $unit, class):"
  awk -v n="$count" 'FNR == NR { if ($1 ~ /:$/) { b[$4] = $3; i[$4] = $2 } next }
       $1 ~ /:$/ { d = $3 - b[$4]; if (d > 0) printf "%d %.2f %s\n", d, ($2 - i[$4]) / n, $4 }' \
    "$DIR/base.histo" "$DIR/$name.histo" | sort -rn | awk "NR <= 10" |
    awk -v n="$count" '{ printf "  %8.1f B  %6s  %s\n", $1 / n, $2, $3 }' | tee -a "$DIR/results.txt"
}
# run_driver NAME ARGS...: runs MemoryBench, waits for READY, runs NAME_ready, then lets it finish
run_driver() {
  local name=$1 line
  shift
  coproc DRIVER { exec timeout "$PHASE_SECONDS" java "$SCRIPTS/lib/MemoryBench.java" 127.0.0.1 "$PROXY_PORT" "$@" 2>&1; }
  local drv_pid=$DRIVER_PID
  PIDS+=($drv_pid)
  exec {drv_out}<&"${DRIVER[0]}" {drv_in}>&"${DRIVER[1]}"
  IFS= read -r line <&"$drv_out" || die "$name: the driver ended without READY"
  [[ "$line" == READY* ]] || die "$name: driver: $line"
  out "$name: driver: $line"
  "${name}_ready"
  echo go >&"$drv_in"
  IFS= read -r line <&"$drv_out" || die "$name: the driver ended without DONE"
  out "$name: driver: $line"
  [[ "$line" == DONE* ]] || die "$name: the driver failed"
  wait "$drv_pid" 2>/dev/null || true
  exec {drv_out}<&- {drv_in}>&-
}

measure base
out "base: live heap $(( $(heap_bytes base) / 1048576 )) MB, RSS $(( $(cat "$DIR/base.rss") / 1024 )) MB," \
  "direct (NMT Other) $(( $(nmt_kb base Other) / 1024 )) MB"

idle_ready() {
  measure idle
  report idle "$CLIENTS" client
}
run_driver idle idle "$CLIENTS"

pending_ready() {
  local total=$((PENDING_CLIENTS * PER_CLIENT)) held=0
  for _ in $(seq 1 60); do
    held=$("$JCMD" "$PROXY_PID" GC.class_histogram | awk '$4 == "io.kvstore.proxy.session.PendingReply" { print $2 }')
    [ "${held:-0}" -ge "$total" ] && break
    sleep 1
  done
  [ "${held:-0}" -ge "$total" ] || die "pending: the proxy holds ${held:-0} of $total requests after 60 s"
  measure pending
  report pending "$total" request
  kill -CONT "$REDIS_PID"
}
# Measured against a base with the idle clients gone; their sessions were freed by then.
measure base
kill -STOP "$REDIS_PID"
run_driver pending pending "$PENDING_CLIENTS" "$PER_CLIENT"
