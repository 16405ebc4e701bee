#!/usr/bin/env bash
# kv_store.sh: run a local kvstore cluster on this machine: ZooKeeper, redis-server groups (a
# master and its replicas each) and kvstore proxies that follow the cluster's slot map.
#
#   scripts/kv_store.sh start  [--groups N] [--replicas R] [--proxies P] [--mode cache|datastore]
#                              [--cluster NAME] [--base-port B] [--dir DIR] [--clean] [--threads T]
#                              [--static] [--tls] [--zk-auth] [-- PROXY-OPTION...]
#   scripts/kv_store.sh stop   [--dir DIR]
#   scripts/kv_store.sh status [--dir DIR]
#
# start   ZooKeeper on B+100 (from the jars in lib/), N groups (default 3) of one master and R
#         replicas (default 1) on B+101 upward (group 1's master, its replicas, group 2's master,
#         ...), with replication checked; creates cluster NAME (default kvstore, --mode default
#         cache) in ZooKeeper unless it is there already; then P proxies (default 2) on B, B+1, ...
#         with their Prometheus metrics, /health and /ready on B+150, B+151, ...
#         (default B=7000: proxies 7000-7001, ZooKeeper 7100, redis 7101-7106). Waits until each
#         answers, then prints the endpoints. Everything lives in DIR/<name>/ with its log.
#         The redis-servers of a cache cluster persist nothing (no RDB, no AOF): a restart finds
#         them empty. A datastore cluster's use AOF (appendfsync everysec).
#         A start after stop restarts the cluster recorded in DIR, keeping its data (ZooKeeper's
#         too, so the cluster and its slot map are as they were); options then default to the
#         recorded ones. When DIR holds ZooKeeper's data, ZooKeeper starts first and each
#         redis-server then starts in the role the cluster's topology gives it now (after a
#         failover a former replica is the master and the old master its replica); groups that
#         are failed or down start too. --clean deletes what an earlier run left in DIR first.
#         --static: no ZooKeeper and no replicas; P proxies (default 1) route by --backends, the
#         16384 slots split evenly over the N redis-servers (B+101..).
#         --threads and anything after -- go to every bin/kvstore-proxy (see its --help).
#         --tls: TLS between every part, with a CA and certificates made with openssl in DIR/tls/
#         (kept across restarts; a later start of DIR uses TLS too): redis-servers listen only on
#         tls-port (tls-replication, tls-auth-clients yes), ZooKeeper only on its secureClientPort
#         (Netty, client certificates required; no plain client port), proxies listen for TLS on
#         their ports (the plain listener on a free loopback port) and reach the servers and
#         ZooKeeper over TLS, as does kvstore-admin; the redis-cli command to reach it is printed.
#         --zk-auth: ZooKeeper digest authentication for the proxies and kvstore-admin, as
#         user "kvstore" with a random password kept in DIR/zk-auth (mode 600; a later start of
#         DIR uses it too): the cluster's nodes are then readable and writable by that user only
#         (see doc/security.md). To use kvstore-admin by hand: KVSTORE_ZK_AUTH=$(cat DIR/zk-auth).
#         Refuses to start while a cluster recorded in DIR is still running.
#         Without redis-server: run as root with apt-get (Debian/Ubuntu) it installs redis-server
#         first, saying so; otherwise it prints the command to run and exits 1.
# stop    stops exactly the processes start recorded in DIR/procs: proxies, then replicas, then
#         masters (the roles of the last start), then ZooKeeper; each: TERM, then KILL after 10 s.
# status  one line per recorded process: role, port, running or dead; then, while ZooKeeper runs,
#         `kvstore-admin status NAME`. Exit 0 all running (and the admin says healthy), 1 some
#         process dead, 3 nothing recorded, 5 all running but the admin reports a problem.
#
# DIR defaults to run/ under the source tree or the unpacked tarball. Works from both: in the
# source tree it uses the newest dist/kvstore-*/ that ./build.sh made; set KVSTORE_BIN to use
# another bin/ directory (its ../lib holds the jars).
set -euo pipefail

# ---- where things are -----------------------------------------------------------------------

script_path() {
  local self="${BASH_SOURCE[0]}" dir
  while [ -L "$self" ]; do
    dir="$(cd -P "$(dirname "$self")" && pwd)"
    self="$(readlink "$self")"
    case "$self" in /*) ;; *) self="$dir/$self" ;; esac
  done
  echo "$(cd -P "$(dirname "$self")" && pwd)/$(basename "$self")"
}

SCRIPT="$(script_path)"
ROOT="$(cd "$(dirname "$SCRIPT")/.." && pwd)"   # the source tree or the unpacked tarball
# shellcheck source=scripts/install-tools.sh
. "$(dirname "$SCRIPT")/install-tools.sh"

STOP_WAIT_SECONDS=10
REDIS_START_SECONDS=10
REPLICATION_SECONDS=30
ZK_START_SECONDS=60
PROXY_START_SECONDS=60
REGISTER_SECONDS=20

# Options (set by parse_options; GIVEN_x=1 when x was on the command line).
NUM_GROUPS=3
REPLICAS=1
PROXIES=2
MODE=cache
CLUSTER=kvstore
BASE_PORT=7000
STATIC=0
DIR=""
CLEAN=0
THREADS=""
PROXY_ARGS=()
TLS=0          # 1 with --tls, or when DIR/tls/enabled says an earlier start used it
ZK_AUTH=0      # 1 with --zk-auth, or when DIR/zk-auth says an earlier start used it
CLI_TLS=()     # redis-cli's TLS options for this cluster
ADOPTED=0      # 1 when start took the layout recorded in DIR
GIVEN_GROUPS=0 GIVEN_REPLICAS=0 GIVEN_PROXIES=0 GIVEN_MODE=0 GIVEN_CLUSTER=0 GIVEN_BASE_PORT=0 GIVEN_STATIC=0

say() { echo "kv_store.sh: $*"; }
die() {
  echo "kv_store.sh: $*" >&2
  exit 1
}

usage() {
  sed -n '2,44s/^# \{0,1\}//p' "$SCRIPT"
}

# find_bin: the bin/ directory with kvstore-proxy and kvstore-admin, in $BIN; the jars in $LIB.
find_bin() {
  if [ -n "${KVSTORE_BIN:-}" ]; then
    BIN="$KVSTORE_BIN"
  elif [ -x "$ROOT/bin/kvstore-proxy" ]; then
    BIN="$ROOT/bin"                                          # unpacked tarball
  else
    local newest
    newest="$(ls -td "$ROOT"/dist/kvstore-*/bin 2>/dev/null | head -n 1 || true)"
    [ -n "$newest" ] || die "no kvstore build found under $ROOT/dist: run ./build.sh first (in $ROOT)"
    BIN="$newest"                                            # source tree after ./build.sh
  fi
  BIN="$(cd "$BIN" && pwd)"
  LIB="$(cd "$BIN/.." && pwd)/lib"
  [ -x "$BIN/kvstore-proxy" ] || die "$BIN/kvstore-proxy is missing or not executable"
  [ -x "$BIN/kvstore-admin" ] || die "$BIN/kvstore-admin is missing or not executable"
}

