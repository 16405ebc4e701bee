#!/usr/bin/env bash
# bench.sh: compare kvstore with a redis-server alone and with twemproxy, in one run, by
# throughput, latency and CPU per request.
#
#   scripts/bench.sh [--quick | --syscalls] [--threads T] [--n-p1 N] [--n-p16 N] [--clients C] [--keyspace K]
#                    [--rounds R] [--warmup N] [--base-port B] [--dir DIR] [--no-twemproxy]
#                    [--no-resp3] [--proxy-args "ARGS"] [--tls [--tls-engine auto|openssl|jdk]]
#                    [--variant "ARGS"] [--only GROUP,...]
#
# Starts 3 redis-server shards and kvstore over them (kv_store.sh --static; shards on B+101..B+103,
# kvstore on B, default B=17000) and twemproxy (nutcracker) over the same shards on B+1. Targets:
#   direct     the first shard itself, no proxy
#   kvstore    the kvstore proxy, --threads T worker threads (default 2)
#   twemproxy  nutcracker: hash fnv1a_64, distribution ketama, server_connections 1
#   kvstoreB   with --variant "ARGS": a second kvstore proxy on B+3 over the same shards, started
#              with the first one's command line and ARGS on top (an ARGS option replaces the
#              first's, e.g. "--threads 1" or "--busy-poll-us 50"); measured right after kvstore in
#              every round, and the report adds its CPU per request over kvstore's, per round and
#              the median: an A/B of a proxy option with the machine's drift on both sides alike
#   direct3, kvstore3  the same first shard and kvstore with redis-benchmark -3 (RESP3 clients;
#              twemproxy speaks RESP2 only), on the set/get rows; --no-resp3 leaves them out
# Rows (redis-benchmark, one test per run, -c C unless said; the shards are flushed before each
# group of rows, and a group runs on one target before the next target gets it):
#   set/P1 get/P1      -t set, -t get -r K -n N  (N = --n-p1, default 120000)
#   set/P16 get/P16    the same at -P 16, N = --n-p16 (default 300000)
#   mset10/P1          -t mset (10 keys, split over the groups by the proxies), -r 10000, N/4
#   mget10/P1          MGET of 10 keys written by mset10, N/4
#   get-c1000/P1       GET with 1000 clients, N/2
#   set-1k/P1 get-1k/P1    values of 1 KB, -r 10000, N/4
#   set-16k/P1 get-16k/P1  values of 16 KB, -r 2000, N/4
#   lrange100/P1       LRANGE of a 100-element list, N/4
#   pubsub100          1 publisher, 100 subscribers of one channel (scripts/lib/PubSubBench.java;
#                      one message at a time, the next once all got it); a request is one
#                      delivery; N/80 messages; direct and kvstore only (twemproxy has no
#                      pub/sub), not with --tls
# --only GROUP,...: only these groups of rows (p1 p16 multi 1k 16k lrange pubsub), e.g. for an A/B.
# --quick: the rows set/P1, get/P1, set/P16, get/P16, mset10, mget10, set-1k, get-1k and pubsub100,
# one round, N halved: about 2 minutes. The full run: 3 rounds, under 10 minutes on 2 cores
# shared with other work (load average 20), less on a quiet machine.
# --syscalls: instead, system calls per request of kvstore (and kvstoreB), twemproxy and a redis-server (direct)
# at -P 1 and -P 16 (GET, N/4 requests), counted with perf (all threads, no slow-down) and with
# strace -c -f (per call name), and the user and system CPU per request; see
# scripts/lib/bench-syscalls.sh. Needs strace; not with --tls.
# Each target gets a short warm-up first (--warmup requests of SET, GET, MSET and LRANGE each,
# default 100000, at -P 16, for kvstore's JVM, a tenth for the others: it lets the JVM compile the
# hot path, whose compilation would otherwise count as the proxy's CPU in the first rounds). Each figure is the median of --rounds
# runs (default 3).
# Prints per row and target requests/s, p50/p99/p99.9 latency, and the CPU microseconds per
# request of the proxy process (kvstore's JVM, nutcracker) and of the 3 shards together, read
# from /proc/PID/stat around each run (independent of the load on the machine, unlike
# requests/s); then the ratios kvstore/direct, kvstore/twemproxy, and kvstore's CPU per request
# over a redis-server's own (direct's shard CPU per request). Writes the same to
# DIR/bench-results.txt (DIR defaults to run/bench/). Stops everything it started, also on error.
# Extra JVM options for the proxy: KVSTORE_JAVA_OPTS. Extra proxy options: --proxy-args, one string
# split on spaces (e.g. "--no-latency-tracking" or "--metrics-listen 127.0.0.1:17090").
# --tls: the same over TLS (kv_store.sh --tls: the shards on tls-port only, kvstore's TLS listener,
# TLS from kvstore to the shards, redis-benchmark --tls with the client certificate); direct is
# then redis-server's own TLS. No twemproxy (it has no TLS). --tls-engine picks kvstore's TLS
# implementation (default auto: BoringSSL when netty-tcnative loads); run twice to compare.
set -euo pipefail

