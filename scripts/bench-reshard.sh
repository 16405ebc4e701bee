#!/usr/bin/env bash
# bench-reshard.sh: what live resharding costs clients, from a built kvstore tree.
#
#   scripts/bench-reshard.sh [--dist DIR] [--keys N] [--rates "20000 0"] [--ratios "2"] [--chunk-slots S]
#                            [--mover "OPTS"] [--clients C] [--chunk N] [--proxies 1|2] [--threads T]
#                            [--before-secs S] [--bound B] [--base-port B] [--dir DIR] [--keep]
#
# Starts ZooKeeper (java -cp 'lib/*' ZooKeeperServerMain, port B+100), 4 redis-servers (B+101..B+104),
# a datastore cluster of 3 groups on the first three (bin/kvstore-admin cluster create), and
# --proxies kvstore proxies (B, B+1; bin/kvstore-proxy --zk --cluster, --threads T, default 2).
# Loads --keys keys (default 1000000) through the proxy with redis-cli --pipe, named as
# redis-benchmark names them (key:000000000042), then for each rate of --rates (default "20000 0"):
#   before  client latency: redis-benchmark -t set,get -c C -P 1 -r KEYS -n CHUNK --csv back to back for
#           --before-secs (default 10): the baseline, taken as the during figure is
#   during  `kvstore-admin rebalance --rate R [--chunk-slots S] --json` moves a quarter of all slots onto
#           a 4th group while the same redis-benchmark runs back to back, until the move is over
#   after   the 4th group's slots go back to the first three (--rate 0, not measured), so every
#           rate moves the same quarter of the keys
# and prints, per rate: keys moved, seconds, keys/s (from rebalance --json: the driver's count; the
# proxies move the keys clients touch first, so also the keys on g4 afterwards), p50/p99 of SET and
# GET before and during (median over the runs, each run CHUNK requests; "worst" = the highest p99 of
# any run during the move), the ratio of p99 during/before per command, and whether that kept the
# bound: --bound B (default 2) for fixed rates, R for a paced row; and as a control the same ratio
# for the same load run for --before-secs right after the move (nothing moving: the machine's
# noise). Warns if the servers hold more or fewer keys than loaded. Then what the freeze of each step cost: requests the proxies held on frozen
# slots, how many of them timed out (-TRYAGAIN), and the longest hold (INFO proxy; the longest is over
# the whole run), and what the move's MIGRATEs cost the sources (INFO commandstats over the rebalance command:
# calls on g1..g3 as a share of the clients' requests, server time per call and per second; nearly all are the
# proxies' moves on access, one per request for a key of a migrating slot). Last, "the highest rate that kept the
# p99 bound" over the loaded rows. Also written
# to DIR/results.txt (DIR: run/bench-reshard/); a paced row's per-window trace (probe p99, samples,
# keys/s, next rate) is in DIR/rebalance-LABEL.json.
# First of all, one row "unloaded": the same rebalance with --rate 0 and no client load (the
# mover's own speed). Then, for each ratio R of --ratios (default "2"; "" for none; repeat a ratio
# for several runs, e.g. "2 2 2 2"), a row "pacedR" (pacedR-2, ... for repeats): the rebalance under
# load with --rate 0 --max-latency-ratio R (latency-aware pacing), printing the keys/s it reached
# and the p99 ratios. --mover passes further options to every rebalance (e.g.
# "--parallel-sources 1 --batch-keys 10" to compare).
# --dist: the unpacked tree of ./build.sh (default: the newest dist/kvstore-*/ of this checkout).
# Every process it starts is stopped on exit, also on error or Ctrl-C (--keep keeps DIR's logs).
set -euo pipefail

SCRIPTS="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPTS/.." && pwd)"
# shellcheck source=lib/dist.sh
. "$SCRIPTS/lib/dist.sh"

DIST=""
KEYS=1000000
RATES="20000 0"
CLIENTS=20
CHUNK=20000
CHUNK_SLOTS=""   # rebalance's own default unless given
PROXIES=1
THREADS=2
BASE_PORT=18000
RATIOS="2"
BEFORE_SECS=10
BOUND=2
MOVER=""
DIR=""
KEEP=0
CLUSTER=bench

PIDS=()        # everything started, stopped in reverse order on exit
LOAD_PID=""    # the background redis-benchmark loop

say() { echo "bench-reshard: $*"; }
die() {
  echo "bench-reshard: $*" >&2
  exit 1
}

