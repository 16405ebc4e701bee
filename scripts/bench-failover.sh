#!/usr/bin/env bash
# bench-failover.sh: how long a kvstore cluster takes to serve writes again after a master is killed
# (kill -9), and how many acknowledged writes are lost, per mode.
#
#   scripts/bench-failover.sh [--rounds R] [--pipeline P] [--base-port B] [--dir DIR] [--down-after-ms MS]
#
# For each case it starts a cluster with scripts/kv_store.sh (3 groups of a master and 1 replica, 2
# with --write-acks 1; 2 proxies, ports from B, default 23000: below the ephemeral port range;
# default proxy options but --down-after-ms), runs one writer
# per proxy (python3, raw RESP: SET key value pipelined by P, default 16, each writer on its own
# keys, spread over every group, remembering the last write acknowledged per key), kills the master
# of group g1 with kill -9 and measures:
#   recovery   from the kill to the last error the writers saw (after it, every write succeeds)
#   errors     writes answered with an error (the killed group's, during detection)
#   lost       keys whose last acknowledged write is not what a proxy reads afterwards
# Cases: datastore, datastore with --write-acks 1, cache (lost does not apply: a cache misses).
# Each case runs R times (default 1). Prints one line per run and writes them to DIR/results.txt
# (DIR defaults to run/bench-failover/). Stops every cluster it started, also on error.
set -euo pipefail

SCRIPTS="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPTS/.." && pwd)"
# shellcheck source=lib/dist.sh
. "$SCRIPTS/lib/dist.sh"
KV_STORE="$SCRIPTS/kv_store.sh"

ROUNDS=1
PIPELINE=16
BASE_PORT=23000
DIR=""
DOWN_AFTER_MS=5000
QUIET_SECONDS=3      # no error for this long: recovered
MAX_WAIT_SECONDS=90  # give up waiting for recovery after this long

say() { echo "bench-failover.sh: $*"; }
die() {
  echo "bench-failover.sh: $*" >&2
  exit 1
}

usage() {
  sed -n '2,17s/^# \{0,1\}//p' "$0"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --pipeline) PIPELINE="$2"; shift 2 ;;
    --base-port) BASE_PORT="$2"; shift 2 ;;
    --dir) DIR="$2"; shift 2 ;;
    --down-after-ms) DOWN_AFTER_MS="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option $1" ;;
  esac
done
[ -n "$DIR" ] || DIR="$ROOT/run/bench-failover"
command -v python3 >/dev/null 2>&1 || die "python3 is needed for the writers (Debian: apt-get install -y python3)"
mkdir -p "$DIR"
RESULTS="$DIR/results.txt"
: > "$RESULTS"
CLUSTER_DIR="$DIR/cluster"
RUNNING=0

cleanup() {
  if [ "$RUNNING" = 1 ]; then
    "$KV_STORE" stop --dir "$CLUSTER_DIR" >/dev/null 2>&1 || true
    RUNNING=0
  fi
}
trap cleanup EXIT

# The writer: python3 WRITER.py PORT TAG PIPELINE STATE_FILE; runs until SIGTERM, then writes its
# state (acknowledged counter per key, error times) to STATE_FILE.
WRITER="$DIR/writer.py"
cat > "$WRITER" <<'PY'
import json, signal, socket, sys, time
port, tag, pipeline, state = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
keys = ["%s:%d" % (tag, i) for i in range(2000)]
acked, errors, stop = {}, [], [False]
signal.signal(signal.SIGTERM, lambda *a: stop.__setitem__(0, True))

def connect():
    while not stop[0]:
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            return s, s.makefile("rb")
        except OSError:
            time.sleep(0.05)
    return None, None

def enc(*words):
    out = b"*%d\r\n" % len(words)
    for w in words:
        w = w.encode()
        out += b"$%d\r\n%s\r\n" % (len(w), w)
    return out

s, f = connect()
n = 0
while not stop[0]:
    batch = []
    for _ in range(pipeline):
        n += 1
        batch.append((keys[n % len(keys)], n))
    try:
        s.sendall(b"".join(enc("SET", k, "%s:%d" % (tag, i)) for k, i in batch))
        for k, i in batch:
            line = f.readline()
            if not line:
                raise OSError("closed")
            if line.startswith(b"+"):
                acked[k] = i
            else:
                errors.append(time.time())
    except OSError:
        errors.append(time.time())
        try:
            s.close()
        except OSError:
            pass
        s, f = connect()
json.dump({"acked": acked, "errors": errors, "writes": n}, open(state, "w"))
PY

