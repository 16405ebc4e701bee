#!/usr/bin/env bash
# bench.sh: compare kvstore with a redis-server alone and with twemproxy, in one run.
#
#   scripts/bench.sh [--threads T] [--n-p1 N] [--n-p16 N] [--clients C] [--keyspace K] [--rounds R]
#                    [--warmup N] [--base-port B] [--dir DIR] [--no-twemproxy] [--no-resp3]
#                    [--proxy-args "ARGS"]
#                    [--tls [--tls-engine auto|openssl|jdk]]
#
# Starts 3 redis-server shards and kvstore over them (kv_store.sh --static; shards on B+101..B+103,
# kvstore on B, default B=17000) and twemproxy (nutcracker) over the same shards on B+1. Then runs
#   redis-benchmark -t set,get -c C -r K -n N -P P
# at -P 1 (N = --n-p1, default 200000) and -P 16 (N = --n-p16, default 500000) against:
#   direct     the first shard itself, no proxy
#   kvstore    the kvstore proxy, --threads T worker threads (default 2)
#   twemproxy  nutcracker: hash fnv1a_64, distribution ketama, server_connections 1
#   direct3, kvstore3  the same first shard and kvstore with redis-benchmark -3 (RESP3 clients;
#              twemproxy speaks RESP2 only); --no-resp3 leaves them out
# Each target gets a short warm-up first (--warmup requests, default 100000, at -P 16; it also
# lets the JVM compile the hot path), and the shards are flushed before each measured run.
# Each number is the median of --rounds runs (default 3). Prints requests/s and p99 latency per
# target, and the ratios kvstore/direct and kvstore/twemproxy; writes the same to
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

THREADS=2
N_P1=200000
N_P16=500000
CLIENTS=50
KEYSPACE=1000000
ROUNDS=3
WARMUP=100000
BASE_PORT=17000
DIR=""
TWEMPROXY=1
RESP3=1
PROXY_ARGS=""
RUN_TIMEOUT=600   # seconds for one redis-benchmark run
TLS=0
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
  sed -n '2,30s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

parse_options() {
  while [ $# -gt 0 ]; do
    case "$1" in
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
  for i in $(seq 1 100); do
    if [ "$(redis-cli -p "$(twemproxy_port)" ping 2>/dev/null || true)" = PONG ]; then return 0; fi
    kill -0 "$NUTCRACKER_PID" 2>/dev/null || die "nutcracker exited; see $home/nutcracker.log"
    sleep 0.1
  done
  die "nutcracker did not answer PING on port $(twemproxy_port) within 10s"
}

stop_everything() {
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
    twemproxy) twemproxy_port ;;
  esac
}

targets() {
  echo direct kvstore
  if [ "$TWEMPROXY" = 1 ]; then echo twemproxy; fi
  if [ "$RESP3" = 1 ]; then echo direct3 kvstore3; fi
}

# resp_flag TARGET: redis-benchmark's option for the RESP3 targets.
resp_flag() {
  case "$1" in *3) echo "-3" ;; esac
}

# bench_once TARGET PIPELINE N: one redis-benchmark run; appends "target P test rps p99" lines to
# $RAW. Any error from the server or the tool fails the whole benchmark.
bench_once() {
  local target="$1" pipeline="$2" n="$3" port out err
  port="$(target_port "$target")"
  out="$DIR/last.csv"
  err="$DIR/last.err"
  # shellcheck disable=SC2046 # resp_flag prints nothing or one word
  if ! timeout "$RUN_TIMEOUT" redis-benchmark ${TLS_ARGS[@]+"${TLS_ARGS[@]}"} -h 127.0.0.1 -p "$port" $(resp_flag "$target") -t set,get -c "$CLIENTS" \
      -r "$KEYSPACE" -n "$n" -P "$pipeline" --csv > "$out" 2> "$err"; then
    die "redis-benchmark against $target (port $port, -P $pipeline) failed: $(tail -n 5 "$err")"
  fi
  if grep -qi error "$out" "$err"; then
    die "redis-benchmark against $target (port $port, -P $pipeline) saw errors: $(grep -hi error "$out" "$err" | head -n 3)"
  fi
  # CSV: "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  tr -d '"' < "$out" | awk -F, -v t="$target" -v p="$pipeline" \
    '$1 == "SET" || $1 == "GET" { print t, p, $1, $2, $7 }' >> "$RAW"
}