usage() {
  sed -n '2,40s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

parse_options() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --dist) DIST="${2:?}"; shift 2 ;;
      --keys) KEYS="${2:?}"; shift 2 ;;
      --rates) RATES="${2?}"; shift 2 ;;
      --ratios) RATIOS="${2?}"; shift 2 ;;
      --mover) MOVER="${2?}"; shift 2 ;;
      --before-secs) BEFORE_SECS="${2:?}"; shift 2 ;;
      --bound) BOUND="${2:?}"; shift 2 ;;
      --clients) CLIENTS="${2:?}"; shift 2 ;;
      --chunk) CHUNK="${2:?}"; shift 2 ;;
      --chunk-slots) CHUNK_SLOTS="${2:?}"; shift 2 ;;
      --proxies) PROXIES="${2:?}"; shift 2 ;;
      --threads) THREADS="${2:?}"; shift 2 ;;
      --base-port) BASE_PORT="${2:?}"; shift 2 ;;
      --dir) DIR="${2:?}"; shift 2 ;;
      --keep) KEEP=1; shift ;;
      -h|--help) usage; exit 0 ;;
      *) echo "bench-reshard: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    esac
  done
  local v
  for v in "$KEYS" "$CLIENTS" "$CHUNK" "$PROXIES" "$THREADS" "$BASE_PORT" "$BEFORE_SECS" $RATES ${CHUNK_SLOTS:-1}; do
    [[ "$v" =~ ^[0-9]+$ ]] || die "expected a number, got '$v'"
  done
  [ "$PROXIES" -ge 1 ] && [ "$PROXIES" -le 2 ] || die "--proxies is 1 or 2"
  for v in $RATIOS "$BOUND"; do
    [[ "$v" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "expected a ratio, got '$v'"
  done
  DIST="$(find_dist "$ROOT" "$DIST")" || die "$NO_DIST"
  [ -x "$DIST/bin/kvstore-admin" ] && [ -x "$DIST/bin/kvstore-proxy" ] || die "$DIST has no bin/kvstore-admin and bin/kvstore-proxy"
  DIR="${DIR:-$ROOT/run/bench-reshard}"
  ZK_PORT=$((BASE_PORT + 100))
  ZK="127.0.0.1:$ZK_PORT"
}

need_tools() {
  local tool
  for tool in redis-server redis-cli redis-benchmark java awk; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found"
  done
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# ---- stopping ---------------------------------------------------------------------------------

stop_load() {
  if [ -n "$LOAD_PID" ]; then
    pkill -TERM -P "$LOAD_PID" 2>/dev/null || true # its redis-benchmark run
    kill "$LOAD_PID" 2>/dev/null || true
    wait "$LOAD_PID" 2>/dev/null || true
    LOAD_PID=""
  fi
}

cleanup() {
  local code=$?
  trap - EXIT INT TERM
  stop_load
  local i pid
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    pid="${PIDS[$i]}"
    kill "$pid" 2>/dev/null || true
  done
  for pid in ${PIDS[@]+"${PIDS[@]}"}; do
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "$KEEP" = 0 ] && [ $code = 0 ]; then
    rm -rf "$DIR/zk" "$DIR"/redis-* "$DIR/load.resp"
  fi
  exit $code
}

# ---- starting ---------------------------------------------------------------------------------

await_port() { # await_port PORT WHAT
  local i
  for i in $(seq 1 300); do
    if [ "$(redis-cli -p "$1" ping 2>/dev/null || true)" = PONG ]; then return 0; fi
    sleep 0.1
  done
  die "$2 on port $1 did not answer PING in 30 s (logs in $DIR)"
}

start_zookeeper() {
  mkdir -p "$DIR/zk/data"
  cat > "$DIR/zk/zoo.cfg" <<EOF
tickTime=2000
dataDir=$DIR/zk/data
clientPort=$ZK_PORT
clientPortAddress=127.0.0.1
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=srvr,ruok
EOF
  java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dzookeeper.jmx.log4j.disable=true \
    -cp "$DIST/lib/*" org.apache.zookeeper.server.ZooKeeperServerMain "$DIR/zk/zoo.cfg" \
    < /dev/null > "$DIR/zk/zookeeper.log" 2>&1 &
  PIDS+=($!)
  local i
  for i in $(seq 1 300); do
    # bounded: a ZooKeeper that accepts but does not answer yet must not hang the loop
    if timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$ZK_PORT && printf srvr >&3 && grep -q Mode <&3" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  die "ZooKeeper did not start on $ZK_PORT (see $DIR/zk/zookeeper.log)"
}

start_redis() { # start_redis INDEX
  local port=$((BASE_PORT + 100 + $1)) home="$DIR/redis-$1"
  mkdir -p "$home"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$home" --save '' --appendonly no --daemonize no \
    --logfile "$home/redis.log" < /dev/null > /dev/null 2>&1 &
  PIDS+=($!)
  await_port "$port" "redis-server $1"
}

start_proxy() { # start_proxy INDEX
  local port=$((BASE_PORT + $1))
  KVSTORE_JAVA_OPTS="${KVSTORE_JAVA_OPTS:-}" "$DIST/bin/kvstore-proxy" --zk "$ZK" --cluster "$CLUSTER" \
    --listen "127.0.0.1:$port" --threads "$THREADS" < /dev/null > "$DIR/proxy-$1.log" 2>&1 &
  PIDS+=($!)
  await_port "$port" "kvstore-proxy $1"
  # A starting proxy answers -TRYAGAIN to keyed commands until it is registered: wait for that too.
  local i
  for i in $(seq 1 300); do
    case "$(redis-cli -p "$port" exists bench:probe 2>/dev/null || true)" in
      0|1) return 0 ;;
    esac
    sleep 0.1
  done
  die "kvstore-proxy $1 on port $port did not serve keys in 30 s (see $DIR/proxy-$1.log)"
}

