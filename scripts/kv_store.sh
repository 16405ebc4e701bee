#!/usr/bin/env bash
# kv_store.sh: run a local kvstore cluster: N redis-server shards and one proxy in front of them.
#
#   scripts/kv_store.sh start  [--groups N] [--base-port B] [--dir DIR] [--clean] [--threads T] [-- PROXY-OPTION...]
#   scripts/kv_store.sh stop   [--dir DIR]
#   scripts/kv_store.sh status [--dir DIR]
#
# start   N redis-servers (default 3) on ports B+101..B+100+N and the proxy on B (default B=7000:
#         shards 7101.., proxy 7000), each in DIR/<name>/ with its log; persistence (RDB, AOF) off.
#         Waits until each answers PING, then prints the endpoint. Refuses to start while a cluster
#         recorded in DIR is still running. --clean deletes what an earlier run left in DIR.
#         --threads and anything after -- go to bin/kvstore-proxy (see bin/kvstore-proxy --help).
# stop    stops exactly the processes start recorded in DIR/procs: TERM, then KILL after 10 s.
# status  one line per recorded process: running or dead. Exit 0 all running, 1 some dead, 3 none recorded.
#
# DIR defaults to run/ under the source tree or the unpacked tarball. Works from both: in the
# source tree it uses the newest dist/kvstore-*/bin that ./build.sh made; set KVSTORE_BIN to use
# another bin/ directory.
set -euo pipefail

# ---- where things are -----------------------------------------------------------------------

script_path() {
  local self="${BASH_SOURCE[0]}" dir
  while [ -L "$self" ]; do
    dir="$(cd -P "$(dirname "$self")" && pwd)"
    self="$(readlink "$self")"
    case "$self" in /*) ;; *) self="$dir/$self" ;; esac
  done
  echo "$(cd -P "$(dirname "$self")" && pwd)/$(basename "$self")"
}

SCRIPT="$(script_path)"
ROOT="$(cd "$(dirname "$SCRIPT")/.." && pwd)"   # the source tree or the unpacked tarball

STOP_WAIT_SECONDS=10
REDIS_START_SECONDS=10
PROXY_START_SECONDS=30

# Options (set by parse_options).
NUM_GROUPS=3
BASE_PORT=7000
DIR=""
CLEAN=0
THREADS=""
PROXY_ARGS=()

say() { echo "kv_store.sh: $*"; }
die() {
  echo "kv_store.sh: $*" >&2
  exit 1
}

usage() {
  sed -n '2,18s/^# \{0,1\}//p' "$SCRIPT"
}

# find_bin: the bin/ directory with kvstore-proxy, in $BIN.
find_bin() {
  if [ -n "${KVSTORE_BIN:-}" ]; then
    BIN="$KVSTORE_BIN"
  elif [ -x "$ROOT/bin/kvstore-proxy" ]; then
    BIN="$ROOT/bin"                                          # unpacked tarball
  else
    local newest
    newest="$(ls -td "$ROOT"/dist/kvstore-*/bin 2>/dev/null | head -n 1 || true)"
    [ -n "$newest" ] || die "no kvstore build found under $ROOT/dist: run ./build.sh first (in $ROOT)"
    BIN="$newest"                                            # source tree after ./build.sh
  fi
  [ -x "$BIN/kvstore-proxy" ] || die "$BIN/kvstore-proxy is missing or not executable"
}

need_redis() {
  local tool
  for tool in redis-server redis-cli; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "kv_store.sh: $tool not found. Install Redis first:" >&2
      echo "  Debian/Ubuntu: apt-get install -y redis-server   (as root, or with sudo)" >&2
      echo "  macOS:         brew install redis" >&2
      exit 1
    fi
  done
}

# ---- the process table: DIR/procs, one line per process: kind name port pid -------------------

procs_file() { echo "$DIR/procs"; }

record() {
  echo "$1 $2 $3 $4" >> "$(procs_file)"
}