SCRIPTS="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPTS/.." && pwd)"
KV_STORE="$SCRIPTS/kv_store.sh"
# shellcheck source=lib/bench-run.sh
. "$SCRIPTS/lib/bench-run.sh"
# shellcheck source=lib/bench-syscalls.sh
. "$SCRIPTS/lib/bench-syscalls.sh"

THREADS=2
N_P1=120000
N_P16=300000
CLIENTS=50
KEYSPACE=1000000
ROUNDS=3
WARMUP=100000
BASE_PORT=17000
DIR=""
TWEMPROXY=1
RESP3=1
PROXY_ARGS=""
VARIANT=""        # --variant: the extra proxy options of target kvstoreB
VARIANT_PID=""
ONLY=""           # --only: the groups to run, comma-separated
RUN_TIMEOUT=600   # seconds for one redis-benchmark run
TLS=0
QUICK=0
SYSCALLS=0
TLS_ENGINE=auto
TLS_ARGS=()       # redis-cli's and redis-benchmark's TLS options, once the cluster is up

STARTED_CLUSTER=0
NUTCRACKER_PID=""

say() { echo "bench.sh: $*"; }
die() {
  echo "bench.sh: $*" >&2
  exit 1
}

usage() {
  # The comment block at the top, whatever its length.
  awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "${BASH_SOURCE[0]}"
}

parse_options() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --quick) QUICK=1; shift ;;
      --syscalls) SYSCALLS=1; shift ;;
      --threads) THREADS="${2:?}"; shift 2 ;;
      --n-p1) N_P1="${2:?}"; shift 2 ;;
      --n-p16) N_P16="${2:?}"; shift 2 ;;
      --clients) CLIENTS="${2:?}"; shift 2 ;;
      --keyspace) KEYSPACE="${2:?}"; shift 2 ;;
      --rounds) ROUNDS="${2:?}"; shift 2 ;;
      --warmup) WARMUP="${2:?}"; shift 2 ;;
      --base-port) BASE_PORT="${2:?}"; shift 2 ;;
      --dir) DIR="${2:?}"; shift 2 ;;
      --no-twemproxy) TWEMPROXY=0; shift ;;
      --no-resp3) RESP3=0; shift ;;
      --proxy-args) PROXY_ARGS="${2?}"; shift 2 ;;
      --variant) VARIANT="${2:?}"; shift 2 ;;
      --only) ONLY="${2:?}"; shift 2 ;;
      --tls) TLS=1; shift ;;
      --tls-engine) TLS=1; TLS_ENGINE="${2:?}"; shift 2 ;;
      -h|--help) usage; exit 0 ;;
      *) echo "bench.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    esac
  done
  local v
  for v in "$THREADS" "$N_P1" "$N_P16" "$CLIENTS" "$KEYSPACE" "$ROUNDS" "$WARMUP" "$BASE_PORT"; do
    [[ "$v" =~ ^[0-9]+$ ]] || die "expected a number, got '$v'"
  done
  [ "$ROUNDS" -ge 1 ] || die "--rounds must be at least 1"
  for v in ${ONLY//,/ }; do
    case " p1 p16 multi 1k 16k lrange pubsub " in *" $v "*) ;; *) die "--only: unknown group '$v'" ;; esac
  done
  if [ "$QUICK" = 1 ]; then
    ROUNDS=1; N_P1=$((N_P1 / 2)); N_P16=$((N_P16 / 2)); WARMUP=$((WARMUP / 2))
  fi
  DIR="${DIR:-$ROOT/run/bench}"
}

need_tools() {
  local tool
  for tool in redis-server redis-cli redis-benchmark; do
    command -v "$tool" >/dev/null 2>&1 ||
      die "$tool not found; install it with: apt-get install -y redis-server redis-tools"
  done
  if [ "$TLS" = 1 ]; then TWEMPROXY=0; fi
  if [ "$TWEMPROXY" = 1 ] && ! command -v nutcracker >/dev/null 2>&1; then
    say "nutcracker (twemproxy) not found, measuring without it; install it with: apt-get install -y nutcracker"
    TWEMPROXY=0
  fi
}