admin() {
  "$DIST/bin/kvstore-admin" --zk "$ZK" "$@"
}

# ---- load and measure ---------------------------------------------------------------------------

# load_keys: KEYS keys key:%012d through the first proxy, as RESP for redis-cli --pipe.
load_keys() {
  awk -v n="$KEYS" 'BEGIN {
    for (i = 0; i < n; i++) {
      k = sprintf("key:%012d", i)
      printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$3\r\nxxx\r\n", length(k), k
    }
  }' > "$DIR/load.resp"
  redis-cli -p "$BASE_PORT" --pipe < "$DIR/load.resp" > "$DIR/load.log" 2>&1 ||
    die "loading the keys failed: $(tail -n 3 "$DIR/load.log")"
  rm -f "$DIR/load.resp"
  local total=0 i n
  for i in 1 2 3 4; do
    n="$(redis-cli -p $((BASE_PORT + 100 + i)) dbsize)"
    total=$((total + n))
  done
  [ "$total" = "$KEYS" ] || die "loaded $total keys, expected $KEYS"
}


# check_total: the servers hold KEYS keys in all (a key left behind on its old owner would count twice).
check_total() {
  local total=0 i n
  for i in 1 2 3 4; do
    n="$(redis-cli -p $((BASE_PORT + 100 + i)) dbsize)"
    total=$((total + n))
  done
  [ "$total" = "$KEYS" ] || say "WARNING: the servers hold $total keys, expected $KEYS"
}

# bench_once OUT: one redis-benchmark run (SET then GET) on a proxy, CSV lines appended to OUT.
bench_once() {
  local port=$((BASE_PORT + (RANDOM % PROXIES)))
  redis-benchmark -p "$port" -t set,get -c "$CLIENTS" -P 1 -r "$KEYS" -n "$CHUNK" -d 3 --csv 2>/dev/null |
    grep -E '^"(SET|GET)"' >> "$1" || true
}

# load_loop OUT: bench_once back to back until killed.
load_loop() {
  trap 'exit 0' TERM
  while true; do
    bench_once "$1"
  done
}