# The checker: python3 CHECK.py PORT STATE_FILE...: prints the number of keys whose last
# acknowledged value is not what the proxy reads now (a later, unacknowledged value is no loss).
CHECK="$DIR/check.py"
cat > "$CHECK" <<'PY'
import json, socket, sys
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port), timeout=10)
f = s.makefile("rb")
lost = 0
for path in sys.argv[2:]:
    acked = json.load(open(path))["acked"]
    for k, i in acked.items():
        w = k.encode()
        s.sendall(b"*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n" % (len(w), w))
        line = f.readline()
        value = None
        if line.startswith(b"$") and not line.startswith(b"$-1"):
            value = f.read(int(line[1:]) + 2)[:-2].decode()
        seen = int(value.rsplit(":", 1)[1]) if value else -1
        if seen < i:
            lost += 1
print(lost)
PY

# one_run MODE ACKS ROUND: with --write-acks N the groups get N+1 replicas, so that the promoted
# master still has N of them (with fewer, every write after the failover fails with -NOREPLICAS).
one_run() {
  local mode="$1" acks="$2" round="$3" extra=() replicas=1
  if [ "$acks" != 0 ]; then
    extra=(--write-acks "$acks")
    replicas=$((acks + 1))
  fi
  rm -rf "$CLUSTER_DIR"
  "$KV_STORE" start --mode "$mode" --groups 3 --replicas "$replicas" --proxies 2 --base-port "$BASE_PORT" --dir "$CLUSTER_DIR" \
    --clean -- --down-after-ms "$DOWN_AFTER_MS" ${extra[@]+"${extra[@]}"} > "$DIR/start.log" 2>&1 ||
    die "the cluster did not start; see $DIR/start.log and $CLUSTER_DIR"
  RUNNING=1
  local p1=$BASE_PORT p2=$((BASE_PORT + 1)) w1 w2
  python3 "$WRITER" "$p1" w1 "$PIPELINE" "$DIR/w1.json" & w1=$!
  python3 "$WRITER" "$p2" w2 "$PIPELINE" "$DIR/w2.json" & w2=$!
  sleep 3
  local master_pid
  master_pid="$(awk '$1 == "redis" && $5 == "g1" && $6 == "master" {print $4}' "$CLUSTER_DIR/procs")"
  [ -n "$master_pid" ] || die "no master of g1 in $CLUSTER_DIR/procs"
  local killed_at
  killed_at="$(python3 -c 'import time; print(time.time())')"
  kill -9 "$master_pid"
  # Wait for QUIET_SECONDS without errors: the writers report errors only at the end, so watch the
  # topology instead, then give the writers time to prove it.
  local deadline=$((SECONDS + MAX_WAIT_SECONDS))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if { "$ADMIN" --zk "127.0.0.1:$((BASE_PORT + 100))" status kvstore --no-redis --json 2>/dev/null || true; } |
        python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if d["epoch"] > 1 else 1)' 2>/dev/null; then
      break
    fi
    sleep 1
  done
  sleep $((QUIET_SECONDS + 2))
  kill -TERM "$w1" "$w2"
  wait "$w1" "$w2" || true
  local result lost
  result="$(python3 - "$killed_at" "$DIR/w1.json" "$DIR/w2.json" <<'PY'
import json, sys
killed = float(sys.argv[1])
errs, writes = [], 0
for p in sys.argv[2:]:
    d = json.load(open(p))
    errs += [e for e in d["errors"] if e >= killed]
    writes += d["writes"]
rec = (max(errs) - killed) * 1000 if errs else 0
print("%d %d %d" % (rec, len(errs), writes))
PY
)"
  if [ "$mode" = datastore ]; then
    lost="$(python3 "$CHECK" "$p1" "$DIR/w1.json" "$DIR/w2.json")"
  else
    lost="n/a (cache)"
  fi
  set -- $result
  local line
  line="$(printf '%-9s replicas %s write-acks %s round %s: recovery %5d ms, %6d errors of %8d writes, lost %s' \
    "$mode" "$replicas" "$acks" "$round" "$1" "$2" "$3" "$lost")"
  echo "$line" | tee -a "$RESULTS"
  "$KV_STORE" stop --dir "$CLUSTER_DIR" > /dev/null 2>&1 || true
  RUNNING=0
}

DIST="$(find_dist "$ROOT")" || die "$NO_DIST"
ADMIN="$DIST/bin/kvstore-admin"
[ -x "$ADMIN" ] || die "$DIST has no bin/kvstore-admin: run ./build.sh again"
say "down-after ${DOWN_AFTER_MS} ms, writers pipelining ${PIPELINE}; results in $RESULTS"
for round in $(seq 1 "$ROUNDS"); do
  one_run datastore 0 "$round"
  one_run datastore 1 "$round"
  one_run cache 0 "$round"
done