# need_redis: redis-server and redis-cli on PATH; as root with apt-get, installed when missing
# (scripts/install-tools.sh, shared with test_all); otherwise the command to run, and exit 1.
need_redis() {
  local tool
  for tool in redis-server redis-cli; do
    ensure_tool "$tool" redis-server && continue
    echo "kv_store.sh: $tool not found. Install Redis first:" >&2
    echo "  $(install_hint redis-server)" >&2
    exit 1
  done
}

# find_java: $JAVA, as the launchers in bin/ find it (ZooKeeper is started from here).
find_java() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    JAVA="$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    JAVA=java
  else
    die "java not found; install a JDK 17+ (Debian: apt-get install -y openjdk-17-jre-headless) or set JAVA_HOME"
  fi
  ls "$LIB"/zookeeper-[0-9]*.jar >/dev/null 2>&1 ||
    die "no ZooKeeper jar in $LIB (zookeeper-*.jar); rebuild with ./build.sh"
}

# bounded SECONDS COMMAND...: the command, killed after SECONDS where timeout(1) exists.
bounded() {
  local seconds="$1"
  shift
  if command -v timeout >/dev/null 2>&1; then
    timeout "$seconds" "$@"
  else
    "$@"
  fi
}

# ---- ports and the layout --------------------------------------------------------------------

zk_port() { echo $((BASE_PORT + 100)); }
proxy_port() { echo $((BASE_PORT + $1 - 1)); }                          # proxy p, 1-based
master_port() { echo $((BASE_PORT + 101 + ($1 - 1) * (REPLICAS + 1))); } # group g, 1-based
replica_port() { echo $(($(master_port "$1") + $2)); }                   # replica r of group g, 1-based
server_count() { echo $((NUM_GROUPS * (REPLICAS + 1))); }
server_port() { echo $((BASE_PORT + 101 + $1)); }                       # server i, 0-based, layout order

# ---- roles: which redis-server follows which ----------------------------------------------------
#
# SRV_GROUP[i] is the group of server i (port server_port i), SRV_MASTER[i] the HOST:PORT it
# replicates from, empty for a master. Indexed arrays, not associative ones: macOS's bash is 3.2.
SRV_GROUP=()
SRV_MASTER=()

# layout_roles: the roles of the first start, which laid the servers out group by group.
layout_roles() {
  local i g
  SRV_GROUP=() SRV_MASTER=()
  for ((i = 0; i < $(server_count); i++)); do
    g=$((i / (REPLICAS + 1) + 1))
    SRV_GROUP[i]="g$g"
    if [ $((i % (REPLICAS + 1))) = 0 ]; then SRV_MASTER[i]=""; else SRV_MASTER[i]="127.0.0.1:$(master_port "$g")"; fi
  done
}

# our_index HOST:PORT: the index of that server when it is one this script runs; false otherwise.
our_index() {
  local host="${1%:*}" port="${1##*:}"
  [ "$host" = 127.0.0.1 ] && [[ "$port" =~ ^[0-9]+$ ]] || return 1
  [ "$port" -ge $((BASE_PORT + 101)) ] && [ "$port" -lt $((BASE_PORT + 101 + $(server_count))) ] || return 1
  echo $((port - BASE_PORT - 101))
}

# topology_servers: reads `kvstore-admin status --json` on stdin and prints one line per server of
# the topology: GROUP STATE MASTER SERVER (SERVER is MASTER for the master itself). It relies on
# the admin's pretty-printed JSON having one key per line, and on each group listing its master
# before its replicas; the groups array ends where the top-level "slots" array begins.
topology_servers() {
  awk '
    function value(line) { sub(/^[^:]*: "/, "", line); sub(/",?[[:space:]]*$/, "", line); return line }
    /^[[:space:]]*"groups" : \[/ { in_groups = 1; next }
    !in_groups { next }
    /^[[:space:]]*"slots" : \[/ { exit }
    /^[[:space:]]*"id" : "/ { id = value($0); part = ""; master = ""; next }
    /^[[:space:]]*"state" : "/ { state = value($0); next }
    /^[[:space:]]*"master" : \{/ { part = "master"; next }
    /^[[:space:]]*"replicas" : \[/ { part = "replicas"; next }
    /^[[:space:]]*"address" : "/ {
      if (part == "master") master = value($0)
      if (part != "" && master != "") print id, state, master, value($0)
    }'
}

# topology_roles: the roles the cluster's topology in ZooKeeper gives the servers now. After a
# failover they differ from the layout; started by the layout, the current master would sync from
# the old one, dropping the writes it took since, and the proxies would send writes to a replica
# until the failover controller swapped them back. Servers the topology does not name keep their
# layout role.
topology_roles() {
  local code=0 out epoch gid state master server i states="" foreign="" moved="" named=0
  out="$(admin status "$CLUSTER" --json --no-redis 2>&1)" || code=$?
  case "$code" in
    0|5) ;;   # 5: degraded (a group failed or down, a failover under way): the roles are still the truth
    3) say "cluster $CLUSTER is not in ZooKeeper; the redis-servers start as laid out"; return 0 ;;
    *) echo "$out" >&2; die "cannot read cluster $CLUSTER from ZooKeeper on port $(zk_port) (kvstore-admin exit $code)" ;;
  esac
  epoch="$(echo "$out" | sed -n 's/^  "epoch" : \([0-9]*\),*$/\1/p')"   # two spaces in: the topology's, not a failover's
  while read -r gid state master server; do
    named=$((named + 1))
    if ! i="$(our_index "$server")"; then
      foreign="$foreign $server"
      continue
    fi
    SRV_GROUP[i]="$gid"
    if [ "$server" = "$master" ]; then
      SRV_MASTER[i]=""
      if [ "$i" != $(((i / (REPLICAS + 1)) * (REPLICAS + 1))) ]; then moved="$moved $gid:$server"; fi
      if [ "$state" != active ]; then states="$states $gid:$state"; fi
    else
      SRV_MASTER[i]="$master"
    fi
  done < <(echo "$out" | topology_servers)
  # Starting by the layout instead could make two masters in a group: better to stop here.
  [ "$named" -gt 0 ] || { echo "$out" >&2; die "no group found in the output of kvstore-admin status $CLUSTER --json"; }
  say "redis-servers start in their roles in the topology (epoch ${epoch:-?})"
  for server in $moved; do say "  group ${server%%:*}: master ${server#*:} (failed over since the first start)"; done
  for state in $states; do
    say "  group ${state%%:*} is ${state#*:}: its servers start all the same; the failover controller in the proxies brings it back once its master answers"
  done
  if [ -n "$foreign" ]; then say "  note: the topology also names servers this script does not run:$foreign (start them yourself)"; fi
}

