#!/usr/bin/env bash
# chaos.sh: faults drawn from a seed on a local kvstore cluster, under a lost/stale checker.
#
#   scripts/chaos.sh [--minutes N] [--seed S] [--write-acks 0|1] [--mode datastore|cache]
#                    [--faults "KIND..."] [--base-port B] [--dist DIR] [--dir DIR] [--threads T] [--keep]
#
# Builds nothing: it runs the unpacked tree of ./build.sh (--dist, default: bin/ next to this
# script when run from the tarball, else the newest dist/kvstore-*/ of this checkout).
# Starts with that tree's scripts/kv_store.sh a cluster of 3 groups of a master and a replica and
# 3 proxies (--mode, default datastore; proxies on B..B+2, ZooKeeper on B+100, redis-servers on
# B+101..B+106, default B=27000; two more redis-servers on B+107, B+108 for a 4th group), all on
# 127.0.0.1, the proxies with --write-acks 1 when asked. Runs the checker (io.kvstore.admin.chaos.
# ChaosChecker from lib/: 6 writers, SET key seq GET, and 6 readers, GET and MGET, spread over the
# 3 proxies) for --minutes (default 5) while it injects, one after the other, faults drawn from
# --seed (default 1; the same seed gives the same faults on the same targets):
#   master-kill     kill -9 a group's master, wait for the failover, restart it (it rejoins as replica)
#   replica-kill    kill -9 a group's replica, restart it a few seconds later
#   proxy-kill      kill -9 a proxy, restart it 2 s later
#   zk-restart      kill -9 ZooKeeper, restart it 3 s later
#   rebalance       add a 4th group, kvstore-admin rebalance onto it, move its slots back, remove it
#   planned         kvstore-admin failover of a group
#   net-delay       200 ms more on every byte to and from a group's master, for 20 s
#   net-stall       a group's master's link holds every byte for 4 s: its requests fail after the
#                   proxies' --backend-stall-ms (2000 in these runs), no failover (shorter than
#                   --down-after-ms); a GET of another group's key is timed meanwhile
#   zk-partition    one proxy cut from ZooKeeper (both directions dropped) until it fences
#                   (-TRYAGAIN, at most 40 s), then healed; the time to fence and to serve again
#                   (--mode cache: cut for 25 s, and it must keep serving by its map throughout)
# (--faults: only these kinds, e.g. "master-kill proxy-kill planned"; default all nine.) The network
# faults go through a relay process (io.kvstore.admin.chaos.RelayMain from lib/, log DIR/relay.log),
# started only when one is asked for: the proxies reach redis-server B+101..B+108 through the
# relay's ports B+171..B+178 (--backend-via, requests and health checks; replication and the
# controller's own commands go direct) and proxy i reaches ZooKeeper through B+180+i (each proxy is
# restarted once on it before the checker starts); the relay's control port is B+190.
# After each fault it waits (at most 120 s) until kvstore-admin status says the cluster is healthy,
# then a few seconds more. At the end it prints the checker's counts (ops, errors, stale, lost ...),
# every fault with its time, the time until the cluster was healthy again, and until the last client
# error the fault caused. Exit 0 clean; 1 a stale read, a value never written, a key it could not
# read back, a network fault without the effect it must have (net-stall, zk-partition above), or
# (--write-acks 1) a lost acknowledged write; 2 usage; 3 the cluster or a fault did not
# come back in time. Without --write-acks, lost writes are reported (compare them with the failovers'
# lostBytes in kvstore-admin status) but do not fail the run. --mode cache: misses allowed, stale never.
# Every process it starts is stopped on exit (also on error or Ctrl-C); logs stay in DIR
# (default run/chaos/); --keep keeps the cluster's data too.
set -euo pipefail

SCRIPTS="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPTS/.." && pwd)"
# shellcheck source=lib/dist.sh
. "$SCRIPTS/lib/dist.sh"

MINUTES=5
SEED=1
WRITE_ACKS=0
MODE=datastore
BASE_PORT=27000
DIST=""
DIR=""
THREADS=2
KEEP=0
CLUSTER=chaos
HEALTHY_SECONDS=120

KINDS=(master-kill replica-kill proxy-kill zk-restart rebalance planned net-delay net-stall zk-partition)
NET=0           # 1 when a network fault is among the kinds: the relay runs
CHECKER_PID=""
EXTRA_PIDS=()   # redis-servers of the 4th group, and processes restarted after a fault
T0=0            # start of the checker, ms