# stats FILE TEST: "p50 p99 worst-p99 runs" over the CSV lines of TEST (medians of the runs).
stats() {
  awk -F'"' -v t="$2" '$2 == t { p50[n] = $10; p99[n] = $14; n++ }
    function median(a, n,   i, j, x) {
      for (i = 1; i < n; i++) { x = a[i]; for (j = i - 1; j >= 0 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
      return n % 2 ? a[int(n / 2)] : (a[n / 2 - 1] + a[n / 2]) / 2
    }
    END {
      if (n == 0) { print "- - - 0"; exit }
      worst = 0; for (i = 0; i < n; i++) if (p99[i] + 0 > worst) worst = p99[i] + 0
      printf "%.3f %.3f %.3f %d\n", median(p50, n), median(p99, n), worst, n
    }' "$1"
}

json_field() { # json_field FILE NAME: a number of rebalance --json
  sed -n "s/.*\"$2\" *: *\\([0-9]*\\).*/\\1/p" "$1" | head -n 1
}

# holds: "held timed-out longest-ms" over the proxies, from their INFO proxy counters (cumulative):
# requests that waited on a slot frozen at the start of a migration step.
holds() {
  local p info h=0 t=0 m=0 v
  for ((p = 0; p < PROXIES; p++)); do
    info="$(redis-cli -p $((BASE_PORT + p)) info proxy 2> /dev/null | tr -d '\r')"
    v="$(echo "$info" | sed -n 's/^migration_holds://p')"; h=$((h + ${v:-0}))
    v="$(echo "$info" | sed -n 's/^migration_hold_timeouts://p')"; t=$((t + ${v:-0}))
    v="$(echo "$info" | sed -n 's/^migration_hold_max_ms://p')"; [ "${v:-0}" -gt "$m" ] && m="$v"
  done
  echo "$h $t $m"
}

# move_back: the 4th group's slots back to g1..g3 (--rate 0, not measured), and a check of the total.
move_back() {
  admin reshard "$CLUSTER" --from g4 --to g1 --slots 1366 --rate 0 --quiet > /dev/null
  admin reshard "$CLUSTER" --from g4 --to g2 --slots 1365 --rate 0 --quiet > /dev/null
  admin reshard "$CLUSTER" --from g4 --to g3 --slots 1365 --rate 0 --quiet > /dev/null
  check_total
}

# measure_unloaded: the rebalance with --rate 0 and no client load: the mover's own speed.
measure_unloaded() {
  local out="$DIR/rebalance-unloaded.json" start end
  say "unloaded: rebalance onto g4 with --rate 0 and no client load"
  local i
  reset_commandstats
  start=$(date +%s.%N)
  # shellcheck disable=SC2086 # MOVER is a list of options
  admin rebalance "$CLUSTER" --rate 0 ${CHUNK_SLOTS:+--chunk-slots "$CHUNK_SLOTS"} $MOVER --json > "$out" 2> "$DIR/rebalance-unloaded.err" ||
    die "rebalance unloaded failed: $(cat "$DIR/rebalance-unloaded.err")"
  end=$(date +%s.%N)
  # Where the servers' time went (SCAN, MIGRATE, RESTORE), for the profile in doc/performance.md.
  for i in 1 2 3 4; do
    redis-cli -p $((ZK_PORT + i)) info commandstats | tr -d '\r' | grep -E 'cmdstat_(scan|migrate|restore|unlink)' |
      sed "s/^/g$i /" >> "$DIR/commandstats-unloaded.txt" || true
  done
  check_total
  local line
  line="$(printf "%-8s %7s keys by the driver in %6.1f s = %6s keys/s (%s s wall)" unloaded "$(json_field "$out" keysMoved)" \
    "$(awk -v ms="$(json_field "$out" millis)" 'BEGIN { print ms / 1000 }')" "$(json_field "$out" keysPerSecond)" \
    "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')")"
  echo "$line" >> "$DIR/results.txt"
  say "$line"
  move_back
}

# reset_commandstats: CONFIG RESETSTAT on the four servers (before a measured move).
reset_commandstats() {
  local i
  for i in 1 2 3 4; do redis-cli -p $((ZK_PORT + i)) config resetstat > /dev/null; done
}

# migrate_cost SECONDS: what the move's MIGRATEs cost the sources since reset_commandstats, from INFO commandstats:
# the calls on g1..g3 (the driver's batches and the proxies' one-key moves on access; the driver's are a few
# hundred), as a share of the clients' requests (GET and SET on all four servers), the server time per call, and
# the milliseconds of each second each source spent in MIGRATE (serving nobody else meanwhile).
migrate_cost() {
  local i calls=0 usec=0 client=0 line
  for i in 1 2 3 4; do
    line="$(redis-cli -p $((ZK_PORT + i)) info commandstats | tr -d '\r')"
    client=$((client + $(echo "$line" | sed -n 's/^cmdstat_\(get\|set\):calls=\([0-9]*\),.*/\2/p' | awk '{ n += $1 } END { print n + 0 }')))
    [ "$i" = 4 ] && continue
    calls=$((calls + $(echo "$line" | sed -n 's/^cmdstat_migrate:calls=\([0-9]*\),.*/\1/p' | awk '{ n += $1 } END { print n + 0 }')))
    usec=$((usec + $(echo "$line" | sed -n 's/^cmdstat_migrate:calls=[0-9]*,usec=\([0-9]*\),.*/\1/p' | awk '{ n += $1 } END { print n + 0 }')))
  done
  awk -v c="$calls" -v u="$usec" -v r="$client" -v s="$1" 'BEGIN {
    printf "MIGRATE on the sources: %d calls = %.1f%% of %d client requests, %.0f us each, %.0f ms/s per source", c,
      (r > 0 ? 100 * c / r : 0), r, (c > 0 ? u / c : 0), (s > 0 ? u / 1000 / s / 3 : 0)
  }'
}

# measure LABEL RATE BOUND [REBALANCE OPTION...]: one measured rebalance onto g4 under load and the move back;
# appends a result line, and "keys/s LABEL xBOUND" to DIR/held.txt when both p99 ratios stayed within BOUND.
measure() {
  local label="$1" rate="$2" bound="$3"
  shift 3
  local before="$DIR/before-$label.csv" during="$DIR/during-$label.csv" after="$DIR/after-$label.csv"
  local out="$DIR/rebalance-$label.json"
  : > "$before"
  : > "$during"
  : > "$after"
  say "$label: latency before the move ($CLIENTS clients, runs of $CHUNK SET + $CHUNK GET back to back for $BEFORE_SECS s)"
  # The baseline as the during figure below is taken: the same runs back to back, the median of their p99s.
  load_loop "$before" 2> /dev/null &
  LOAD_PID=$!
  sleep "$BEFORE_SECS"
  stop_load
  say "$label: rebalance onto g4 under the same load"
  load_loop "$during" 2> /dev/null &
  LOAD_PID=$!
  sleep 1 # the load runs before the move starts; the runs that ended meanwhile do not count
  : > "$during"
  local start end h0 t0 h1 t1 m1
  read -r h0 t0 _ <<< "$(holds)"
  reset_commandstats
  start=$(date +%s.%N)
  # shellcheck disable=SC2086 # MOVER is a list of options
  admin rebalance "$CLUSTER" --rate "$rate" ${CHUNK_SLOTS:+--chunk-slots "$CHUNK_SLOTS"} $MOVER "$@" --json > "$out" 2> "$DIR/rebalance-$label.err" ||
    die "rebalance $label failed: $(cat "$DIR/rebalance-$label.err")"
  end=$(date +%s.%N)
  local cost
  cost="$(migrate_cost "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')")"
  stop_load
  read -r h1 t1 m1 <<< "$(holds)"
  # The control: the same load for as long as the baseline, right after the move. Its ratio to the baseline is what
  # the machine's own noise (other processes on its shared cores) does to the p99 with nothing moving.
  load_loop "$after" 2> /dev/null &
  LOAD_PID=$!
  sleep "$BEFORE_SECS"
  stop_load
  local moved millis kps onto
  moved="$(json_field "$out" keysMoved)"
  millis="$(json_field "$out" millis)"
  kps="$(json_field "$out" keysPerSecond)"
  onto="$(redis-cli -p $((ZK_PORT + 4)) dbsize)" # moved by the driver, and by the proxies before touching them
  check_total
  read -r s50b s99b _ nb <<< "$(stats "$before" SET)"
  read -r g50b g99b _ _ <<< "$(stats "$before" GET)"
  read -r s50d s99d s99w nd <<< "$(stats "$during" SET)"
  read -r g50d g99d g99w _ <<< "$(stats "$during" GET)"
  read -r _ s99a _ _ <<< "$(stats "$after" SET)"
  read -r _ g99a _ _ <<< "$(stats "$after" GET)"
  local line verdict
  line="$(awk -v r="$label" -v m="$moved" -v ms="$millis" -v k="$kps" -v wall="$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')" \
    -v s50b="$s50b" -v s99b="$s99b" -v g50b="$g50b" -v g99b="$g99b" \
    -v s50d="$s50d" -v s99d="$s99d" -v s99w="$s99w" -v g50d="$g50d" -v g99d="$g99d" -v g99w="$g99w" -v nd="$nd" -v nb="$nb" \
    -v onto="$onto" 'BEGIN {
      printf "%-9s %7s keys by the driver in %6.1f s = %6s keys/s (%s s wall; %s keys now on g4 = %.0f/s) | SET p50 %s/%s p99 %s/%s (worst %s) x%.2f | GET p50 %s/%s p99 %s/%s (worst %s) x%.2f | %s runs before, %s during",
        r, m, ms / 1000, k, wall, onto, onto / wall, s50b, s50d, s99b, s99d, s99w, (s99b > 0 ? s99d / s99b : 0),
        g50b, g50d, g99b, g99d, g99w, (g99b > 0 ? g99d / g99b : 0), nb, nd
    }')"
  # Held: the median p99 of the runs during the move within BOUND x the one just before, for SET and GET alike.
  verdict="$(awk -v b="$bound" -v s="$s99d" -v sb="$s99b" -v g="$g99d" -v gb="$g99b" 'BEGIN {
      if (sb <= 0 || gb <= 0 || s == "-" || g == "-") { print "no verdict (no runs)"; exit }
      held = s / sb <= b && g / gb <= b
      printf "p99 bound x%s %s (SET x%.2f, GET x%.2f)", b, held ? "HELD" : "NOT held", s / sb, g / gb
    }')"
  line="$line | $verdict$(awk -v s="$s99a" -v sb="$s99b" -v g="$g99a" -v gb="$g99b" 'BEGIN {
      if (sb > 0 && gb > 0 && s != "-" && g != "-") printf "; control, nothing moving after the move: SET x%.2f, GET x%.2f", s / sb, g / gb
    }') | freeze: $((h1 - h0)) requests held, $((t1 - t0)) timed out, longest hold $m1 ms | $cost"
  case "$verdict" in *" HELD "*) echo "$kps $label x$bound" >> "$DIR/held.txt" ;; esac
  echo "$line" >> "$DIR/results.txt"
  say "$line"
  say "$label: moving g4's slots back to g1..g3 (not measured)"
  move_back
}

