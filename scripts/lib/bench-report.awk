# bench-report.awk: the report of scripts/bench.sh, from its raw file.
# Input, one line per measured run: ROW TARGET RPS P50 P99 P999 PROXY_US SHARDS_US
# (latencies in ms; PROXY_US and SHARDS_US are CPU microseconds per request of the proxy process
# and of the 3 shards together, "-" where there is no proxy). Prints the median of each figure
# over the rounds per row and target, then per row the ratios of kvstore to direct and to
# twemproxy (RESP3 rows: kvstore3 to direct3): throughput, and the proxy's CPU per request
# against a redis-server's own (the shards' CPU per request when measured directly).
function median(list,   n, a, i, j, t) {
  n = split(list, a, " ")
  for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
# ratios(B, A): the per-round ratios of two lists of figures, as text; also left in rl for median().
function ratios(b, a,   nb, na, x, y, i, out) {
  nb = split(b, x, " "); na = split(a, y, " "); rl = ""; out = ""
  for (i = 1; i <= nb && i <= na; i++) if (y[i] > 0) { rl = rl " " x[i] / y[i]; out = out sprintf("%.2f ", x[i] / y[i]) }
  return out
}
function fig(v) { return v == "-" ? "-" : sprintf("%.2f", v) }
{
  k = $1 SUBSEP $2
  if (!(k in seen)) { seen[k] = 1; keys[++nk] = k }
  if (!($1 in rowseen)) { rowseen[$1] = 1; rows[++nr] = $1 }
  for (f = 3; f <= 8; f++) v[k, f] = v[k, f] " " $f
}
END {
  printf "%-14s %-10s %10s %8s %8s %8s %10s %10s\n", "row", "target", "req/s", "p50 ms", "p99 ms", "p99.9 ms", "proxy us", "shards us"
  for (i = 1; i <= nk; i++) {
    k = keys[i]; split(k, rt, SUBSEP)
    for (f = 3; f <= 8; f++) M[k, f] = v[k, f] ~ /-/ ? "-" : median(v[k, f])
    printf "%-14s %-10s %10.0f %8.3f %8.3f %8.3f %10s %10s\n", rt[1], rt[2], M[k, 3], M[k, 4], M[k, 5], M[k, 6], fig(M[k, 7]), fig(M[k, 8])
  }
  print ""
  print "ratios: req/s of kvstore to direct and to twemproxy; kvstore's CPU per request to a redis-server's"
  print "(direct's shard CPU per request) and to twemproxy's; RESP3 rows compare kvstore3 with direct3"
  printf "%-14s %-9s %10s %10s %12s %12s\n", "row", "kvstore", "rps/direct", "rps/twem", "cpu/redis", "cpu/twem"
  for (r = 1; r <= nr; r++)
    for (x = 0; x <= 2; x++) {
      kv = x == 1 ? "kvstore3" : x == 2 ? "kvstoreB" : "kvstore"; d = x == 1 ? "direct3" : "direct"
      K = rows[r] SUBSEP kv; D = rows[r] SUBSEP d; T = rows[r] SUBSEP "twemproxy"
      if (!(K in seen)) continue
      a = (D in seen) ? sprintf("%.2f", M[K, 3] / M[D, 3]) : "-"
      b = (x != 1 && (T in seen)) ? sprintf("%.2f", M[K, 3] / M[T, 3]) : "-"
      c = (D in seen) && M[D, 8] != "-" && M[D, 8] > 0 ? sprintf("%.2f", M[K, 7] / M[D, 8]) : "-"
      e = (x != 1 && (T in seen)) && M[T, 7] > 0 ? sprintf("%.2f", M[K, 7] / M[T, 7]) : "-"
      printf "%-14s %-9s %10s %10s %12s %12s\n", rows[r], kv, a, b, c, e
    }
  if (rounds > 1) printf "\n(medians of %d rounds)\n", rounds
  if (variant == "") exit
  printf "\nkvstoreB (%s) over kvstore, per round and the median: CPU us per request; req/s\n", variant
  for (r = 1; r <= nr; r++) {
    A = rows[r] SUBSEP "kvstore"; B = rows[r] SUBSEP "kvstoreB"
    if (!(A in seen) || !(B in seen)) continue
    c = ratios(v[B, 7], v[A, 7]); cm = median(rl); q = ratios(v[B, 3], v[A, 3]); qm = median(rl)
    printf "%-14s cpu %s-> median %.2f; req/s %s-> median %.2f\n", rows[r], c, cm, q, qm
  }
}