say() { echo "chaos: $(date -u +%H:%M:%S) $*"; }
die() { # die MESSAGE [EXIT]: the exit code is not part of the message
  echo "chaos: $1" >&2
  exit "${2:-1}"
}
usage() { sed -n '2,44s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
now_ms() { date +%s%3N; }

parse_options() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --minutes) MINUTES="${2:?}"; shift 2 ;;
      --seed) SEED="${2:?}"; shift 2 ;;
      --write-acks) WRITE_ACKS="${2:?}"; shift 2 ;;
      --mode) MODE="${2:?}"; shift 2 ;;
      --faults) read -r -a KINDS <<< "${2:?}"; shift 2 ;;
      --base-port) BASE_PORT="${2:?}"; shift 2 ;;
      --dist) DIST="${2:?}"; shift 2 ;;
      --dir) DIR="${2:?}"; shift 2 ;;
      --threads) THREADS="${2:?}"; shift 2 ;;
      --keep) KEEP=1; shift ;;
      -h|--help) usage; exit 0 ;;
      *) echo "chaos: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    esac
  done
  [[ "$MINUTES" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--minutes: a number, not '$MINUTES'" 2
  for v in "$SEED" "$BASE_PORT" "$THREADS"; do [[ "$v" =~ ^[0-9]+$ ]] || die "expected a number, got '$v'" 2; done
  case "$WRITE_ACKS" in 0|1) ;; *) die "--write-acks is 0 or 1" 2 ;; esac
  case "$MODE" in datastore|cache) ;; *) die "--mode is datastore or cache" 2 ;; esac
  local k
  for k in "${KINDS[@]}"; do
    case "$k" in master-kill|replica-kill|proxy-kill|zk-restart|rebalance|planned) ;;
      net-delay|net-stall|zk-partition) NET=1 ;;
      *) die "--faults: no fault '$k'" 2 ;;
    esac
  done
  DIST="$(find_dist "$ROOT" "$DIST")" || die "$NO_DIST" 2
  [ -x "$DIST/bin/kvstore-admin" ] && [ -x "$DIST/scripts/kv_store.sh" ] || die "$DIST has no bin/kvstore-admin and scripts/kv_store.sh" 2
  ls "$DIST"/lib/kvstore-admin-*.jar > /dev/null 2>&1 || die "$DIST/lib has no kvstore-admin jar" 2
  DIR="${DIR:-$ROOT/run/chaos}"
  ZK_PORT=$((BASE_PORT + 100))
  CONTROL_PORT=$((BASE_PORT + 190))
}

admin() { timeout 150 "$DIST/bin/kvstore-admin" --zk "127.0.0.1:$ZK_PORT" --zk-timeout-ms 10000 "$@"; }
kvs() { timeout 300 "$DIST/scripts/kv_store.sh" "$@"; }
cli() { timeout 5 redis-cli -p "$1" "${@:2}" 2>/dev/null | tr -d '\r'; }

# ---- stopping ---------------------------------------------------------------------------------

cleanup() {
  local code=$? pid
  trap - EXIT INT TERM
  set +e
  if [ -n "$CHECKER_PID" ] && kill -0 "$CHECKER_PID" 2>/dev/null; then
    touch "$DIR/stop"
    for _ in $(seq 1 900); do kill -0 "$CHECKER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$CHECKER_PID" 2>/dev/null
  fi
  [ -f "$DIR/cluster/procs" ] && kvs stop --dir "$DIR/cluster" > /dev/null 2>&1
  for pid in ${EXTRA_PIDS[@]+"${EXTRA_PIDS[@]}"}; do kill "$pid" 2>/dev/null; done
  for pid in ${EXTRA_PIDS[@]+"${EXTRA_PIDS[@]}"}; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  if [ "$KEEP" = 0 ]; then
    rm -rf "$DIR"/cluster/zookeeper/data "$DIR"/cluster/redis-*/appendonlydir "$DIR"/g4-*/appendonlydir
  fi
  exit $code
}

# ---- processes of the cluster -----------------------------------------------------------------

# pid_of NAME: the pid kv_store.sh recorded (or this script, after a restart).
pid_of() { awk -v n="$1" '$2 == n { print $4 }' "$DIR/cluster/procs"; }