layout_file() { echo "$DIR/layout"; }

# write_layout: what start was asked for, so that stop/status/a restart know the cluster.
write_layout() {
  cat > "$(layout_file)" <<EOF
static=$STATIC
groups=$NUM_GROUPS
replicas=$REPLICAS
proxies=$PROXIES
mode=$MODE
cluster=$CLUSTER
base_port=$BASE_PORT
EOF
}

# read_layout: the recorded layout into REC_x; false when there is none.
read_layout() {
  local key value
  [ -f "$(layout_file)" ] || return 1
  while IFS='=' read -r key value; do
    case "$key" in
      static) REC_STATIC="$value" ;;
      groups) REC_GROUPS="$value" ;;
      replicas) REC_REPLICAS="$value" ;;
      proxies) REC_PROXIES="$value" ;;
      mode) REC_MODE="$value" ;;
      cluster) REC_CLUSTER="$value" ;;
      base_port) REC_BASE_PORT="$value" ;;
    esac
  done < "$(layout_file)"
}

# adopt_layout: a restart takes the recorded layout; an option given that contradicts it is refused
# (the cluster in ZooKeeper names these exact servers).
adopt_layout() {
  local conflicts=() o
  REC_STATIC=0 REC_GROUPS=3 REC_REPLICAS=1 REC_PROXIES=2 REC_MODE=cache REC_CLUSTER=kvstore REC_BASE_PORT=7000
  read_layout || return 0
  if [ "$GIVEN_STATIC" = 1 ] && [ "$STATIC" != "$REC_STATIC" ]; then conflicts+=("it is not static"); fi
  if [ "$GIVEN_GROUPS" = 1 ] && [ "$NUM_GROUPS" != "$REC_GROUPS" ]; then conflicts+=("--groups $REC_GROUPS, not $NUM_GROUPS"); fi
  if [ "$GIVEN_REPLICAS" = 1 ] && [ "$REPLICAS" != "$REC_REPLICAS" ]; then conflicts+=("--replicas $REC_REPLICAS, not $REPLICAS"); fi
  if [ "$GIVEN_MODE" = 1 ] && [ "$MODE" != "$REC_MODE" ]; then conflicts+=("--mode $REC_MODE, not $MODE"); fi
  if [ "$GIVEN_CLUSTER" = 1 ] && [ "$CLUSTER" != "$REC_CLUSTER" ]; then conflicts+=("--cluster $REC_CLUSTER, not $CLUSTER"); fi
  if [ "$GIVEN_BASE_PORT" = 1 ] && [ "$BASE_PORT" != "$REC_BASE_PORT" ]; then conflicts+=("--base-port $REC_BASE_PORT, not $BASE_PORT"); fi
  if [ ${#conflicts[@]} -gt 0 ]; then
    o="$(describe_layout "$REC_STATIC" "$REC_GROUPS" "$REC_REPLICAS" "$REC_MODE" "$REC_CLUSTER" "$REC_BASE_PORT")"
    o="$DIR holds $o; a restart keeps it as it was ($(IFS=';'; echo "${conflicts[*]}" | sed 's/;/; /g'))."
    die "$o Restart with the same options or none, or start over with --clean, which deletes its data."
  fi
  STATIC="$REC_STATIC" NUM_GROUPS="$REC_GROUPS" REPLICAS="$REC_REPLICAS" MODE="$REC_MODE"
  CLUSTER="$REC_CLUSTER" BASE_PORT="$REC_BASE_PORT"
  # The number of proxies is not part of the cluster: it may change from one start to the next.
  if [ "$GIVEN_PROXIES" = 0 ]; then PROXIES="$REC_PROXIES"; fi
  ADOPTED=1
  say "restarting $(describe_layout "$STATIC" "$NUM_GROUPS" "$REPLICAS" "$MODE" "$CLUSTER" "$BASE_PORT") recorded in $DIR"
}

describe_layout() {
  if [ "$1" = 1 ]; then
    echo "a static cluster of $2 redis-server(s) on ports $(($6 + 101))-$(($6 + 100 + $2))"
  else
    echo "cluster '$5' ($4 mode, $2 group(s) of 1 master + $3 replica(s), base port $6)"
  fi
}

# ---- the process table: DIR/procs, one line per process: kind name port pid role ---------------

procs_file() { echo "$DIR/procs"; }

record() {
  echo "$1 $2 $3 $4 $5" >> "$(procs_file)"
}

# Set while start cleans up after a failure: the PIDs are this script's own children then, and
# one may still be between fork and exec, not yet showing the program's name.
TRUST_PIDS=0

# is_ours PID KIND: the process is alive and still the program we started (PIDs get reused).
is_ours() {
  local pid="$1" kind="$2" args
  kill -0 "$pid" 2>/dev/null || return 1
  if [ -r "/proc/$pid/stat" ] && [ "$(sed 's/^.*) \(.\).*/\1/' "/proc/$pid/stat" 2>/dev/null)" = Z ]; then
    return 1                                                 # exited, waiting to be reaped
  fi
  [ "$TRUST_PIDS" = 0 ] || return 0
  if [ -r "/proc/$pid/cmdline" ]; then
    args="$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null || true)"
  else
    args="$(ps -o args= -p "$pid" 2>/dev/null || true)"
  fi
  case "$kind" in
    redis) [[ "$args" == *redis-server* ]] ;;
    proxy) [[ "$args" == *io.kvstore.proxy.server.ProxyMain* || "$args" == *kvstore-proxy* ]] ;;
    zookeeper) [[ "$args" == *org.apache.zookeeper.server.ZooKeeperServerMain* ]] ;;
    *) return 1 ;;
  esac
}

