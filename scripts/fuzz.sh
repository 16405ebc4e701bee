#!/usr/bin/env bash
# fuzz.sh: coverage-guided fuzzing (Jazzer) of kvstore's parsers, one target after the other.
#
#   scripts/fuzz.sh [--minutes N] [TARGET...]
#
# TARGET is one of (default: all of them, in this order):
#   request   proxy RequestFramer: client bytes, multibulk and inline   (RequestFramerFuzzTest)
#   reply     proxy ReplyFramer: backend bytes, RESP2 and RESP3          (ReplyFramerFuzzTest)
#   config    proxy options from a YAML file and KVSTORE_* variables     (ConfigFuzzTest)
#   codec     config TopologyCodec and its siblings: the JSON in ZooKeeper (StoreCodecFuzzTest)
# Each runs for N minutes (default 5) with JAZZER_FUZZ=1; the normal build (mvn test) only replays
# the committed inputs. Needs nothing beyond Maven Central: Jazzer's native parts are in its jars.
#
# Where things land, per target (MODULE/src/test/resources/PACKAGE/CLASSInputs/METHOD/):
#   crash-<sha1>   an input that broke an invariant, written by Jazzer into the committed inputs
#                  directory: from then on the normal build replays it. Fix the bug, commit both.
#   MODULE/.cifuzz-corpus/CLASS/METHOD/   the corpus the fuzzer grew (not committed; kept for the
#                  next run, which starts from it).
#   MODULE/target/surefire-reports/CLASS-output.txt   Jazzer's log (coverage, execs/s, the finding).
# Exits 1 if any target found something, after running all of them.
set -euo pipefail

ROOT="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MINUTES=5
TARGETS=()

usage() {
  sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) MINUTES="${2:?--minutes needs a number}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    request|reply|config|codec) TARGETS+=("$1"); shift ;;
    *) echo "fuzz.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
[[ "$MINUTES" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: --minutes must be a positive whole number" >&2; exit 2; }
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(request reply config codec)

# target -> module, package directory, test class
where() {
  case "$1" in
    request) echo "proxy io/kvstore/proxy/resp RequestFramerFuzzTest" ;;
    reply) echo "proxy io/kvstore/proxy/resp ReplyFramerFuzzTest" ;;
    config) echo "proxy io/kvstore/proxy/server ConfigFuzzTest" ;;
    codec) echo "config io/kvstore/config/store StoreCodecFuzzTest" ;;
  esac
}

found=0
for t in "${TARGETS[@]}"; do
  read -r module pkg class < <(where "$t")
  inputs="$ROOT/$module/src/test/resources/$pkg/${class}Inputs"
  before="$(find "$inputs" -name 'crash-*' 2>/dev/null | sort)"
  echo "== $t: $class, $MINUTES min"
  started=$(date +%s)
  code=0
  mkdir -p "$ROOT/$module/target"
  (cd "$ROOT" && JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${MINUTES}m" mvn -B -q -pl "$module" -am test \
      -Dtest="$class" -Dsurefire.failIfNoSpecifiedTests=false) > "$ROOT/$module/target/fuzz-$t.log" 2>&1 || code=$?
  log="$ROOT/$module/target/surefire-reports/${pkg//\//.}.$class-output.txt"
  new="$(comm -13 <(echo "$before") <(find "$inputs" -name 'crash-*' 2>/dev/null | sort) | sed '/^$/d')"
  echo "   ran $(($(date +%s) - started)) s; Jazzer's log: $log"
  grep -E '^#[0-9]+ +DONE|^Done [0-9]+ runs' "$log" 2>/dev/null | tail -n 1 | sed 's/^/   /' || true
  if [ "$code" != 0 ] || [ -n "$new" ]; then
    found=1
    echo "   FOUND something (mvn exit $code); maven's output: $ROOT/$module/target/fuzz-$t.log"
    [ -z "$new" ] || echo "$new" | sed 's/^/   new input: /'
  else
    echo "   nothing found"
  fi
done
exit "$found"