# Set while start cleans up after a failure: the PIDs are this script's own children then, and
# one may still be between fork and exec, not yet showing the program's name.
TRUST_PIDS=0

# is_ours PID KIND: the process is alive and still the program we started (PIDs get reused).
is_ours() {
  local pid="$1" kind="$2" args
  kill -0 "$pid" 2>/dev/null || return 1
  [ "$TRUST_PIDS" = 0 ] || return 0
  if [ -r "/proc/$pid/cmdline" ]; then
    args="$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null || true)"
  else
    args="$(ps -o args= -p "$pid" 2>/dev/null || true)"
  fi
  case "$kind" in
    redis) [[ "$args" == *redis-server* ]] ;;
    proxy) [[ "$args" == *io.kvstore.proxy.server.ProxyMain* || "$args" == *kvstore-proxy* ]] ;;
    *) return 1 ;;
  esac
}

# any_running: true if a process recorded in DIR is still running.
any_running() {
  local kind name port pid
  [ -f "$(procs_file)" ] || return 1
  while read -r kind name port pid; do
    if is_ours "$pid" "$kind"; then return 0; fi
  done < "$(procs_file)"
  return 1
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# ---- starting --------------------------------------------------------------------------------

redis_port() { echo $((BASE_PORT + 100 + $1)); }   # shard i (1-based)

# start_redis NAME PORT: one redis-server in DIR/NAME, persistence off, in the background.
start_redis() {
  local name="$1" port="$2" home="$DIR/$1"
  mkdir -p "$home"
  nohup redis-server --port "$port" --bind 127.0.0.1 --dir "$home" \
    --save '' --appendonly no --daemonize no --logfile "$home/redis.log" \
    < /dev/null >> "$home/stdout.log" 2>&1 &
  record redis "$name" "$port" $!
}

# start_proxy NAME PORT BACKENDS: the proxy in DIR/NAME, logging to DIR/NAME/proxy.log.
start_proxy() {
  local name="$1" port="$2" backends="$3" home="$DIR/$1"
  local args=(--listen "127.0.0.1:$port" --backends "$backends")
  if [ -n "$THREADS" ]; then args+=(--threads "$THREADS"); fi
  mkdir -p "$home"
  if [ -f "$home/proxy.log" ]; then mv -f "$home/proxy.log" "$home/proxy.log.1"; fi   # keep one earlier run
  nohup "$BIN/kvstore-proxy" "${args[@]}" ${PROXY_ARGS[@]+"${PROXY_ARGS[@]}"} \
    < /dev/null > "$home/proxy.log" 2>&1 &
  record proxy "$name" "$port" $!
}

# log_of NAME: the log file to show when NAME fails.
log_of() {
  local f
  for f in "$DIR/$1/proxy.log" "$DIR/$1/redis.log" "$DIR/$1/stdout.log"; do
    if [ -s "$f" ]; then echo "$f"; return; fi
  done
  echo "$DIR/$1/"
}

# show_log NAME: the log, to stderr; the start and the end when it is long (a usage error is
# at the start, a crash at the end).
show_log() {
  local log lines
  log="$(log_of "$1")"
  [ -f "$log" ] || return 0
  echo "--- $log" >&2
  lines="$(wc -l < "$log")"
  if [ "$lines" -le 40 ]; then
    cat "$log" >&2
  else
    head -n 10 "$log" >&2
    echo "[... $((lines - 30)) lines ...]" >&2
    tail -n 20 "$log" >&2
  fi
  echo "---" >&2
}

# wait_ping NAME PORT PID SECONDS: until the port answers PONG; fails if the process exits
# or the time is up.
wait_ping() {
  local name="$1" port="$2" pid="$3" seconds="$4" deadline
  deadline=$(($(date +%s) + seconds))
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "kv_store.sh: $name (pid $pid, port $port) exited during start-up" >&2
      show_log "$name"
      return 1
    fi
    if [ "$(redis-cli -p "$port" ping 2>/dev/null || true)" = PONG ]; then
      return 0
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "kv_store.sh: $name (pid $pid) did not answer PING on port $port within ${seconds}s" >&2
      show_log "$name"
      return 1
    fi
    sleep 0.1
  done
}

# wait_routed PORT SECONDS: PING is answered by the proxy itself; this waits until a command
# that goes through to a redis-server gets a proper reply.
wait_routed() {
  local port="$1" seconds="$2" deadline reply
  deadline=$(($(date +%s) + seconds))
  while :; do
    reply="$(redis-cli -p "$port" exists kvstore:probe 2>&1 || true)"
    if [[ "$reply" =~ ^[0-9]+$ ]]; then return 0; fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "kv_store.sh: the proxy on port $port answers PING but not EXISTS within ${seconds}s: $reply" >&2
      return 1
    fi
    sleep 0.1
  done
}

# pid_of NAME: the recorded pid.
pid_of() {
  awk -v n="$1" '$2 == n { print $4 }' "$(procs_file)"
}

check_ports_free() {
  local port
  for port in "$@"; do
    if port_in_use "$port"; then
      die "port $port is already in use; pick other ports with --base-port (shards use B+101.., the proxy B)"
    fi
  done
}

# prepare_dir: DIR exists, holds no running cluster, and is cleaned if asked.
prepare_dir() {
  mkdir -p "$DIR"
  DIR="$(cd "$DIR" && pwd)"
  if any_running; then
    die "a cluster recorded in $DIR is still running (scripts/kv_store.sh status --dir $DIR); stop it first"
  fi
  if [ -f "$(procs_file)" ]; then
    say "note: $DIR/procs lists processes that are no longer running; forgetting them"
    rm -f "$(procs_file)"
  fi
  if [ "$CLEAN" = 1 ]; then
    rm -rf "$DIR"/redis-* "$DIR"/proxy-*
  fi
}

on_start_failure() {
  # Clean up whatever happens to stderr (a closed pipe must not stop the clean-up half-way).
  set +e
  trap '' PIPE
  TRUST_PIDS=1
  echo "kv_store.sh: start failed; stopping what was started" >&2
  stop_all >&2 || true
}

cmd_start() {
  need_redis
  find_bin
  [[ "$NUM_GROUPS" =~ ^[0-9]+$ ]] && [ "$NUM_GROUPS" -ge 1 ] && [ "$NUM_GROUPS" -le 99 ] ||
    die "--groups must be 1..99, not '$NUM_GROUPS'"
  [[ "$BASE_PORT" =~ ^[0-9]+$ ]] && [ "$BASE_PORT" -ge 1 ] && [ "$BASE_PORT" -le 65400 ] ||
    die "--base-port must be 1..65400, not '$BASE_PORT'"
  prepare_dir

  local i ports=("$BASE_PORT") backends=""
  for ((i = 1; i <= NUM_GROUPS; i++)); do ports+=("$(redis_port "$i")"); done
  check_ports_free "${ports[@]}"

  trap on_start_failure EXIT
  trap 'exit 130' INT TERM
  local port name
  for ((i = 1; i <= NUM_GROUPS; i++)); do
    port="$(redis_port "$i")"
    start_redis "redis-$port" "$port"
    backends="${backends:+$backends,}127.0.0.1:$port"
  done
  for ((i = 1; i <= NUM_GROUPS; i++)); do
    port="$(redis_port "$i")"
    name="redis-$port"
    wait_ping "$name" "$port" "$(pid_of "$name")" "$REDIS_START_SECONDS"
  done
  name="proxy-$BASE_PORT"
  start_proxy "$name" "$BASE_PORT" "$backends"
  wait_ping "$name" "$BASE_PORT" "$(pid_of "$name")" "$PROXY_START_SECONDS"
  wait_routed "$BASE_PORT" "$PROXY_START_SECONDS"
  trap - EXIT

  say "started $NUM_GROUPS redis-server shards ($backends) and the proxy ($BIN/kvstore-proxy)"
  say "logs and data in $DIR"
  echo "kvstore is up: 127.0.0.1:$BASE_PORT   try: redis-cli -p $BASE_PORT set hello world"
  echo "stop it with:  $SCRIPT stop --dir $DIR"
}

# ---- stopping and status ---------------------------------------------------------------------

# stop_all: TERM every recorded process that is still ours, wait, KILL what is left.
stop_all() {
  local file kind name port pid deadline left
  file="$(procs_file)"
  [ -f "$file" ] || return 0
  local pids=() kinds=() names=()
  while read -r kind name port pid; do
    pids+=("$pid"); kinds+=("$kind"); names+=("$name")
  done < "$file"

  # Proxies first (recorded last), so clients see the proxy go rather than errors from shards.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    if is_ours "${pids[i]}" "${kinds[i]}"; then
      kill -TERM "${pids[i]}" 2>/dev/null || true
    fi
  done
  deadline=$(($(date +%s) + STOP_WAIT_SECONDS))
  while :; do
    left=0
    for ((i = 0; i < ${#pids[@]}; i++)); do
      if is_ours "${pids[i]}" "${kinds[i]}"; then left=1; fi
    done
    [ "$left" = 1 ] && [ "$(date +%s)" -lt "$deadline" ] || break
    sleep 0.1
  done
  for ((i = 0; i < ${#pids[@]}; i++)); do
    if is_ours "${pids[i]}" "${kinds[i]}"; then
      echo "kv_store.sh: ${names[i]} (pid ${pids[i]}) ignored TERM for ${STOP_WAIT_SECONDS}s; killing it" >&2
      kill -KILL "${pids[i]}" 2>/dev/null || true
    fi
  done
  for ((i = 0; i < ${#pids[@]}; i++)); do
    # Reap our own children (only when stop runs inside start's failure path); others are gone already.
    wait "${pids[i]}" 2>/dev/null || true
  done
  rm -f "$file"
  echo "stopped ${#pids[@]} processes recorded in $DIR"
}

cmd_stop() {
  if [ ! -d "$DIR" ] || [ ! -f "$DIR/procs" ]; then
    say "nothing recorded in $DIR; nothing to stop"
    return 0
  fi
  DIR="$(cd "$DIR" && pwd)"
  stop_all
}

cmd_status() {
  if [ ! -f "$DIR/procs" ]; then
    say "no cluster recorded in $DIR"
    return 3
  fi
  local kind name port pid state dead=0
  printf '%-6s %-12s %-6s %-8s %s\n' KIND NAME PORT PID STATE
  while read -r kind name port pid; do
    if is_ours "$pid" "$kind"; then state=running; else state=dead; dead=1; fi
    printf '%-6s %-12s %-6s %-8s %s\n' "$kind" "$name" "$port" "$pid" "$state"
  done < "$DIR/procs"
  return "$dead"
}

# ---- command line ----------------------------------------------------------------------------

parse_options() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --groups) NUM_GROUPS="${2:?--groups needs a number}"; shift 2 ;;
      --groups=*) NUM_GROUPS="${1#*=}"; shift ;;
      --base-port) BASE_PORT="${2:?--base-port needs a port}"; shift 2 ;;
      --base-port=*) BASE_PORT="${1#*=}"; shift ;;
      --dir) DIR="${2:?--dir needs a directory}"; shift 2 ;;
      --dir=*) DIR="${1#*=}"; shift ;;
      --threads) THREADS="${2:?--threads needs a number}"; shift 2 ;;
      --threads=*) THREADS="${1#*=}"; shift ;;
      --clean) CLEAN=1; shift ;;
      -h|--help) usage; exit 0 ;;
      --) shift; PROXY_ARGS=("$@"); break ;;
      *) echo "kv_store.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    esac
  done
  DIR="${DIR:-$ROOT/run}"
}

main() {
  local command="${1:-}"
  [ $# -gt 0 ] && shift
  case "$command" in
    start) parse_options "$@"; cmd_start ;;
    stop) parse_options "$@"; cmd_stop ;;
    status) parse_options "$@"; cmd_status ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