# any_running: true if a process recorded in DIR is still running.
any_running() {
  local kind name port pid role
  [ -f "$(procs_file)" ] || return 1
  while read -r kind name port pid role; do
    if is_ours "$pid" "$kind"; then return 0; fi
  done < "$(procs_file)"
  return 1
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# pid_of NAME: the recorded pid.
pid_of() {
  awk -v n="$1" '$2 == n { print $4 }' "$(procs_file)"
}

# ---- starting --------------------------------------------------------------------------------

# The proxies get their settings from the command line only: a KVSTORE_ZK or KVSTORE_BACKENDS
# in the caller's environment would contradict it.
PROXY_ENV=(env -u KVSTORE_ZK -u KVSTORE_CLUSTER -u KVSTORE_BACKENDS -u KVSTORE_CONFIG -u KVSTORE_LISTEN -u KVSTORE_ANNOUNCE)

# zk_template: the conf/zoo.cfg shipped next to bin/, if any.
zk_template() {
  local f
  for f in "$(dirname "$LIB")/conf/zoo.cfg" "$ROOT/conf/zoo.cfg" "$ROOT/packaging/conf/zoo.cfg"; do
    if [ -f "$f" ]; then echo "$f"; return; fi
  done
}

# write_zoo_cfg FILE DATADIR: conf/zoo.cfg with this cluster's data directory and port.
write_zoo_cfg() {
  local file="$1" data="$2" template
  template="$(zk_template)"
  {
    echo "# Written by kv_store.sh from ${template:-its built-in defaults}; rewritten at each start."
    if [ -n "$template" ]; then
      grep -vE '^[[:space:]]*(#|$|dataDir|dataLogDir|clientPort|clientPortAddress|secureClientPort|admin\.enableServer|4lw\.commands\.whitelist)' \
        "$template" || true
    else
      echo "tickTime=2000"
      echo "maxClientCnxns=0"
    fi
    echo "dataDir=$data"
    if [ "$TLS" = 1 ]; then
      # TLS only: no plain client port at all. The PEM key store holds the key and its certificate.
      local t; t="$(tls_dir)"
      echo "secureClientPort=$(zk_port)"
      echo "secureClientPortAddress=127.0.0.1"
      echo "serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory"
      echo "ssl.keyStore.location=$t/zk-server.pem"
      echo "ssl.keyStore.type=PEM"
      echo "ssl.trustStore.location=$t/ca.crt"
      echo "ssl.trustStore.type=PEM"
    else
      echo "clientPort=$(zk_port)"
      echo "clientPortAddress=127.0.0.1"
    fi
    echo "admin.enableServer=false"
    echo "4lw.commands.whitelist=ruok,srvr,stat"
  } > "$file"
}

# start_zookeeper: one standalone ZooKeeper server in DIR/zookeeper, data in DIR/zookeeper/data.
start_zookeeper() {
  local home="$DIR/zookeeper"
  mkdir -p "$home/data"
  write_zoo_cfg "$home/zoo.cfg" "$home/data"
  if [ -f "$home/zookeeper.log" ]; then mv -f "$home/zookeeper.log" "$home/zookeeper.log.1"; fi
  # -Dzookeeper.*: no JMX beans for a log4j that is not there; the slf4j lines as the proxy's.
  (cd "$home" && exec nohup "$JAVA" -Xms32m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dzookeeper.jmx.log4j.disable=true \
    -Dorg.slf4j.simpleLogger.showDateTime=true \
    "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd HH:mm:ss.SSS" \
    -cp "$LIB/*" org.apache.zookeeper.server.ZooKeeperServerMain "$home/zoo.cfg" \
    < /dev/null > "$home/zookeeper.log" 2>&1) &
  record zookeeper zookeeper "$(zk_port)" $! zookeeper
}

# zk_srvr PORT: ZooKeeper's answer to the srvr four-letter command ("" when none in 3 s); over
# TLS with the client certificate when ZooKeeper has only its secure port.
zk_srvr() {
  if [ "$TLS" = 1 ]; then
    local t; t="$(tls_dir)"
    printf srvr | bounded 3 openssl s_client -quiet -verify_return_error -connect "127.0.0.1:$1" \
      -CAfile "$t/ca.crt" -cert "$t/client.crt" -key "$t/client.key" 2>/dev/null || true
    return 0
  fi
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 0
    printf srvr >&3
    while IFS= read -r -t 3 line <&3; do echo "$line"; done
  ) 2>/dev/null || true
}

# start_redis NAME PORT ROLE [MASTER]: one redis-server in DIR/NAME, in the background; a replica
# of MASTER (HOST:PORT) when given.
start_redis() {
  local name="$1" port="$2" role="$3" master="${4:-}" home="$DIR/$1" host
  local args=(--bind 127.0.0.1 --dir "$home" --daemonize no --logfile "$home/redis.log" --save '')
  if [ "$TLS" = 1 ]; then
    local t; t="$(tls_dir)"
    args+=(--port 0 --tls-port "$port" --tls-cert-file "$t/server.crt" --tls-key-file "$t/server.key"
           --tls-ca-cert-file "$t/ca.crt" --tls-auth-clients yes --tls-replication yes)
  else
    args+=(--port "$port")
  fi
  if [ "$MODE" = datastore ] && [ "$STATIC" = 0 ]; then
    args+=(--appendonly yes --appendfsync everysec)
  else
    args+=(--appendonly no)
  fi
  if [ -n "$master" ]; then
    host="${master%:*}" host="${host#\[}" host="${host%\]}"   # [::1]:7001 -> ::1
    args+=(--replicaof "$host" "${master##*:}")
  fi
  mkdir -p "$home"
  nohup redis-server "${args[@]}" < /dev/null >> "$home/stdout.log" 2>&1 &
  record redis "$name" "$port" $! "$role"
}

# start_proxy NAME PORT ARG...: the proxy in DIR/NAME, logging to DIR/NAME/proxy.log.
start_proxy() {
  local name="$1" port="$2" home="$DIR/$1"
  shift 2
  # Prometheus metrics, /health and /ready 150 ports above the proxy's (B+150, B+151, ...).
  local args=(--listen "127.0.0.1:$port" --metrics-listen "127.0.0.1:$((port + 150))" "$@")
  if [ "$TLS" = 1 ]; then
    # Clients use the TLS listener on the proxy's port; the plain one takes a free loopback port.
    local t; t="$(tls_dir)"
    args=(--listen 127.0.0.1:0 --announce "127.0.0.1:$port" --tls-listen "127.0.0.1:$port" --tls-cert "$t/server.crt"
          --tls-key "$t/server.key" --tls-ca "$t/ca.crt" --backend-tls --backend-tls-ca "$t/ca.crt"
          --backend-tls-cert "$t/client.crt" --backend-tls-key "$t/client.key" --backend-tls-verify-hostname
          --metrics-listen "127.0.0.1:$((port + 150))" "$@")
  fi
  if [ -n "$THREADS" ]; then args+=(--threads "$THREADS"); fi
  mkdir -p "$home"
  if [ -f "$home/proxy.log" ]; then mv -f "$home/proxy.log" "$home/proxy.log.1"; fi   # keep one earlier run
  nohup "${PROXY_ENV[@]}" "$BIN/kvstore-proxy" "${args[@]}" ${PROXY_ARGS[@]+"${PROXY_ARGS[@]}"} \
    < /dev/null > "$home/proxy.log" 2>&1 &
  record proxy "$name" "$port" $! proxy
}