shard_port() { echo $((BASE_PORT + 100 + $1)); }
kvstore_port() { echo "$BASE_PORT"; }
twemproxy_port() { echo $((BASE_PORT + 1)); }
twemproxy_stats_port() { echo $((BASE_PORT + 2)); }
variant_port() { echo $((BASE_PORT + 3)); }

# ---- starting and stopping -------------------------------------------------------------------

start_kvstore() {
  # shellcheck disable=SC2086 # PROXY_ARGS is split into words on purpose
  if [ "$TLS" = 1 ]; then
    "$KV_STORE" start --static --tls --dir "$DIR/cluster" --base-port "$BASE_PORT" --groups 3 --threads "$THREADS" --clean \
      -- --tls-engine "$TLS_ENGINE" $PROXY_ARGS
    local t="$DIR/cluster/tls"
    TLS_ARGS=(--tls --cacert "$t/ca.crt" --cert "$t/client.crt" --key "$t/client.key")
  else
    "$KV_STORE" start --static --dir "$DIR/cluster" --base-port "$BASE_PORT" --groups 3 --threads "$THREADS" --clean \
      -- $PROXY_ARGS
  fi
  STARTED_CLUSTER=1
}

write_twemproxy_conf() {
  local conf="$1" i
  {
    echo "kvstore_bench:"
    echo "  listen: 127.0.0.1:$(twemproxy_port)"
    echo "  redis: true"
    echo "  hash: fnv1a_64"
    echo "  distribution: ketama"
    echo "  server_connections: 1"
    echo "  auto_eject_hosts: false"
    echo "  servers:"
    for i in 1 2 3; do echo "    - 127.0.0.1:$(shard_port "$i"):1"; done
  } > "$conf"
}

start_twemproxy() {
  local home="$DIR/twemproxy" i
  mkdir -p "$home"
  write_twemproxy_conf "$home/nutcracker.yml"
  nutcracker --test-conf --conf-file "$home/nutcracker.yml" > "$home/test-conf.log" 2>&1 ||
    die "nutcracker rejects $home/nutcracker.yml: $(cat "$home/test-conf.log")"
  nutcracker --conf-file "$home/nutcracker.yml" --stats-port "$(twemproxy_stats_port)" \
    --stats-addr 127.0.0.1 --output "$home/nutcracker.log" < /dev/null > /dev/null 2>&1 &
  NUTCRACKER_PID=$!
  await_pong "$(twemproxy_port)" "$NUTCRACKER_PID" 10 nutcracker "$home/nutcracker.log"
}

# await_pong PORT PID SECONDS NAME LOG: returns once PORT answers PING; dies if PID exits first
# or SECONDS pass, naming LOG.
await_pong() {
  local port="$1" pid="$2" seconds="$3" name="$4" log="$5" i
  for i in $(seq 1 $((seconds * 10))); do
    if [ "$(redis-cli -p "$port" ping 2>/dev/null || true)" = PONG ]; then return 0; fi
    kill -0 "$pid" 2>/dev/null || die "$name exited; see $log"
    sleep 0.1
  done
  die "$name did not answer PING on port $port within ${seconds}s; see $log"
}

# start_variant: target kvstoreB, the kvstore proxy's own command line (JVM options, jars, backends)
# listening on B+3, without its metrics listener, with --variant's options replacing its own.
start_variant() {
  local pid a skip=0 args=() cmd=()
  # shellcheck disable=SC2206 # VARIANT is split into words on purpose
  local extra=($VARIANT)
  pid="$(proxy_pid kvstore)"
  mapfile -d '' args < "/proc/$pid/cmdline"
  for a in "${args[@]}"; do
    if [ "$skip" = 1 ]; then skip=0; continue; fi
    case "$a" in
      --listen) cmd+=(--listen "127.0.0.1:$(variant_port)"); skip=1; continue ;;
      --metrics-listen) skip=1; continue ;;
    esac
    if [[ "$a" == --* ]] && [[ " ${extra[*]} " == *" $a "* ]]; then skip=1; continue; fi
    cmd+=("$a")
  done
  nohup "${cmd[@]}" "${extra[@]}" < /dev/null > "$DIR/variant.log" 2>&1 &
  VARIANT_PID=$!
  await_pong "$(variant_port)" "$VARIANT_PID" 30 "the --variant proxy" "$DIR/variant.log"
}