# kill9 NAME: kill -9 the process; remembers its command line and directory in $DIR/restart-NAME.
kill9() {
  local name="$1" pid
  pid="$(pid_of "$name")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || die "$name is not running (pid '$pid')" 3
  cp "/proc/$pid/cmdline" "$DIR/restart-$name.cmd"
  readlink "/proc/$pid/cwd" > "$DIR/restart-$name.cwd"
  kill -9 "$pid"
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
}

# restart NAME LOG [MASTER-PORT]: the same command line again, in the background; recorded in the
# procs file. A redis-server rewrites its command line (its title), so its arguments are made
# again as kv_store.sh makes them: a replica of MASTER-PORT when given, else as a master (as a
# supervisor restarting a failed master would; the controller then makes it a replica).
restart() {
  local name="$1" log="$2" cmd=() cwd pid
  mapfile -d '' cmd < "$DIR/restart-$name.cmd"
  cwd="$(cat "$DIR/restart-$name.cwd")"
  if [[ "$name" == redis-* ]]; then
    local port="${name#redis-}" home="$DIR/cluster/$name"
    cmd=(redis-server --port "$port" --bind 127.0.0.1 --dir "$home" --daemonize no --logfile "$home/redis.log" --save '')
    if [ "$MODE" = datastore ]; then cmd+=(--appendonly yes --appendfsync everysec); else cmd+=(--appendonly no); fi
    if [ -n "${3:-}" ]; then cmd+=(--replicaof 127.0.0.1 "$3"); fi
  fi
  (cd "$cwd" && exec nohup "${cmd[@]}" < /dev/null >> "$log" 2>&1) &
  pid=$!
  disown "$pid" # no "Killed" from bash when a later fault kills it
  EXTRA_PIDS+=("$pid")
  awk -v n="$name" -v p="$pid" '$2 == n { $4 = p } { print }' "$DIR/cluster/procs" > "$DIR/cluster/procs.new"
  mv "$DIR/cluster/procs.new" "$DIR/cluster/procs"
}

await_ping() { # await_ping PORT SECONDS
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    [ "$(cli "$1" ping)" = PONG ] && return 0
    sleep 0.1
  done
  return 1
}

master_port() { echo $((BASE_PORT + 101 + ($1 - 1) * 2)); }   # group g's first server
# current_master G: the port of the server of group G that ZooKeeper's topology names master.
current_master() {
  local a b
  a="$(master_port "$1")" b=$(($(master_port "$1") + 1))
  # The topology is the truth; a restarted old master says "master" until it is repointed.
  if status_json | grep -F "\"master\":{\"address\":\"127.0.0.1:$b\"" > /dev/null; then echo "$b"; else echo "$a"; fi
}

# status_json: kvstore-admin status --json --no-redis without blanks. Its exit code is not looked at:
# it is not 0 while a group is failed or failing over, and under pipefail that hid the JSON's answer.
status_json() {
  local out
  out="$(admin status "$CLUSTER" --json --no-redis 2>/dev/null || true)"
  echo "$out" | tr -d ' \n'
}

# healthy: kvstore-admin status exits 0 (every group active, servers up, proxies on the epoch).
await_healthy() {
  local deadline=$(($(date +%s) + HEALTHY_SECONDS))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if admin status "$CLUSTER" > "$DIR/status.last" 2>&1; then return 0; fi
    sleep 0.5
  done
  say "not healthy after ${HEALTHY_SECONDS}s:"
  cat "$DIR/status.last"
  return 1
}

# ---- faults -------------------------------------------------------------------------------------

FAULT_NOTE=""
NET_FAILED=0    # a network fault did not have the effect it must have (zk-partition: fence and recover)