# log_of NAME: the log file to show when NAME fails.
log_of() {
  local f
  for f in "$DIR/$1/proxy.log" "$DIR/$1/zookeeper.log" "$DIR/$1/redis.log" "$DIR/$1/stdout.log"; do
    if [ -s "$f" ]; then echo "$f"; return; fi
  done
  echo "$DIR/$1/"
}

# show_log NAME: the log, to stderr; the start and the end when it is long (a usage error is
# at the start, a crash at the end).
show_log() {
  local log lines
  log="$(log_of "$1")"
  [ -f "$log" ] || return 0
  echo "--- $log" >&2
  lines="$(wc -l < "$log")"
  if [ "$lines" -le 40 ]; then
    cat "$log" >&2
  else
    head -n 10 "$log" >&2
    echo "[... $((lines - 30)) lines ...]" >&2
    tail -n 20 "$log" >&2
  fi
  echo "---" >&2
}

# wait_for NAME PORT SECONDS WHAT CHECK...: until CHECK succeeds; fails if NAME's process exits or
# the time is up (WHAT says what was awaited).
wait_for() {
  local name="$1" port="$2" seconds="$3" what="$4" pid deadline
  shift 4
  pid="$(pid_of "$name")"
  deadline=$(($(date +%s) + seconds))
  while :; do
    if "$@"; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "kv_store.sh: $name (pid $pid, port $port) exited during start-up" >&2
      show_log "$name"
      return 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "kv_store.sh: $name (pid $pid, port $port): $what within ${seconds}s" >&2
      show_log "$name"
      return 1
    fi
    sleep 0.1
  done
}

answers_ping() { [ "$(bounded 5 redis-cli ${CLI_TLS[@]+"${CLI_TLS[@]}"} -p "$1" ping 2>/dev/null || true)" = PONG ]; }

# routes PORT: PING is answered by the proxy itself; a command that goes through to a
# redis-server proves the proxy has its slot map and reaches the shards.
routes() {
  local reply
  reply="$(bounded 5 redis-cli ${CLI_TLS[@]+"${CLI_TLS[@]}"} -p "$1" exists kvstore:probe 2>&1 || true)"
  [[ "$reply" =~ ^[0-9]+$ ]]
}

zk_serving() { zk_srvr "$1" | grep -q '^Mode: '; }

replication_up() {
  bounded 5 redis-cli ${CLI_TLS[@]+"${CLI_TLS[@]}"} -p "$1" info replication 2>/dev/null | tr -d '\r' | grep -qx 'master_link_status:up'
}

check_ports_free() {
  local port
  for port in "$@"; do
    if port_in_use "$port"; then
      die "port $port is already in use; pick other ports with --base-port (proxies use B.., ZooKeeper B+100, redis B+101..)"
    fi
  done
}

# prepare_dir: DIR exists, holds no running cluster, and is cleaned if asked.
prepare_dir() {
  mkdir -p "$DIR"
  DIR="$(cd "$DIR" && pwd)"
  if any_running; then
    die "a cluster recorded in $DIR is still running (scripts/kv_store.sh status --dir $DIR); stop it first"
  fi
  if [ -f "$(procs_file)" ]; then
    say "note: $DIR/procs lists processes that are no longer running; forgetting them"
    rm -f "$(procs_file)"
  fi
  if [ "$CLEAN" = 1 ]; then
    rm -rf "$DIR"/redis-* "$DIR"/proxy-* "$DIR/zookeeper" "$DIR/tls" "$DIR/zk-auth" "$(layout_file)"
  fi
}

on_start_failure() {
  # Clean up whatever happens to stderr (a closed pipe must not stop the clean-up half-way).
  set +e
  trap '' PIPE
  TRUST_PIDS=1
  echo "kv_store.sh: start failed; stopping what was started" >&2
  stop_all >&2 || true
}

check_number() {
  local what="$1" value="$2" low="$3" high="$4"
  [[ "$value" =~ ^[0-9]+$ ]] && [ "$value" -ge "$low" ] && [ "$value" -le "$high" ] ||
    die "$what must be $low..$high, not '$value'"
}

validate_options() {
  check_number --groups "$NUM_GROUPS" 1 99
  check_number --replicas "$REPLICAS" 0 5
  check_number --proxies "$PROXIES" 1 99
  check_number --base-port "$BASE_PORT" 1 65000
  case "$MODE" in cache|datastore) ;; *) die "--mode must be cache or datastore, not '$MODE'" ;; esac
  [[ "$CLUSTER" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$ ]] ||
    die "--cluster: 1 to 64 of A-Z a-z 0-9 _ . -, not starting with . or -; not '$CLUSTER'"
  if [ "$STATIC" = 1 ]; then
    [ "$GIVEN_REPLICAS" = 0 ] || [ "$REPLICAS" = 0 ] || die "--static runs no replicas (drop --replicas)"
    [ "$GIVEN_MODE" = 0 ] || die "--static has no cluster in ZooKeeper, so no --mode"
  fi
}

# finish_options: static mode's defaults, and room for every port (after adopt_layout).
finish_options() {
  if [ "$STATIC" = 1 ]; then
    REPLICAS=0
    if [ "$GIVEN_PROXIES" = 0 ] && [ "$ADOPTED" = 0 ]; then PROXIES=1; fi
  fi
  local last=$((BASE_PORT + 100 + NUM_GROUPS * (REPLICAS + 1)))
  [ "$last" -le 65535 ] || die "--base-port $BASE_PORT leaves no room for $((last - BASE_PORT - 100)) redis-servers (the last would be $last)"
}

# ---- TLS (--tls) -----------------------------------------------------------------------------------

tls_dir() { echo "$DIR/tls"; }
ADMIN_ENV=(env)

