# bench-run.sh: one measured run for scripts/bench.sh (sourced; uses its DIR, RAW, TLS_ARGS,
# RUN_TIMEOUT, CLIENTS and the functions target_port, resp_flag, proxy_pid, shard_pids, die).
#
# CPU per request is taken from /proc/PID/stat (utime + stime of the whole process, all its
# threads, in clock ticks) just before and just after the run: it does not depend on how busy the
# machine is, unlike requests/s. The resolution is one tick (getconf CLK_TCK, 10 ms at 100 Hz),
# so a run should last a second or more.

CLK_TCK="$(getconf CLK_TCK 2>/dev/null || echo 100)"

# cpu_ticks PID...: user + system ticks of the processes together; 0 for none.
cpu_ticks() {
  local pid total=0 t
  for pid in "$@"; do
    # Fields 14 and 15 counted after the ")" that ends the command name (which may hold spaces).
    t="$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $12 + $13 }')" ||
      die "cannot read /proc/$pid/stat"
    total=$((total + ${t:-0}))
  done
  echo "$total"
}

# per_request TICKS REQUESTS: CPU microseconds per request.
per_request() {
  awk -v t="$1" -v n="$2" -v hz="$CLK_TCK" 'BEGIN { printf "%.3f", (n > 0 ? t * 1e6 / hz / n : 0) }'
}

# parse_benchmark FILE: "rps p50 p99 p99.9" from redis-benchmark's full (not --csv, not -q)
# output of one test. p99.9 is the first line of its percentile distribution at or above
# 99.9 % (HdrHistogram halves the remainder per line: 99.902 %).
parse_benchmark() {
  tr '\r' '\n' < "$1" | awk '
    /^[0-9.]+% <= [0-9.]+ milliseconds/ { p = $1; sub("%", "", p); if (p + 0 >= 99.9 && p999 == "") p999 = $3 }
    /throughput summary:/ { rps = $3 }
    /avg +min +p50 +p95 +p99 +max/ { getline; p50 = $3; p99 = $5 }
    END { if (rps == "" || p50 == "" || p999 == "") exit 1; print rps, p50, p99, p999 }'
}

# measured ROW TARGET COMMAND...: runs COMMAND (whose output goes to $DIR/last.out and
# $DIR/last.err), reading the CPU time of the target's proxy and of the shards around it.
# Sets RUN_PROXY_TICKS and RUN_SHARD_TICKS.
measured() {
  local row="$1" target="$2" proxy shards p0 s0
  shift 2
  proxy="$(proxy_pid "$target")"
  shards="$(shard_pids)"
  # shellcheck disable=SC2086 # pid lists
  p0="$(cpu_ticks $proxy)"; s0="$(cpu_ticks $shards)"
  if ! timeout "$RUN_TIMEOUT" "$@" > "$DIR/last.out" 2> "$DIR/last.err"; then
    die "$row against $target failed: $(tail -n 5 "$DIR/last.err") $(tail -n 2 "$DIR/last.out")"
  fi
  # shellcheck disable=SC2086
  RUN_PROXY_TICKS=$(($(cpu_ticks $proxy) - p0)); RUN_SHARD_TICKS=$(($(cpu_ticks $shards) - s0))
  if grep -qi 'error' "$DIR/last.err" || tr '\r' '\n' < "$DIR/last.out" | grep -qi '^error\|(error)'; then
    die "$row against $target saw errors: $(grep -hi error "$DIR/last.out" "$DIR/last.err" | head -n 3)"
  fi
}

# record ROW TARGET REQUESTS "RPS P50 P99 P999": appends the raw line with CPU per request.
record() {
  local proxy_us=-
  [ -z "$(proxy_pid "$2")" ] || proxy_us="$(per_request "$RUN_PROXY_TICKS" "$3")"
  echo "$1 $2 $4 $proxy_us $(per_request "$RUN_SHARD_TICKS" "$3")" >> "$RAW"
}

# bench_row ROW TARGET N PIPELINE ARGS...: one redis-benchmark run of N requests (one test:
# -t NAME or a command) with -c CLIENTS unless ARGS set -c.
bench_row() {
  local row="$1" target="$2" n="$3" pipeline="$4" figures
  shift 4
  local clients=(-c "$CLIENTS")
  case " $* " in *" -c "*) clients=() ;; esac
  # shellcheck disable=SC2046 # resp_flag prints nothing or one word
  measured "$row" "$target" redis-benchmark ${TLS_ARGS[@]+"${TLS_ARGS[@]}"} -h 127.0.0.1 -p "$(target_port "$target")" \
    $(resp_flag "$target") ${clients[@]+"${clients[@]}"} -n "$n" -P "$pipeline" "$@"
  figures="$(parse_benchmark "$DIR/last.out")" || die "$row against $target: cannot read redis-benchmark's output in $DIR/last.out"
  record "$row" "$target" "$n" "$figures"
}

# pubsub_row ROW TARGET SUBSCRIBERS MESSAGES: the fan-out driver; a request is one delivery.
pubsub_row() {
  local row="$1" target="$2" subs="$3" messages="$4" line
  measured "$row" "$target" java "$SCRIPTS/lib/PubSubBench.java" 127.0.0.1 "$(target_port "$target")" "$subs" "$messages" 32 1
  line="$(cat "$DIR/last.out")"
  # deliveries=D seconds=S rate=R p50=.. p99=.. p999=..
  record "$row" "$target" "$((subs * messages))" "$(echo "$line" | sed 's/[a-z0-9]*=//g' | awk '{ print $3, $4, $5, $6 }')"
}