fault_master_kill() {
  local g="$1" port other
  port="$(current_master "$g")"
  other=$((port == $(master_port "$g") ? port + 1 : port - 1))
  FAULT_NOTE="g$g master 127.0.0.1:$port"
  kill9 "redis-$port"
  local t=$(now_ms)
  if [ "$MODE" = cache ]; then
    # A cache group's replica is not promoted: its slots go to the other groups (failed).
    while [ "$(now_ms)" -lt $((t + 60000)) ]; do
      status_json | grep -F "\"id\":\"g$g\",\"state\":\"failed\"" > /dev/null && break
      sleep 0.2
    done
    FAULT_NOTE="$FAULT_NOTE; g$g failed (slots moved) after $(($(now_ms) - t)) ms"
    restart "redis-$port" "$DIR/cluster/redis-$port/stdout.log"
    await_ping "$port" 60 || die "redis-server $port did not come back" 3
    return 0
  fi
  while [ "$(now_ms)" -lt $((t + 60000)) ]; do
    [ "$(current_master "$g")" = "$other" ] && break
    sleep 0.2
  done
  if [ "$(current_master "$g")" = "$other" ]; then
    FAULT_NOTE="$FAULT_NOTE; 127.0.0.1:$other promoted after $(($(now_ms) - t)) ms"
  else
    FAULT_NOTE="$FAULT_NOTE; no failover within 60 s"
  fi
  restart "redis-$port" "$DIR/cluster/redis-$port/stdout.log"
  await_ping "$port" 60 || die "redis-server $port did not come back" 3
}

fault_replica_kill() {
  local g="$1" port master
  master="$(current_master "$g")"
  port=$((master == $(master_port "$g") ? master + 1 : master - 1))
  FAULT_NOTE="g$g replica 127.0.0.1:$port"
  kill9 "redis-$port"
  sleep $((2 + RANDOM % 4))
  restart "redis-$port" "$DIR/cluster/redis-$port/stdout.log" "$master"
  await_ping "$port" 60 || die "redis-server $port did not come back" 3
}

fault_proxy_kill() {
  local p="$1" port=$((BASE_PORT + $1 - 1))
  FAULT_NOTE="proxy 127.0.0.1:$port"
  kill9 "proxy-$port"
  sleep 2
  restart "proxy-$port" "$DIR/cluster/proxy-$port/proxy.log"
  await_ping "$port" 60 || die "proxy $port did not come back" 3
}

fault_zk_restart() {
  FAULT_NOTE="zookeeper 127.0.0.1:$ZK_PORT"
  kill9 zookeeper
  sleep 3
  restart zookeeper "$DIR/cluster/zookeeper/zookeeper.log"
}

fault_rebalance() {
  local m=$((BASE_PORT + 107)) r=$((BASE_PORT + 108)) out n slots i
  # The 4th group's servers own no slot between rebalances; anything left on them is leftover.
  for p in $m $r; do [ "$(cli "$p" dbsize)" = 0 ] || cli "$p" flushall > /dev/null; done
  admin group add "$CLUSTER" "127.0.0.1:$m,127.0.0.1:$r" --id g4 > "$DIR/rebalance.log" 2>&1 ||
    { FAULT_NOTE="group add failed: $(tail -n 1 "$DIR/rebalance.log")"; return 0; }
  local t=$(now_ms)
  admin rebalance "$CLUSTER" --rate 0 --quiet >> "$DIR/rebalance.log" 2>&1 ||
    { FAULT_NOTE="rebalance failed: $(tail -n 1 "$DIR/rebalance.log")"; }
  slots="$(admin slots show "$CLUSTER" 2>/dev/null | awk '$4 == "g4" { n += $2 } END { print n + 0 }')"
  FAULT_NOTE="${FAULT_NOTE:+$FAULT_NOTE; }$slots slots onto g4 in $(($(now_ms) - t)) ms"
  t=$(now_ms)
  for i in 1 2 3; do
    n=$(( (slots + 3 - i) / 3 ))
    [ "$n" -gt 0 ] || continue
    admin reshard "$CLUSTER" --from g4 --to "g$i" --slots "$n" --rate 0 --quiet >> "$DIR/rebalance.log" 2>&1 ||
      FAULT_NOTE="$FAULT_NOTE; reshard back to g$i failed: $(tail -n 1 "$DIR/rebalance.log")"
  done
  if admin group remove "$CLUSTER" g4 >> "$DIR/rebalance.log" 2>&1; then
    FAULT_NOTE="$FAULT_NOTE, back in $(($(now_ms) - t)) ms, g4 removed"
  else
    FAULT_NOTE="$FAULT_NOTE; group remove g4 failed: $(tail -n 1 "$DIR/rebalance.log")"
  fi
}

fault_planned() {
  local g="$1" t=$(now_ms) code=0
  admin failover "$CLUSTER" --group "g$g" --timeout-ms 60000 > "$DIR/planned.log" 2>&1 || code=$?
  FAULT_NOTE="g$g: exit $code in $(($(now_ms) - t)) ms ($(tail -n 1 "$DIR/planned.log" | cut -c1-100))"
}