stop_everything() {
  if [ -n "$VARIANT_PID" ]; then
    kill -TERM "$VARIANT_PID" 2>/dev/null || true
    wait "$VARIANT_PID" 2>/dev/null || true
    VARIANT_PID=""
  fi
  if [ -n "$NUTCRACKER_PID" ]; then
    kill -TERM "$NUTCRACKER_PID" 2>/dev/null || true
    wait "$NUTCRACKER_PID" 2>/dev/null || true
    NUTCRACKER_PID=""
  fi
  if [ "$STARTED_CLUSTER" = 1 ]; then
    "$KV_STORE" stop --dir "$DIR/cluster" > /dev/null || true
    STARTED_CLUSTER=0
  fi
}

# ---- measuring -------------------------------------------------------------------------------

flush_shards() {
  local i
  for i in 1 2 3; do redis-cli ${TLS_ARGS[@]+"${TLS_ARGS[@]}"} -p "$(shard_port "$i")" flushall > /dev/null; done
}

target_port() {
  case "$1" in
    direct | direct3) shard_port 1 ;;
    kvstore | kvstore3) kvstore_port ;;
    kvstoreB) variant_port ;;
    twemproxy) twemproxy_port ;;
  esac
}

# proxy_pid TARGET: the proxy process whose CPU a run of TARGET costs; nothing for direct.
proxy_pid() {
  case "$1" in
    kvstore | kvstore3) awk '$1 == "proxy" { print $4; exit }' "$DIR/cluster/procs" ;;
    kvstoreB) echo "$VARIANT_PID" ;;
    twemproxy) echo "$NUTCRACKER_PID" ;;
  esac
}

shard_pids() {
  awk '$1 == "redis" { print $4 }' "$DIR/cluster/procs"
}

# resp_flag TARGET: redis-benchmark's option for the RESP3 targets.
resp_flag() {
  case "$1" in *3) echo "-3" ;; esac
}

# groups: the groups of rows, each run back to back on one target after a flush.
groups() {
  if [ -n "$ONLY" ]; then
    echo "${ONLY//,/ }"
    return 0
  fi
  if [ "$QUICK" = 1 ]; then
    echo p1 p16 multi 1k
  else
    echo p1 p16 multi 1k 16k lrange
  fi
  if [ "$TLS" = 0 ]; then echo pubsub; fi
}

# group_targets GROUP
group_targets() {
  echo direct kvstore
  if [ -n "$VARIANT" ]; then echo kvstoreB; fi
  if [ "$TWEMPROXY" = 1 ] && [ "$1" != pubsub ]; then echo twemproxy; fi
  case "$1" in p1 | p16) if [ "$RESP3" = 1 ]; then echo direct3 kvstore3; fi ;; esac
}

# run_group GROUP TARGET: the rows of GROUP against TARGET, on freshly flushed shards.
run_group() {
  local t="$2" q=$((N_P1 / 4)) mget=(MGET) i
  for i in 1 2 3 4 5 6 7 8 9 10; do mget+=("key:__rand_int__"); done
  flush_shards
  case "$1" in
    p1)
      bench_row set/P1 "$t" "$N_P1" 1 -r "$KEYSPACE" -t set
      bench_row get/P1 "$t" "$N_P1" 1 -r "$KEYSPACE" -t get ;;
    p16)
      bench_row set/P16 "$t" "$N_P16" 16 -r "$KEYSPACE" -t set
      bench_row get/P16 "$t" "$N_P16" 16 -r "$KEYSPACE" -t get ;;
    multi)
      bench_row mset10/P1 "$t" "$q" 1 -r 10000 -t mset
      bench_row mget10/P1 "$t" "$q" 1 -r 10000 "${mget[@]}"
      if [ "$QUICK" = 0 ]; then bench_row get-c1000/P1 "$t" $((N_P1 / 2)) 1 -r 10000 -c 1000 -t get; fi ;;
    1k)
      bench_row set-1k/P1 "$t" "$q" 1 -r 10000 -d 1024 -t set
      bench_row get-1k/P1 "$t" "$q" 1 -r 10000 -t get ;;
    16k)
      bench_row set-16k/P1 "$t" "$q" 1 -r 2000 -d 16384 -t set
      bench_row get-16k/P1 "$t" "$q" 1 -r 2000 -t get ;;
    lrange)
      # shellcheck disable=SC2046 # 100 words
      redis-cli ${TLS_ARGS[@]+"${TLS_ARGS[@]}"} -p "$(target_port "$t")" rpush mylist $(printf 'xxx %.0s' $(seq 100)) > /dev/null
      bench_row lrange100/P1 "$t" "$q" 1 LRANGE mylist 0 99 ;;
    pubsub)
      pubsub_row pubsub100 "$t" 100 $((N_P1 / 80)) ;;
  esac
}