warm_up() {
  local target="$1"
  [ "$WARMUP" -gt 0 ] || return 0
  # shellcheck disable=SC2046
  timeout "$RUN_TIMEOUT" redis-benchmark ${TLS_ARGS[@]+"${TLS_ARGS[@]}"} -h 127.0.0.1 -p "$(target_port "$target")" $(resp_flag "$target") -t set,get \
    -c "$CLIENTS" -r "$KEYSPACE" -n "$WARMUP" -P 16 -q > /dev/null 2>&1 ||
    die "warm-up against $target failed"
}

measure() {
  local round target pipeline n
  for target in $(targets); do
    say "warming up $target"
    warm_up "$target"
  done
  for ((round = 1; round <= ROUNDS; round++)); do
    for pipeline in 1 16; do
      if [ "$pipeline" = 1 ]; then n="$N_P1"; else n="$N_P16"; fi
      # Targets interleaved within each round, so drift on the machine hits all of them alike.
      for target in $(targets); do
        say "round $round/$ROUNDS: $target -P $pipeline -n $n"
        flush_shards
        bench_once "$target" "$pipeline" "$n"
      done
    done
  done
}

# ---- reporting -------------------------------------------------------------------------------

# report: medians per target, pipeline and test, then the ratios.
report() {
  awk -v rounds="$ROUNDS" '
    function median(list,   n, a, i, j, t) {
      n = split(list, a, " ")
      for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    {
      k = $1 SUBSEP $2 SUBSEP $3
      rps[k] = rps[k] " " $4; p99[k] = p99[k] " " $5
      if (!($1 in seen)) { seen[$1] = 1; order[++nt] = $1 }
    }
    END {
      printf "%-10s %-3s %12s %12s %10s %10s\n", "target", "P", "SET req/s", "GET req/s", "SET p99ms", "GET p99ms"
      for (p = 1; p <= 16; p += 15)
        for (i = 1; i <= nt; i++) {
          t = order[i]
          s = t SUBSEP p SUBSEP "SET"; g = t SUBSEP p SUBSEP "GET"
          if (!(s in rps)) continue
          R[s] = median(rps[s]); R[g] = median(rps[g])
          printf "%-10s %-3s %12.0f %12.0f %10.3f %10.3f\n", t, p, R[s], R[g], median(p99[s]), median(p99[g])
        }
      print ""
      printf "%-22s %-3s %8s %8s\n", "ratio", "P", "SET", "GET"
      for (p = 1; p <= 16; p += 15)
        for (i = 1; i <= 3; i++) {
          base = i == 1 ? "direct" : i == 2 ? "twemproxy" : "direct3"
          kv = i == 3 ? "kvstore3" : "kvstore"
          s = base SUBSEP p SUBSEP "SET"; g = base SUBSEP p SUBSEP "GET"
          ks = kv SUBSEP p SUBSEP "SET"; kg = kv SUBSEP p SUBSEP "GET"
          if (!(s in R) || !(ks in R)) continue
          printf "%-22s %-3s %8.2f %8.2f\n", kv "/" base, p, R[ks] / R[s], R[kg] / R[g]
        }
      if (rounds > 1) printf "\n(medians of %d rounds)\n", rounds
    }' "$RAW"
}

environment() {
  echo "kvstore benchmark, $(date '+%Y-%m-%d %H:%M:%S %z'), $(uname -sr), $(nproc 2>/dev/null || echo '?') cores"
  echo "$(redis-server --version | cut -d' ' -f1-3)$([ "$TWEMPROXY" = 1 ] && echo ", $(nutcracker --version 2>&1 | head -n 1)")"
  echo "java: $(java -version 2>&1 | head -n 1); kvstore threads: $THREADS; KVSTORE_JAVA_OPTS: ${KVSTORE_JAVA_OPTS:-(none)}"
  echo "kvstore options: ${PROXY_ARGS:-(none)}"
  echo "redis-benchmark -t set,get -c $CLIENTS -r $KEYSPACE; -P 1: -n $N_P1; -P 16: -n $N_P16; warm-up $WARMUP; rounds $ROUNDS"
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
  measure

  local results="$DIR/bench-results.txt"
  { environment; echo; report; } > "$results"
  echo
  cat "$results"
  echo
  say "written to $results"
}

main "$@"