# ---- network faults through the relay --------------------------------------------------------------

server_relay_port() { echo $(($1 + 70)); }                   # the relay in front of redis-server port $1
zk_relay_port() { echo $((BASE_PORT + 180 + $1)); }           # proxy $1's relay in front of ZooKeeper

# start_relay: one relay process for the 8 redis-servers and one ZooKeeper relay per proxy.
start_relay() {
  local args=(--control "$CONTROL_PORT") i p
  for ((i = 1; i <= 8; i++)); do
    p=$((BASE_PORT + 100 + i))
    args+=(--route "$(server_relay_port "$p")=127.0.0.1:$p")
  done
  for p in 1 2 3; do args+=(--route "$(zk_relay_port "$p")=127.0.0.1:$ZK_PORT"); done
  java -Xmx128m -XX:+UseSerialGC -cp "$DIST/lib/*" io.kvstore.admin.chaos.RelayMain "${args[@]}" > "$DIR/relay.log" 2>&1 &
  EXTRA_PIDS+=($!)
  for ((i = 0; i < 300; i++)); do grep -q '^relay: ready' "$DIR/relay.log" && return 0; sleep 0.1; done
  die "the relay did not start: $(tail -n 3 "$DIR/relay.log")" 3
}

# relay LINE: one control line (see RelayControl); prints the answer, fails on ERR or no answer.
relay() {
  local answer=""
  exec 9<> "/dev/tcp/127.0.0.1/$CONTROL_PORT" || return 1
  echo "$*" >&9
  read -r -t 10 answer <&9 || true
  exec 9>&-
  echo "$answer"
  [[ "$answer" == OK* ]]
}

# backend_via: --backend-via for every proxy: each redis-server through its relay.
backend_via() {
  local i p list=""
  for ((i = 1; i <= 8; i++)); do
    p=$((BASE_PORT + 100 + i))
    list="${list:+$list,}127.0.0.1:$p=127.0.0.1:$(server_relay_port "$p")"
  done
  echo "$list"
}