# tls_setup: with --tls, or when an earlier start of DIR used it: the CA and certificates in
# DIR/tls (made once with openssl), and the TLS options of redis-cli and kvstore-admin.
tls_setup() {
  local t; t="$(tls_dir)"
  if [ "$TLS" = 0 ] && [ ! -f "$t/enabled" ]; then return 0; fi
  TLS=1
  if [ ! -f "$t/client.key" ]; then
    ensure_tool openssl openssl || die "openssl not found; install it first: $(install_hint openssl)"
    mkdir -p "$t"
    make_certificates "$t" > "$t/openssl.log" 2>&1 || { cat "$t/openssl.log" >&2; die "openssl could not make the certificates in $t"; }
    say "made a CA and certificates in $t"
  fi
  if [ ! -f "$t/zk-server.pem" ]; then # ZooKeeper's PEM key store: the key and its certificate in one file
    (umask 077 && cat "$t/server.key" "$t/server.crt" > "$t/zk-server.pem")
  fi
  touch "$t/enabled"
  CLI_TLS=(--tls --cacert "$t/ca.crt" --cert "$t/client.crt" --key "$t/client.key")
  local zk_tls=(KVSTORE_ZK_TLS=true "KVSTORE_ZK_TLS_CA=$t/ca.crt" "KVSTORE_ZK_TLS_CERT=$t/client.crt"
                "KVSTORE_ZK_TLS_KEY=$t/client.key")
  ADMIN_ENV=(env KVSTORE_BACKEND_TLS=true "KVSTORE_BACKEND_TLS_CA=$t/ca.crt" "KVSTORE_BACKEND_TLS_CERT=$t/client.crt"
             "KVSTORE_BACKEND_TLS_KEY=$t/client.key" KVSTORE_BACKEND_TLS_VERIFY_HOSTNAME=true "${zk_tls[@]}")
  PROXY_ENV+=("${zk_tls[@]}")
}

# zk_auth_setup: with --zk-auth, or when an earlier start of DIR used it: the digest credentials
# in DIR/zk-auth (made once), given to kvstore-admin and the proxies through KVSTORE_ZK_AUTH, so
# they appear in no command line.
zk_auth_setup() {
  local f="$DIR/zk-auth"
  if [ "$ZK_AUTH" = 0 ] && [ ! -f "$f" ]; then return 0; fi
  ZK_AUTH=1
  if [ ! -f "$f" ]; then
    (umask 077 && printf 'kvstore:%s\n' "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$f")
    say "made ZooKeeper digest credentials in $f"
  fi
  ADMIN_ENV+=("KVSTORE_ZK_AUTH=$(cat "$f")")
  PROXY_ENV+=("KVSTORE_ZK_AUTH=$(cat "$f")")
}