# highest_held: the line that names the highest rate of the loaded rows that kept their p99 bound.
highest_held() {
  if [ -s "$DIR/held.txt" ]; then
    sort -n "$DIR/held.txt" | tail -n 1 | awk '{ printf "the highest rate that kept the p99 bound: %s keys/s (%s, bound %s)\n", $1, $2, $3 }'
  else
    echo "the highest rate that kept the p99 bound: none (no loaded row kept it)"
  fi
}

main() {
  parse_options "$@"
  need_tools
  local p
  for p in $BASE_PORT $((BASE_PORT + 1)) $ZK_PORT $((ZK_PORT + 1)) $((ZK_PORT + 2)) $((ZK_PORT + 3)) $((ZK_PORT + 4)); do
    if port_in_use "$p"; then die "port $p is in use: choose another --base-port"; fi
  done
  rm -rf "$DIR"
  mkdir -p "$DIR"
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  say "kvstore from $DIST; work and logs in $DIR"
  start_zookeeper
  local i
  for i in 1 2 3 4; do start_redis "$i"; done
  admin cluster create "$CLUSTER" --mode datastore --group "127.0.0.1:$((ZK_PORT + 1))" \
    --group "127.0.0.1:$((ZK_PORT + 2))" --group "127.0.0.1:$((ZK_PORT + 3))" > /dev/null
  for ((i = 0; i < PROXIES; i++)); do start_proxy "$i"; done
  say "loading $KEYS keys through the proxy"
  load_keys
  admin group add "$CLUSTER" "127.0.0.1:$((ZK_PORT + 4))" --id g4 > /dev/null
  {
    echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $KEYS keys, $PROXIES proxies x $THREADS threads, $CLIENTS clients -P 1, $(nproc) cores, --chunk-slots ${CHUNK_SLOTS:-default}${MOVER:+, mover: $MOVER}"
    echo "# rate (none = --rate 0, pacedR = --rate 0 --max-latency-ratio R): keys the driver moved (rebalance --json; the proxies move the keys clients touch first) | SET/GET latency in ms,"
    echo "#       before/during the move (median of the runs), worst = highest p99 of a run during, xN = p99 during/before;"
    echo "#       the bound held when both xN are within --bound $BOUND (a fixed rate) or R (pacedR)"
  } > "$DIR/results.txt"
  measure_unloaded
  local rate ratio label
  : > "$DIR/held.txt"
  for rate in $RATES; do
    measure "$([ "$rate" = 0 ] && echo none || echo "$rate")" "$rate" "$BOUND"
  done
  declare -A runs=()
  for ratio in $RATIOS; do
    runs[$ratio]=$((${runs[$ratio]:-0} + 1))
    label="paced$ratio"
    [ "${runs[$ratio]}" = 1 ] || label="$label-${runs[$ratio]}"
    measure "$label" 0 "$ratio" --max-latency-ratio "$ratio"
  done
  highest_held >> "$DIR/results.txt"
  echo
  cat "$DIR/results.txt"
}

main "$@"
