# shellcheck shell=bash
# Sourced by the scripts that run a built tree (bench-memory.sh, overload.sh, bench-reshard.sh,
# chaos.sh, bench-failover.sh): the one place that knows where ./build.sh leaves that tree, so a
# change of layout is made once. Defines functions only; sourcing it runs nothing.

# The message for a caller to die with when find_dist finds nothing.
# shellcheck disable=SC2034  # used by the scripts that source this file
NO_DIST="no built tree: run ./build.sh first (it makes dist/kvstore-*/), or give --dist DIR (an existing directory)"

# find_dist ROOT [GIVEN]: prints the absolute path of the tree to run. GIVEN (a --dist argument)
# when not empty; else ROOT itself when ROOT is an unpacked tarball (it has bin/kvstore-proxy),
# as when the script runs from the tarball; else the newest ROOT/dist/kvstore-*/ by version (a
# checkout after ./build.sh). Returns 1 and prints nothing when there is none or GIVEN is no
# directory.
find_dist() {
  local root="$1" dist="${2:-}"
  if [ -z "$dist" ]; then
    if [ -x "$root/bin/kvstore-proxy" ]; then
      dist="$root"
    else
      dist="$(ls -d "$root"/dist/kvstore-*/ 2>/dev/null | sort -V | tail -n 1 || true)"
    fi
  fi
  [ -n "$dist" ] && [ -d "$dist" ] || return 1
  (cd "$dist" && pwd)
}
