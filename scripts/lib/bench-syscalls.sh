# bench-syscalls.sh: scripts/bench.sh --syscalls (sourced; uses bench.sh's DIR, CLIENTS, KEYSPACE,
# RUN_TIMEOUT, TWEMPROXY and its functions target_port, proxy_pid, flush_shards, warm_up, say, die).
#
# System calls per request of each proxy (kvstore, twemproxy) and, for direct, of the redis-server
# itself (and of kvstoreB with --variant), at -P 1 and -P 16, counted two ways
# during a redis-benchmark GET run (after a SET run that fills the keys):
#   perf    `perf stat -e raw_syscalls:sys_enter -p PID`: every system call of every thread, counted
#           in the kernel, with no effect on the process's timing (needs perf and tracefs);
#   strace  `strace -c -f -p PID`: the count per system call name, for where they go. strace stops
#           the process at each call, so the proxy runs several times slower and its batching
#           changes: trust its mix, and perf's total.
# Prints a table of calls per request and strace's top calls; writes it to DIR/syscalls.txt.

# user_system PID: "utime stime" of the process, in clock ticks.
user_system() {
  sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12, $13 }'
}

# count_syscalls TOOL TARGET PIPELINE N: calls per request (with perf: then the proxy's user and
# system CPU microseconds per request, from /proc/PID/stat); strace's summary in $DIR/strace-*.txt.
count_syscalls() {
  local tool="$1" target="$2" pipeline="$3" n="$4" pid out counter calls before after
  pid="$(proxy_pid "$target")"
  if [ -z "$pid" ]; then pid="$(shard_pids | head -n 1)"; fi # direct: the redis-server itself
  out="$DIR/$tool-$target-P$pipeline.txt"
  redis-benchmark -h 127.0.0.1 -p "$(target_port "$target")" -c "$CLIENTS" -r "$KEYSPACE" -n "$n" -P "$pipeline" -t set -q > /dev/null 2>&1 ||
    die "SET run against $target failed"
  case "$tool" in
    perf) perf stat -x, -o "$out" -e raw_syscalls:sys_enter -p "$pid" > /dev/null 2>&1 & ;;
    strace) strace -c -f -p "$pid" -o "$out" > /dev/null 2>&1 & ;;
  esac
  counter=$!
  sleep 1 # attach to every thread before the run starts
  before="$(user_system "$pid")"
  timeout "$RUN_TIMEOUT" redis-benchmark -h 127.0.0.1 -p "$(target_port "$target")" -c "$CLIENTS" -r "$KEYSPACE" \
    -n "$n" -P "$pipeline" -t get -q > /dev/null 2>&1 || die "GET run against $target failed"
  after="$(user_system "$pid")"
  kill -INT "$counter" 2>/dev/null || true
  wait "$counter" 2>/dev/null || true
  case "$tool" in
    perf) calls="$(awk -F, '/raw_syscalls:sys_enter/ { print $1 }' "$out")" ;;
    strace) calls="$(awk '$NF == "total" { print $4 }' "$out")" ;;
  esac
  [[ "${calls:-}" =~ ^[0-9]+$ ]] || die "$tool gave no count for $target (see $out)"
  if [ "$tool" = strace ]; then
    awk -v c="$calls" -v n="$n" 'BEGIN { printf "%.2f", c / n }'
  else
    echo "$calls $before $after" | awk -v n="$n" -v hz="$CLK_TCK" \
      '{ printf "%.2f %.2f %.2f", $1 / n, ($4 - $2) * 1e6 / hz / n, ($5 - $3) * 1e6 / hz / n }'
  fi
}

# top_calls FILE: strace's five most frequent calls, "name:count" words.
top_calls() {
  awk '/^ *[0-9.]+ +[0-9.]+ +[0-9]+ +[0-9]+/ && $NF != "total" { print $4, $NF }' "$1" |
    sort -rn | head -n 5 | awk '{ printf "%s:%s ", $2, $1 }'
}

measure_syscalls() {
  local target pipeline n have_perf=1 results="$DIR/syscalls.txt" perf_calls strace_calls
  [ "$TLS" = 0 ] || die "--syscalls does not work with --tls"
  command -v strace > /dev/null 2>&1 || die "strace not found; install it with: apt-get install -y strace"
  if ! command -v perf > /dev/null 2>&1 || ! perf stat -e raw_syscalls:sys_enter -- true > /dev/null 2>&1; then
    say "perf cannot count system calls here; strace's counts only"
    have_perf=0
  fi
  {
    echo "system calls per request (GET, -c $CLIENTS, -r $KEYSPACE), $(date '+%Y-%m-%d %H:%M:%S %z')"
    echo "perf: calls per request counted by perf; usr, sys: the proxy's user and system CPU us per request in"
    echo "that same run; strace: calls per request counted by strace -c -f (which slows the proxy down)"
    printf "%-10s %-3s %8s %8s %8s %8s  %s\n" target P perf usr sys strace "strace's top calls (count over the run)"
  } > "$results"
  for target in direct kvstore $([ -n "$VARIANT" ] && echo kvstoreB) $([ "$TWEMPROXY" = 1 ] && echo twemproxy); do
    say "warming up $target"
    warm_up "$target"
    for pipeline in 1 16; do
      if [ "$pipeline" = 1 ]; then n=$((N_P1 / 4)); else n=$((N_P16 / 4)); fi
      flush_shards
      perf_calls="- - -"
      if [ "$have_perf" = 1 ]; then perf_calls="$(count_syscalls perf "$target" "$pipeline" "$n")"; fi
      say "$target -P $pipeline: counting with strace"
      strace_calls="$(count_syscalls strace "$target" "$pipeline" "$n")"
      # shellcheck disable=SC2086 # three figures
      printf "%-10s %-3s %8s %8s %8s %8s  %s\n" "$target" "$pipeline" $perf_calls "$strace_calls" \
        "$(top_calls "$DIR/strace-$target-P$pipeline.txt")" >> "$results"
    done
  done
  echo
  cat "$results"
  echo
  say "written to $results; strace's full tables in $DIR/strace-*.txt"
}