# make_certificates DIR: a CA, a certificate for the servers (redis-servers and proxies, for
# 127.0.0.1 and localhost) and one for clients, EC P-256, valid 825 days.
make_certificates() {
  local t="$1" name
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
    -keyout "$t/ca.key" -out "$t/ca.crt" -subj "/CN=kvstore local CA"
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$t/san.ext"
  for name in server client; do
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -keyout "$t/$name.key" -out "$t/$name.csr" -subj "/CN=kvstore $name"
    openssl x509 -req -in "$t/$name.csr" -CA "$t/ca.crt" -CAkey "$t/ca.key" -CAcreateserial -days 825 \
      -extfile "$t/san.ext" -out "$t/$name.crt"
  done
  chmod 600 "$t"/*.key
}

# admin ARG...: bin/kvstore-admin on this cluster's ZooKeeper.
admin() {
  "${ADMIN_ENV[@]}" "$BIN/kvstore-admin" --zk "127.0.0.1:$(zk_port)" --zk-timeout-ms 10000 "$@"
}

# ensure_cluster: creates the cluster in ZooKeeper unless it is there (a restart keeps it).
ensure_cluster() {
  local code=0 out g r spec groups=()
  out="$(admin slots show "$CLUSTER" 2>&1)" || code=$?
  case "$code" in
    0)
      say "cluster $CLUSTER is already in ZooKeeper ($(echo "$out" | head -n 1 | sed 's/^cluster [^,]*, //; s/:$//')); not creating it"
      return 0 ;;
    3) ;;   # not found: create it
    *) echo "$out" >&2; die "cannot read cluster $CLUSTER from ZooKeeper on port $(zk_port) (kvstore-admin exit $code)" ;;
  esac
  for ((g = 1; g <= NUM_GROUPS; g++)); do
    spec="127.0.0.1:$(master_port "$g")"
    for ((r = 1; r <= REPLICAS; r++)); do spec="$spec,127.0.0.1:$(replica_port "$g" "$r")"; done
    groups+=(--group "$spec")
  done
  admin cluster create "$CLUSTER" --mode "$MODE" "${groups[@]}" | sed 's/^/  /' ||
    die "kvstore-admin cluster create $CLUSTER failed"
}

# wait_registered: until every proxy started is registered in ZooKeeper, so that a
# `kvstore-admin status` right after start shows them all. Only warns when the time is up.
wait_registered() {
  local deadline out p missing
  deadline=$(($(date +%s) + REGISTER_SECONDS))
  while :; do
    out="$(admin status "$CLUSTER" --json --no-redis 2>/dev/null || true)"
    missing=""
    for ((p = 1; p <= PROXIES; p++)); do
      if ! echo "$out" | grep -q "\"address\" : \"127.0.0.1:$(proxy_port "$p")\""; then
        missing="$missing 127.0.0.1:$(proxy_port "$p")"
      fi
    done
    [ -n "$missing" ] || return 0
    if [ "$(date +%s)" -ge "$deadline" ]; then
      say "warning: not registered in ZooKeeper after ${REGISTER_SECONDS}s:$missing (they serve; see their proxy.log)"
      return 0
    fi
    sleep 0.5
  done
}

cmd_start() {
  need_redis
  find_bin
  validate_options
  prepare_dir
  tls_setup
  zk_auth_setup
  adopt_layout
  finish_options
  [ "$STATIC" = 1 ] || find_java

  local g r p ports=() port name
  for ((p = 1; p <= PROXIES; p++)); do ports+=("$(proxy_port "$p")"); done
  [ "$STATIC" = 1 ] || ports+=("$(zk_port)")
  for ((g = 1; g <= NUM_GROUPS; g++)); do
    for ((r = 0; r <= REPLICAS; r++)); do ports+=($(($(master_port "$g") + r))); done
  done
  check_ports_free "${ports[@]}"

  trap on_start_failure EXIT
  trap 'exit 130' INT TERM
  write_layout

  # ZooKeeper and every redis-server start together, then each is waited for; but when ZooKeeper
  # holds data from an earlier run, it must serve first: the topology says who is master now.
  local i master zk_data=0
  if [ "$STATIC" = 0 ] && [ -d "$DIR/zookeeper/data/version-2" ]; then zk_data=1; fi
  layout_roles
  if [ "$STATIC" = 0 ]; then
    start_zookeeper
    if [ "$zk_data" = 1 ]; then
      wait_for zookeeper "$(zk_port)" "$ZK_START_SECONDS" "not serving (srvr)" zk_serving "$(zk_port)"
      topology_roles
    fi
  fi
  for ((i = 0; i < $(server_count); i++)); do
    port="$(server_port "$i")"
    if [ "$STATIC" = 1 ]; then
      start_redis "redis-$port" "$port" "shard $((i + 1))"
    elif [ -z "${SRV_MASTER[i]}" ]; then
      start_redis "redis-$port" "$port" "${SRV_GROUP[i]} master"
    else
      start_redis "redis-$port" "$port" "${SRV_GROUP[i]} replica" "${SRV_MASTER[i]}"
    fi
  done
  for ((i = 0; i < $(server_count); i++)); do
    port="$(server_port "$i")"
    wait_for "redis-$port" "$port" "$REDIS_START_SECONDS" "no answer to PING" answers_ping "$port"
  done
  for ((i = 0; i < $(server_count); i++)); do
    master="${SRV_MASTER[i]}"
    # A master this script does not run may not be up; that is for whoever runs it to see to.
    if [ -z "$master" ] || ! our_index "$master" > /dev/null; then continue; fi
    port="$(server_port "$i")"
    wait_for "redis-$port" "$port" "$REPLICATION_SECONDS" "replication from $master not up (INFO replication)" \
      replication_up "$port"
  done

  local backends=""
  if [ "$STATIC" = 0 ]; then
    wait_for zookeeper "$(zk_port)" "$ZK_START_SECONDS" "not serving (srvr)" zk_serving "$(zk_port)"
    ensure_cluster
  else
    for ((g = 1; g <= NUM_GROUPS; g++)); do backends="${backends:+$backends,}127.0.0.1:$(master_port "$g")"; done
  fi

  for ((p = 1; p <= PROXIES; p++)); do
    port="$(proxy_port "$p")"
    if [ "$STATIC" = 1 ]; then
      start_proxy "proxy-$port" "$port" --backends "$backends"
    else
      start_proxy "proxy-$port" "$port" --zk "127.0.0.1:$(zk_port)" --cluster "$CLUSTER"
    fi
  done
  for ((p = 1; p <= PROXIES; p++)); do
    port="$(proxy_port "$p")"
    wait_for "proxy-$port" "$port" "$PROXY_START_SECONDS" "no answer to PING" answers_ping "$port"
    wait_for "proxy-$port" "$port" "$PROXY_START_SECONDS" "answers PING but routes no command (EXISTS)" routes "$port"
  done
  if [ "$STATIC" = 0 ]; then wait_registered; fi
  trap - EXIT INT TERM

  print_endpoints
}

print_endpoints() {
  local g i p line label proxies=""
  for ((p = 1; p <= PROXIES; p++)); do proxies="$proxies 127.0.0.1:$(proxy_port "$p")"; done
  say "logs and data in $DIR"
  echo
  if [ "$STATIC" = 1 ]; then
    echo "kvstore is up (static mode, $NUM_GROUPS shards, no ZooKeeper)"
  else
    echo "kvstore cluster '$CLUSTER' is up ($MODE mode, $NUM_GROUPS group(s) of 1 master + $REPLICAS replica(s))"
  fi
  printf '  %-11s%s\n' "proxies:" "${proxies# }"
  for ((p = 1; p <= PROXIES; p++)); do
    printf '  %-11s%s\n' "metrics:" "http://127.0.0.1:$(($(proxy_port "$p") + 150))/metrics (/health, /ready)"
  done
  if [ "$STATIC" = 0 ]; then printf '  %-11s%s\n' "zookeeper:" "127.0.0.1:$(zk_port)"; fi
  for ((g = 1; g <= NUM_GROUPS; g++)); do
    if [ "$STATIC" = 1 ]; then
      printf '  %-11s%s\n' "shard $g:" "127.0.0.1:$(master_port "$g")"
    else
      # The group's servers in their current roles: the master first (after a failover it need
      # not be the group's first port).
      line="" label="g$g"
      for ((i = (g - 1) * (REPLICAS + 1); i < g * (REPLICAS + 1); i++)); do
        if [ -z "${SRV_MASTER[i]}" ]; then
          line="master 127.0.0.1:$(server_port "$i")${line:+  $line}" label="${SRV_GROUP[i]}"
        else
          line="${line:+$line  }replica 127.0.0.1:$(server_port "$i")"
        fi
      done
      printf '  %-11s%s\n' "$label:" "$line"
    fi
  done
  echo
  printf '%-10s%s\n' "try:" "redis-cli -p $(proxy_port 1)${CLI_TLS[*]+ ${CLI_TLS[*]}} set hello world"
  if [ "$STATIC" = 0 ]; then
    local auth="" zk_tls="" t; t="$(tls_dir)"
    [ "$ZK_AUTH" = 0 ] || auth="KVSTORE_ZK_AUTH=\$(cat $DIR/zk-auth) "
    [ "$TLS" = 0 ] || zk_tls=" --zk-tls --zk-tls-ca $t/ca.crt --zk-tls-cert $t/client.crt --zk-tls-key $t/client.key"
    printf '%-10s%s\n' "cluster:" "$auth$BIN/kvstore-admin --zk 127.0.0.1:$(zk_port)$zk_tls status $CLUSTER"
  fi
  printf '%-10s%s\n' "status:" "$SCRIPT status --dir $DIR"
  printf '%-10s%s\n' "stop:" "$SCRIPT stop --dir $DIR"
}

# ---- stopping and status ---------------------------------------------------------------------

# stage KIND ROLE: the order in which processes stop; clients see the proxies go first, replicas
# go before their masters (a master then has no replica to wait for), ZooKeeper last (the proxies
# remove their registration on the way out).
stage() {
  case "$1" in
    proxy) echo 1 ;;
    redis) if [[ "$2" == *replica* ]]; then echo 2; else echo 3; fi ;;
    zookeeper) echo 4 ;;
    *) echo 3 ;;
  esac
}

# stop_all: per stage, TERM every recorded process that is still ours, wait, KILL what is left.
stop_all() {
  local file kind name port pid role deadline left s i
  file="$(procs_file)"
  [ -f "$file" ] || return 0
  local pids=() kinds=() names=() stages=()
  while read -r kind name port pid role; do
    pids+=("$pid"); kinds+=("$kind"); names+=("$name"); stages+=("$(stage "$kind" "$role")")
  done < "$file"

  for s in 1 2 3 4; do
    left=0
    for ((i = 0; i < ${#pids[@]}; i++)); do
      if [ "${stages[i]}" = "$s" ] && is_ours "${pids[i]}" "${kinds[i]}"; then
        kill -TERM "${pids[i]}" 2>/dev/null || true
        left=1
      fi
    done
    [ "$left" = 1 ] || continue
    deadline=$(($(date +%s) + STOP_WAIT_SECONDS))
    while :; do
      left=0
      for ((i = 0; i < ${#pids[@]}; i++)); do
        if [ "${stages[i]}" = "$s" ] && is_ours "${pids[i]}" "${kinds[i]}"; then left=1; fi
      done
      [ "$left" = 1 ] && [ "$(date +%s)" -lt "$deadline" ] || break
      sleep 0.1
    done
    for ((i = 0; i < ${#pids[@]}; i++)); do
      if [ "${stages[i]}" = "$s" ] && is_ours "${pids[i]}" "${kinds[i]}"; then
        echo "kv_store.sh: ${names[i]} (pid ${pids[i]}) ignored TERM for ${STOP_WAIT_SECONDS}s; killing it" >&2
        kill -KILL "${pids[i]}" 2>/dev/null || true
      fi
    done
  done
  for ((i = 0; i < ${#pids[@]}; i++)); do
    # Reap our own children (only when stop runs inside start's failure path); others are gone already.
    wait "${pids[i]}" 2>/dev/null || true
  done
  rm -f "$file"
  echo "stopped ${#pids[@]} processes recorded in $DIR"
}

cmd_stop() {
  if [ ! -d "$DIR" ] || [ ! -f "$DIR/procs" ]; then
    say "nothing recorded in $DIR; nothing to stop"
    return 0
  fi
  DIR="$(cd "$DIR" && pwd)"
  stop_all
}

# detail KIND PORT: what a running process says about itself, in a few words.
detail() {
  local kind="$1" port="$2" info
  case "$kind" in
    redis)
      info="$(bounded 3 redis-cli ${CLI_TLS[@]+"${CLI_TLS[@]}"} -p "$port" info replication 2>/dev/null | tr -d '\r' || true)"
      if echo "$info" | grep -qx 'role:master'; then
        echo "master, $(echo "$info" | sed -n 's/^connected_slaves://p') replica(s) connected"
      elif echo "$info" | grep -qx 'role:slave'; then
        echo "replica of $(echo "$info" | sed -n 's/^master_port://p'), link $(echo "$info" | sed -n 's/^master_link_status://p')"
      else
        echo "no answer"
      fi ;;
    proxy)
      info="$(bounded 3 redis-cli ${CLI_TLS[@]+"${CLI_TLS[@]}"} -p "$port" info proxy 2>/dev/null | tr -d '\r' || true)"
      if [ -n "$info" ]; then
        echo "slot map epoch $(echo "$info" | sed -n 's/^slot_map_epoch://p')$(echo "$info" | sed -n 's/^zk_state:\(.*\)/, zookeeper \1/p')"
      else
        echo "no answer"
      fi ;;
    zookeeper)
      info="$(zk_srvr "$port" | sed -n 's/^Mode: //p')"
      echo "${info:-not serving}" ;;
  esac
}

cmd_status() {
  if [ ! -f "$DIR/procs" ]; then
    say "no cluster recorded in $DIR"
    return 3
  fi
  DIR="$(cd "$DIR" && pwd)"
  tls_setup
  zk_auth_setup
  local kind name port pid role state dead=0 zk_running=0 code=0
  printf '%-10s %-12s %-6s %-8s %-8s %s\n' KIND ROLE PORT PID STATE DETAIL
  while read -r kind name port pid role; do
    if is_ours "$pid" "$kind"; then
      state=running
      if [ "$kind" = zookeeper ]; then zk_running=1; fi
      printf '%-10s %-12s %-6s %-8s %-8s %s\n' "$kind" "${role:--}" "$port" "$pid" "$state" "$(detail "$kind" "$port")"
    else
      dead=1
      printf '%-10s %-12s %-6s %-8s %s\n' "$kind" "${role:--}" "$port" "$pid" dead
    fi
  done < "$DIR/procs"
  if [ "$zk_running" = 1 ] && read_layout && [ "${REC_STATIC:-0}" = 0 ]; then
    CLUSTER="$REC_CLUSTER" BASE_PORT="$REC_BASE_PORT"
    find_bin
    echo
    echo "---- $BIN/kvstore-admin --zk 127.0.0.1:$(zk_port) status $CLUSTER"
    admin status "$CLUSTER" || code=$?
  fi
  if [ "$dead" = 1 ]; then return 1; fi
  if [ "$code" != 0 ]; then return 5; fi
  return 0
}

# ---- command line ----------------------------------------------------------------------------

parse_options() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --groups) NUM_GROUPS="${2:?--groups needs a number}"; GIVEN_GROUPS=1; shift 2 ;;
      --groups=*) NUM_GROUPS="${1#*=}"; GIVEN_GROUPS=1; shift ;;
      --replicas) REPLICAS="${2:?--replicas needs a number}"; GIVEN_REPLICAS=1; shift 2 ;;
      --replicas=*) REPLICAS="${1#*=}"; GIVEN_REPLICAS=1; shift ;;
      --proxies) PROXIES="${2:?--proxies needs a number}"; GIVEN_PROXIES=1; shift 2 ;;
      --proxies=*) PROXIES="${1#*=}"; GIVEN_PROXIES=1; shift ;;
      --mode) MODE="${2:?--mode needs cache or datastore}"; GIVEN_MODE=1; shift 2 ;;
      --mode=*) MODE="${1#*=}"; GIVEN_MODE=1; shift ;;
      --cluster) CLUSTER="${2:?--cluster needs a name}"; GIVEN_CLUSTER=1; shift 2 ;;
      --cluster=*) CLUSTER="${1#*=}"; GIVEN_CLUSTER=1; shift ;;
      --base-port) BASE_PORT="${2:?--base-port needs a port}"; GIVEN_BASE_PORT=1; shift 2 ;;
      --base-port=*) BASE_PORT="${1#*=}"; GIVEN_BASE_PORT=1; shift ;;
      --dir) DIR="${2:?--dir needs a directory}"; shift 2 ;;
      --dir=*) DIR="${1#*=}"; shift ;;
      --threads) THREADS="${2:?--threads needs a number}"; shift 2 ;;
      --threads=*) THREADS="${1#*=}"; shift ;;
      --static) STATIC=1; GIVEN_STATIC=1; shift ;;
      --tls) TLS=1; shift ;;
      --zk-auth) ZK_AUTH=1; shift ;;
      --clean) CLEAN=1; shift ;;
      -h|--help) usage; exit 0 ;;
      --) shift; PROXY_ARGS=("$@"); break ;;
      *) echo "kv_store.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    esac
  done
  DIR="${DIR:-$ROOT/run}"
}

main() {
  local command="${1:-}"
  [ $# -gt 0 ] && shift
  case "$command" in
    start) parse_options "$@"; cmd_start ;;
    stop) parse_options "$@"; cmd_stop ;;
    status) parse_options "$@"; cmd_status ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
