#!/usr/bin/env bash
# bench-fanout.sh: how long N proxies take to apply a slot-map epoch written to ZooKeeper, and the
# ZooKeeper requests it causes (figures for doc/performance.md's capacity plan).
#
#   scripts/bench-fanout.sh [--proxies "10,25,50"] [--rounds R] [--fragments F] [--offline]
#
# Runs the test-scope harness io.kvstore.proxy.control.EpochFanOutBench with Maven (compiles the
# proxy module first): N proxies in one JVM, each with its own ZooKeeper session, over 2 real
# redis-servers (ephemeral ports, 127.0.0.1), an in-process ZooKeeper; R slot moves (default 5) at
# each N; --fragments F first cuts the slot map into F alternating ranges (16384: the largest
# topology node). Prints the harness's "fanout:" lines. Every process is the harness's and stops
# with it (surefire's JVM; the redis-servers are stopped by the fixture); about 2 minutes.
set -euo pipefail

ROOT="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROXIES="10,25,50"
ROUNDS=5
FRAGMENTS=0
OFFLINE=()
usage() { sed -n '2,12s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --proxies) PROXIES="${2:?}"; shift 2 ;;
    --rounds) ROUNDS="${2:?}"; shift 2 ;;
    --fragments) FRAGMENTS="${2:?}"; shift 2 ;;
    --offline) OFFLINE=(-o); shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench-fanout: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
cd "$ROOT"
report=proxy/target/surefire-reports/io.kvstore.proxy.control.EpochFanOutBench-output.txt
rm -f "$report"
status=0
mvn -B -q ${OFFLINE[@]+"${OFFLINE[@]}"} -pl proxy -am test -Dtest=EpochFanOutBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfanout.proxies="$PROXIES" -Dfanout.rounds="$ROUNDS" -Dfanout.fragments="$FRAGMENTS" || status=$?
[ -f "$report" ] && grep '^fanout:' "$report"
exit $status