warm_up() {
  local target="$1"
  # redis-benchmark retries a refused connection for ever: check that the target is there first.
  [ "$(redis-cli ${TLS_ARGS[@]+"${TLS_ARGS[@]}"} -p "$(target_port "$target")" ping 2>/dev/null || true)" = PONG ] ||
    die "$target (port $(target_port "$target")) does not answer PING; see $DIR/cluster/*/ for its log"
  local n="$WARMUP"
  # Only the JVM compiles its hot path as it runs: the others get a tenth, enough to touch every code path.
  case "$target" in kvstore*) ;; *) n=$((WARMUP / 10)) ;; esac
  [ "$n" -gt 0 ] || return 0
  # shellcheck disable=SC2046
  # MSET and LRANGE too: the proxy's JIT compiler then does not run (and count as the proxy's CPU)
  # during the first measured run of the split and array-reply paths.
  timeout "$RUN_TIMEOUT" redis-benchmark ${TLS_ARGS[@]+"${TLS_ARGS[@]}"} -h 127.0.0.1 -p "$(target_port "$target")" $(resp_flag "$target") \
    -t set,get,mset,lrange_100 -c "$CLIENTS" -r "$KEYSPACE" -n "$n" -P 16 -q > /dev/null 2>&1 ||
    die "warm-up against $target failed"
}

measure() {
  local round group target
  for target in $(group_targets p1); do
    say "warming up $target"
    warm_up "$target"
  done
  for ((round = 1; round <= ROUNDS; round++)); do
    for group in $(groups); do
      # Targets interleaved within each round, so drift on the machine hits all of them alike.
      for target in $(group_targets "$group"); do
        say "round $round/$ROUNDS: $group on $target"
        run_group "$group" "$target"
      done
    done
  done
}

# ---- reporting -------------------------------------------------------------------------------

report() {
  awk -v rounds="$ROUNDS" -v variant="$VARIANT" -f "$SCRIPTS/lib/bench-report.awk" "$RAW"
}

environment() {
  echo "kvstore benchmark, $(date '+%Y-%m-%d %H:%M:%S %z'), $(uname -sr), $(nproc 2>/dev/null || echo '?') cores"
  echo "$(redis-server --version | cut -d' ' -f1-3)$([ "$TWEMPROXY" = 1 ] && echo ", $(nutcracker --version 2>&1 | head -n 1)")"
  echo "java: $(java -version 2>&1 | head -n 1); kvstore threads: $THREADS; KVSTORE_JAVA_OPTS: ${KVSTORE_JAVA_OPTS:-(none)}"
  echo "kvstore options: ${PROXY_ARGS:-(none)}"
  if [ -n "$VARIANT" ]; then echo "kvstoreB: kvstore's options and $VARIANT (port $(variant_port))"; fi
  echo "redis-benchmark -c $CLIENTS; set/get -r $KEYSPACE; -n $N_P1 at -P 1 (other rows: see --help), -n $N_P16 at -P 16; warm-up $WARMUP; rounds $ROUNDS$([ "$QUICK" = 1 ] && echo ' (--quick)')"
  echo "CPU us per request: utime+stime from /proc/PID/stat around each run (${CLK_TCK} ticks/s), over the requests of the run"
  echo "direct: the first shard (port $(shard_port 1)); kvstore: port $(kvstore_port); twemproxy: port $(twemproxy_port)"
  if [ "$RESP3" = 1 ]; then echo "direct3, kvstore3: the same with redis-benchmark -3 (RESP3)"; fi
  if [ "$TLS" = 1 ]; then
    echo "TLS everywhere (TLSv1.3, EC P-256 certificates); kvstore's engine: $(grep -ho 'TLS with [^;]*' "$DIR"/cluster/proxy-*/proxy.log | head -n 1)"
  fi
  echo "all on this machine: benchmark client, proxies and 3 shards share its cores"
}

main() {
  parse_options "$@"
  need_tools
  mkdir -p "$DIR"
  DIR="$(cd "$DIR" && pwd)"
  RAW="$DIR/raw.txt"
  : > "$RAW"
  trap stop_everything EXIT
  trap 'exit 130' INT TERM

  start_kvstore
  if [ "$TWEMPROXY" = 1 ]; then start_twemproxy; fi
  if [ -n "$VARIANT" ]; then start_variant; fi
  if [ "$SYSCALLS" = 1 ]; then
    measure_syscalls
    return 0
  fi
  measure

  local results="$DIR/bench-results.txt"
  { environment; echo; report; echo; echo "wall time: $((SECONDS / 60)) min $((SECONDS % 60)) s"; } > "$results"
  echo
  cat "$results"
  echo
  say "written to $results"
}

main "$@"
