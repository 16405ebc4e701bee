#!/usr/bin/env bash
# bench-jmh.sh: build the JMH micro-benchmarks of the proxy's hot path (the bench/ module, built
# only with the Maven profile -Pbench, so neither `mvn test` nor test_all runs them) and run them
# with JMH's allocation profiler.
#
#   scripts/bench-jmh.sh [--offline] [--quick] [REGEX] [-- JMH-OPTION...]  (not -bm -tu -w -r -wi -i -f: set here)
#
# REGEX picks benchmarks (default: all): FramerBench (request and reply framers, per message),
# RoutingBench (command lookup, slot hashing), MgetSplitBench (MGET of 10 keys split over 3 groups
# and merged back). Prints JMH's table: ns/op and, from -prof gc, gc.alloc.rate.norm, the bytes
# allocated on the heap per operation (B/op), which does not depend on how busy the machine is.
# The table is also written to run/bench-jmh/results.txt. --quick: 1 warm-up and 2 measured
# iterations of 1 s instead of 3 and 5. --offline: Maven's -o (no downloads).
# Single fork, one thread: run it on a quiet machine for ns/op; B/op is exact either way.
set -euo pipefail

ROOT="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/run/bench-jmh"
MVN=(mvn -B -q)
# The forked JVM runs as bin/kvstore-proxy does (collector, heap, no leak detection, Netty's
# Unsafe paths), and Netty's per-thread buffer caches are on for JMH's threads as they are for
# an event loop's (Netty gives them only to its own threads by default).
JVM_ARGS="-XX:+UseG1GC -Xms512m -Xmx512m -Dio.netty.leakDetection.level=disabled \
--add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/jdk.internal.misc=ALL-UNNAMED \
-Dio.netty.tryReflectionSetAccessible=true -Dio.netty.allocator.useCacheForAllThreads=true"
# Average time in ns per operation; 3 warm-up and 5 measured iterations of 1 s, one fork.
WARMUPS=3
ITERATIONS=5
EXTRA=()
REGEX=""

while [ $# -gt 0 ]; do
  case "$1" in
    --offline) MVN+=(-o); shift ;;
    --quick) WARMUPS=1; ITERATIONS=2; shift ;;
    --) shift; EXTRA=("$@"); break ;;
    -h|--help) sed -n '2,16s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    -*) echo "bench-jmh.sh: unknown option '$1'" >&2; exit 2 ;;
    *) REGEX="$1"; shift ;;
  esac
done

mkdir -p "$OUT"
cd "$ROOT"
"${MVN[@]}" -Pbench -pl bench -am compile dependency:build-classpath \
  -Dmdep.outputFile="$OUT/classpath.txt" -Dmdep.includeScope=runtime
CP="bench/target/classes:proxy/target/classes:config/target/classes:$(cat "$OUT/classpath.txt")"
# shellcheck disable=SC2086 # REGEX is one word or none
java -cp "$CP" org.openjdk.jmh.Main -bm avgt -tu ns -w 1 -r 1 -wi "$WARMUPS" -i "$ITERATIONS" -f 1 \
  -prof gc -jvmArgsAppend "$JVM_ARGS" ${EXTRA[@]+"${EXTRA[@]}"} -rf text -rff "$OUT/results.txt" $REGEX
echo "bench-jmh.sh: written to $OUT/results.txt"