# proxies_via_zk_relays: restarts each proxy (TERM, so its ZooKeeper session ends at once) with
# --zk on its own relay; restarts after a fault then use that command line too.
proxies_via_zk_relays() {
  local p port name pid cmd=() i
  for p in 1 2 3; do
    port=$((BASE_PORT + p - 1)) name="proxy-$((BASE_PORT + p - 1))"
    pid="$(pid_of "$name")"
    mapfile -d '' cmd < "/proc/$pid/cmdline"
    for ((i = 0; i < ${#cmd[@]} - 1; i++)); do
      [ "${cmd[i]}" = --zk ] && cmd[i + 1]="127.0.0.1:$(zk_relay_port "$p")"
    done
    printf '%s\0' "${cmd[@]}" > "$DIR/restart-$name.cmd"
    readlink "/proc/$pid/cwd" > "$DIR/restart-$name.cwd"
    kill -TERM "$pid"
    for ((i = 0; i < 200; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    restart "$name" "$DIR/cluster/$name/proxy.log"
    await_ping "$port" 60 || die "proxy $port did not come back on its ZooKeeper relay" 3
  done
}

# ms_of COMMAND...: runs it, prints "MS OUTPUT" (the output's first line).
ms_of() {
  local t out
  t=$(now_ms)
  out="$("$@" 2>&1 | head -n 1 | tr -d '\r')"
  echo "$(($(now_ms) - t)) ${out:-(nothing)}"
}

# keys_of_group PORT: prints a checker key stored on redis-server PORT and one that is not (another group's).
keys_of_group() {
  local i k mine="" other=""
  for ((i = 0; i < 50 && (${#mine} == 0 || ${#other} == 0); i++)); do
    k="chaos:$((i % 6)):$i"
    if [ "$(cli "$1" exists "$k")" = 1 ]; then mine="${mine:-$k}"; else other="${other:-$k}"; fi
  done
  echo "$mine $other"
}

fault_net_delay() {
  local g="$1" port
  port="$(current_master "$g")"
  relay "$(server_relay_port "$port") latency 200" > /dev/null || die "relay: latency on $port refused" 3
  sleep 20
  relay "$(server_relay_port "$port") heal" > /dev/null || die "relay: heal of $port refused" 3
  FAULT_NOTE="g$g master 127.0.0.1:$port +200 ms each way for 20 s"
}

fault_net_stall() {
  local g="$1" port mine other p=$BASE_PORT a b
  port="$(current_master "$g")"
  read -r mine other < <(keys_of_group "$port")
  relay "$(server_relay_port "$port") stall on" > /dev/null || die "relay: stall on $port refused" 3
  # Both through proxy 1 at once: the stalled group's GET fails after --backend-stall-ms, the other answers.
  ms_of timeout 20 redis-cli -p "$p" get "$mine" > "$DIR/stall-mine" &
  a=$!
  sleep 0.2
  b="$(ms_of timeout 20 redis-cli -p "$p" get "$other")"
  sleep 3.8
  relay "$(server_relay_port "$port") heal" > /dev/null || die "relay: heal of $port refused" 3
  wait "$a" || true
  local m
  m="$(cat "$DIR/stall-mine")"
  FAULT_NOTE="g$g master 127.0.0.1:$port stalled 4 s; its GET: ${m:0:70} ms; another group's GET meanwhile: ${b%% *} ms"
  # Its GET must fail (an error, not the value once the stall ends: that would be a hang through it);
  # the other must be answered while the stall lasts.
  if [[ "${m#* }" =~ ^[0-9]+$ ]] || [ "${b%% *}" -ge 3800 ] || [[ "${b#* }" == *rror* ]]; then
    FAULT_NOTE="$FAULT_NOTE (NOT as it must be: its GET fails within the stall, the other's answers)"
    NET_FAILED=1
  fi
}

fault_zk_partition() {
  local p="$1" port=$((BASE_PORT + $1 - 1)) t fenced="" back="" out
  relay "$(zk_relay_port "$p") blackhole both on" > /dev/null || die "relay: partition of proxy $port refused" 3
  t=$(now_ms)
  if [ "$MODE" = cache ]; then
    # A cache proxy keeps serving by the map it has (no fence): 25 s, past ZooKeeper's 20 s detection.
    local asked=0 refused=0
    while [ "$(now_ms)" -lt $((t + 25000)) ]; do
      out="$(timeout 5 redis-cli -p "$port" get chaos:0:0 2>&1 | tr -d '\r')"
      asked=$((asked + 1))
      [[ "$out" != *TRYAGAIN* ]] && [[ "$out" != *rror* ]] || refused=$((refused + 1))
      sleep 0.5
    done
    relay "$(zk_relay_port "$p") heal" > /dev/null || die "relay: heal of proxy $port's ZooKeeper link refused" 3
    FAULT_NOTE="proxy 127.0.0.1:$port cut from ZooKeeper for 25 s (cache mode): $refused of $asked GETs refused"
    [ "$refused" = 0 ] || NET_FAILED=1
    return 0
  fi
  while [ "$(now_ms)" -lt $((t + 40000)) ]; do
    out="$(timeout 5 redis-cli -p "$port" get chaos:0:0 2>&1 | tr -d '\r')"
    if [[ "$out" == *TRYAGAIN* ]]; then fenced=$(($(now_ms) - t)); break; fi
    sleep 0.2
  done
  relay "$(zk_relay_port "$p") heal" > /dev/null || die "relay: heal of proxy $port's ZooKeeper link refused" 3
  local h=$(now_ms)
  while [ "$(now_ms)" -lt $((h + 90000)) ]; do
    out="$(timeout 5 redis-cli -p "$port" get chaos:0:0 2>&1 | tr -d '\r')"
    if [[ "$out" != *TRYAGAIN* ]] && [[ "$out" != *rror* ]] && [ -n "$out" ]; then back=$(($(now_ms) - h)); break; fi
    sleep 0.2
  done
  FAULT_NOTE="proxy 127.0.0.1:$port cut from ZooKeeper: "
  if [ -n "$fenced" ]; then FAULT_NOTE+="fenced (-TRYAGAIN) after $fenced ms"; else FAULT_NOTE+="NOT fenced within 40 s"; fi
  if [ -n "$back" ]; then FAULT_NOTE+="; healed, serving after $back ms"; else FAULT_NOTE+="; healed, NOT serving within 90 s"; fi
  [ -n "$fenced" ] && [ -n "$back" ] || NET_FAILED=1
}

# next_fault: the next kind from a deck of all the kinds, shuffled by the seeded RANDOM, dealt in turn.
DECK=()
next_fault() {
  if [ ${#DECK[@]} = 0 ]; then
    DECK=("${KINDS[@]}")
    local i j t
    for ((i = ${#DECK[@]} - 1; i > 0; i--)); do
      j=$((RANDOM % (i + 1))); t="${DECK[i]}"; DECK[i]="${DECK[j]}"; DECK[j]="$t"
    done
  fi
  NEXT="${DECK[0]}"
  DECK=("${DECK[@]:1}")
}

# ---- main ---------------------------------------------------------------------------------------

start_g4_servers() {
  local m=$((BASE_PORT + 107)) r=$((BASE_PORT + 108)) args
  for p in $m $r; do
    mkdir -p "$DIR/g4-$p"
    args=(--port "$p" --bind 127.0.0.1 --dir "$DIR/g4-$p" --daemonize no --logfile "$DIR/g4-$p/redis.log" --save '')
    if [ "$MODE" = datastore ]; then args+=(--appendonly yes --appendfsync everysec); else args+=(--appendonly no); fi
    [ "$p" = "$r" ] && args+=(--replicaof 127.0.0.1 "$m")
    redis-server "${args[@]}" < /dev/null > /dev/null 2>&1 &
    EXTRA_PIDS+=($!)
    await_ping "$p" 30 || die "redis-server $p (4th group) did not start" 3
  done
}

report() {
  local checker_out="$DIR/checker.out"
  echo
  echo "=== chaos run: seed $SEED, $MINUTES min, mode $MODE, write-acks $WRITE_ACKS, $(nproc) cores"
  grep '^checker: ops' "$checker_out" || echo "checker: no summary (see $checker_out)"
  grep -E '^checker: (STALE|LOST|PHANTOM)' "$checker_out" | head -n 30 || true
  echo
  echo "faults (t = seconds since the checker started; healthy = kvstore-admin status ok again;"
  echo "        errors = client errors from the fault until the next one, and when the last one was):"
  awk -v t0="$T0" 'BEGIN { n = 0 }
    FNR == NR { ms[n] = $1; ok[n] = $2; err[n] = 0; last[n] = -1; line[n] = $0; n++; next }
    { for (i = n - 1; i >= 0 && $1 < ms[i]; i--) ;
      if (i >= 0 && $3 > 0) { err[i] += $3; if ($1 + 100 > last[i]) last[i] = $1 + 100 } }
    END {
      for (i = 0; i < n; i++) {
        split(line[i], f, "\t")
        printf "  t=%6.1fs  %-13s healthy after %6.1fs  errors %6d%s  %s\n", (ms[i] - t0) / 1000, f[3],
          (ok[i] - ms[i]) / 1000, err[i], (last[i] < 0 ? "                " : sprintf(" (last at +%5.1fs)", (last[i] - ms[i]) / 1000)), f[4]
      }
    }' "$DIR/faults.tsv" "$DIR/timeline.txt"
}

main() {
  parse_options "$@"
  for tool in redis-server redis-cli java timeout awk; do command -v "$tool" > /dev/null || die "$tool not found" 2; done
  local p
  local relay_ports=()
  [ "$NET" = 0 ] || relay_ports=($(seq $((BASE_PORT + 171)) $((BASE_PORT + 178))) $((BASE_PORT + 181)) $((BASE_PORT + 182)) $((BASE_PORT + 183)) "$CONTROL_PORT")
  for p in $BASE_PORT $((BASE_PORT + 1)) $((BASE_PORT + 2)) $ZK_PORT $(seq $((ZK_PORT + 1)) $((ZK_PORT + 8))) ${relay_ports[@]+"${relay_ports[@]}"}; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then die "port $p is in use: choose another --base-port" 2; fi
  done
  rm -rf "$DIR"
  mkdir -p "$DIR"
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  RANDOM="$SEED"
  say "kvstore from $DIST; logs in $DIR; seed $SEED, $MINUTES min, mode $MODE, write-acks $WRITE_ACKS"
  local extra=(--)
  [ "$WRITE_ACKS" = 0 ] || extra+=(--write-acks "$WRITE_ACKS")
  if [ "$NET" = 1 ]; then
    start_relay
    extra+=(--backend-via "$(backend_via)" --backend-stall-ms 2000)
  fi
  [ ${#extra[@]} -gt 1 ] || extra=()
  kvs start --dir "$DIR/cluster" --groups 3 --replicas 1 --proxies 3 --mode "$MODE" --cluster "$CLUSTER" \
    --base-port "$BASE_PORT" --threads "$THREADS" ${extra[@]+"${extra[@]}"} > "$DIR/start.log" 2>&1 ||
    { cat "$DIR/start.log"; die "kv_store.sh start failed" 3; }
  start_g4_servers
  await_healthy || die "the cluster is not healthy after start" 3
  if [ "$NET" = 1 ]; then
    proxies_via_zk_relays
    await_healthy || die "the cluster is not healthy after the proxies moved onto their ZooKeeper relays" 3
  fi

  java -Xmx256m -XX:+UseSerialGC -cp "$DIST/lib/*" io.kvstore.admin.chaos.ChaosChecker \
    --ports "$BASE_PORT,$((BASE_PORT + 1)),$((BASE_PORT + 2))" --stop-file "$DIR/stop" \
    --timeline "$DIR/timeline.txt" --max-seconds 7200 $([ "$MODE" = cache ] && echo --cache) \
    > "$DIR/checker.out" 2>&1 &
  CHECKER_PID=$!
  T0=$(now_ms)
  local end=$((T0 + $(awk -v m="$MINUTES" 'BEGIN { printf "%d", m * 60000 }'))) kind target start ok code=0
  sleep 5
  : > "$DIR/faults.tsv"
  while [ "$(now_ms)" -lt $((end - 10000)) ]; do
    kill -0 "$CHECKER_PID" 2>/dev/null || die "the checker died: $(tail -n 5 "$DIR/checker.out")" 3
    next_fault
    kind="$NEXT"
    target=$((1 + RANDOM % 3))
    FAULT_NOTE=""
    start=$(now_ms)
    say "fault: $kind ($target)"
    "fault_${kind//-/_}" "$target"
    if ! await_healthy; then code=3; fi
    ok=$(now_ms)
    printf '%s\t%s\t%s\t%s\n' "$start" "$ok" "$kind" "$FAULT_NOTE" >> "$DIR/faults.tsv"
    say "  $FAULT_NOTE; healthy after $(((ok - start) / 1000)) s"
    [ "$NET_FAILED" = 0 ] || { say "FAILED: $FAULT_NOTE"; code=1; }
    [ "$code" = 0 ] || break
    sleep $((3 + RANDOM % 5))
  done
  while [ "$code" = 0 ] && [ "$(now_ms)" -lt "$end" ]; do sleep 1; done
  touch "$DIR/stop"
  local i
  for ((i = 0; i < 1200; i++)); do kill -0 "$CHECKER_PID" 2>/dev/null || break; sleep 0.1; done
  wait "$CHECKER_PID" 2>/dev/null || true
  CHECKER_PID=""
  admin status "$CLUSTER" > "$DIR/status.end" 2>&1 || true
  report
  local stale lost phantom unverified
  read -r stale lost phantom unverified < <(awk '/^checker: ops/ {
    for (i = 2; i < NF; i++) v[$i] = $(i + 1); print v["stale"] + 0, v["lost"] + 0, v["phantom"] + 0, v["unverified"] + 0 }' "$DIR/checker.out")
  [ -n "${stale:-}" ] || die "no counts from the checker: $(tail -n 5 "$DIR/checker.out")" 3
  echo
  if [ "$stale" -gt 0 ] || [ "$phantom" -gt 0 ] || [ "$unverified" -gt 0 ]; then
    say "FAILED: $stale stale reads, $phantom values never written, $unverified keys not read back"; exit 1
  fi
  if [ "$WRITE_ACKS" = 1 ] && [ "$lost" -gt 0 ]; then say "FAILED: $lost acknowledged writes lost with --write-acks 1"; exit 1; fi
  [ "$NET_FAILED" = 0 ] || { say "FAILED: a network fault did not have its effect (above)"; exit 1; }
  [ "$code" = 0 ] || { say "FAILED: the cluster did not recover from a fault in ${HEALTHY_SECONDS}s"; exit 3; }
  say "passed ($lost acknowledged writes lost$([ "$WRITE_ACKS" = 1 ] || echo ', allowed without --write-acks'))"
}

main "$@"
