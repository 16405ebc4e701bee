# gc-pauses.awk: pause statistics from a unified JVM GC log (-Xlog:gc or -Xlog:gc*), for
# scripts/bench-memory.sh --gc-log and doc/performance.md's collector tables.
#   awk -f scripts/lib/gc-pauses.awk gc.log
# Counts every "Pause ..." line with a duration ("Pause Young ... 12.345ms", ZGC's "Pause Mark
# Start 0.012ms"), except the full collections that jcmd GC.class_histogram asks for ("Heap
# Inspection Initiated GC": the measurement's, not the load's). Prints one line: pauses=N
# p50/p99/p99.9/max in ms, and the sum of all pauses in ms; then ZGC's allocation stalls (a
# thread, an event loop too, waits for memory: as long as a pause for that thread), count,
# longest and sum.
/Pause/ && !/Heap Inspection/ && match($0, /[0-9.]+ms$/) {
  d[n++] = substr($0, RSTART, RLENGTH - 2) + 0
}
/Allocation Stall \(/ && match($0, /[0-9.]+ms$/) {
  v = substr($0, RSTART, RLENGTH - 2) + 0; stalls++; stall_sum += v; if (v > stall_max) stall_max = v
}
function at(q,   i) { i = int(q * n); if (i >= n) i = n - 1; return d[i] }
END {
  if (n == 0) { print "pauses=0" } else {
  # insertion sort: a run has at most some thousands of pauses
  for (i = 1; i < n; i++) { v = d[i]; for (j = i - 1; j >= 0 && d[j] > v; j--) d[j + 1] = d[j]; d[j + 1] = v }
  for (i = 0; i < n; i++) sum += d[i]
  printf "pauses=%d p50=%.3fms p99=%.3fms p99.9=%.3fms max=%.3fms sum=%.1fms\n", n, at(0.5), at(0.99), at(0.999), d[n - 1], sum
  }
  printf "allocation_stalls=%d max=%.3fms sum=%.1fms\n", stalls, stall_max, stall_sum
}
