#!/usr/bin/env bash
# overload.sh: what a kvstore proxy costs and does at its limits, measured (figures for doc/reliability.md).
#
#   scripts/overload.sh [--dist DIR] [--base-port B] [--clients "5000 10000"] [--value-mb 512]
#                       [--pipeline 1000000] [--dir DIR] [-- PROXY-OPTION...]
#
# Builds nothing: runs bin/kvstore-proxy of the unpacked tree of ./build.sh (--dist, default as
# chaos.sh) in static mode over one redis-server (B+101; proxy on B, default B=28000; 127.0.0.1
# only), with its default limits unless options follow --. Raises ulimit -n (up to the hard limit)
# for itself and the proxy. Then, with a python3 raw-socket client (no library):
#   idle      RSS of the proxy with 0 clients, then with each count of --clients connected (each sent
#             one PING), and per client; one more connection past --max-clients gets its error
#   no-read   a client pipelines GET of a 1 MB value and never reads: RSS every second until the
#             proxy closes it (--max-output-buffer); another client's PING latency meanwhile
#   pipeline  --pipeline INCRs of one key in one write burst (redis-cli --pipe): time, replies, RSS
#   value     SET of a --value-mb MB value, STRLEN, GET of it back; RSS; then one byte over
#             --max-bulk-length: the documented error
#   slow      a client that sends one byte per second (a PING, 14 s) while another's PINGs go on
#   limits    --max-multibulk-length + 1 arguments, an inline line over --max-inline-length
# Prints one line per figure; also in DIR/results.txt (DIR: run/overload/). Every process it starts
# is stopped on exit.
set -euo pipefail

SCRIPTS="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPTS/.." && pwd)"
# shellcheck source=lib/dist.sh
. "$SCRIPTS/lib/dist.sh"
DIST=""
BASE_PORT=28000
CLIENTS="5000 10000"
VALUE_MB=512
PIPELINE=1000000
DIR=""
PROXY_OPTS=()
PIDS=()

die() { echo "overload: $*" >&2; exit 1; }
usage() { sed -n '2,22s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --dist) DIST="${2:?}"; shift 2 ;;
    --base-port) BASE_PORT="${2:?}"; shift 2 ;;
    --clients) CLIENTS="${2:?}"; shift 2 ;;
    --value-mb) VALUE_MB="${2:?}"; shift 2 ;;
    --pipeline) PIPELINE="${2:?}"; shift 2 ;;
    --dir) DIR="${2:?}"; shift 2 ;;
    --) shift; PROXY_OPTS=("$@"); break ;;
    -h|--help) usage; exit 0 ;;
    *) echo "overload: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
DIST="$(find_dist "$ROOT" "$DIST")" || die "$NO_DIST"
DIR="${DIR:-$ROOT/run/overload}"
command -v python3 > /dev/null && command -v redis-server > /dev/null && command -v redis-cli > /dev/null ||
  die "needs python3, redis-server and redis-cli"
PROXY_PORT=$BASE_PORT
REDIS_PORT=$((BASE_PORT + 101))
for p in $PROXY_PORT $REDIS_PORT; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then die "port $p is in use: choose another --base-port"; fi
done

cleanup() {
  local code=$? pid
  trap - EXIT INT TERM
  for pid in ${PIDS[@]+"${PIDS[@]}"}; do kill "$pid" 2>/dev/null || true; done
  for pid in ${PIDS[@]+"${PIDS[@]}"}; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  exit $code
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
rm -rf "$DIR"
mkdir -p "$DIR"
# One redis-server that takes the big value (proto-max-bulk-len is 512 MB by default too).
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --maxclients 1000 \
  --client-output-buffer-limit "normal 0 0 0" --dir "$DIR" --logfile "$DIR/redis.log" --daemonize no < /dev/null > /dev/null 2>&1 &
PIDS+=($!)
"$DIST/bin/kvstore-proxy" --listen "127.0.0.1:$PROXY_PORT" --backends "127.0.0.1:$REDIS_PORT" \
  ${PROXY_OPTS[@]+"${PROXY_OPTS[@]}"} < /dev/null > "$DIR/proxy.log" 2>&1 &
PROXY_PID=$!
PIDS+=($PROXY_PID)
for _ in $(seq 1 300); do
  [ "$(redis-cli -p "$PROXY_PORT" ping 2>/dev/null)" = PONG ] && break
  sleep 0.1
done
[ "$(redis-cli -p "$PROXY_PORT" ping 2>/dev/null)" = PONG ] || die "the proxy did not start (see $DIR/proxy.log)"
# The launcher execs java: the proxy's RSS is this pid's.
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) kvstore $(cat "$DIST/VERSION" 2>/dev/null), $(nproc) cores, $(free -m | awk '/Mem:/ { print $2 }') MB RAM, ulimit -n $(ulimit -n); proxy options: ${PROXY_OPTS[*]:-defaults}" \
  | tee "$DIR/results.txt"

python3 - "$PROXY_PORT" "$PROXY_PID" "$CLIENTS" "$VALUE_MB" "$PIPELINE" 2>&1 <<'EOF' | tee -a "$DIR/results.txt"
import os, socket, subprocess, sys, threading, time

port, pid = int(sys.argv[1]), int(sys.argv[2])
client_counts = [int(c) for c in sys.argv[3].split()]
value_mb, pipeline = int(sys.argv[4]), int(sys.argv[5])

def rss_mb():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0

def connect(timeout=10):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s

def cmd(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out

def read_line(s, buf=bytearray()):
    while b"\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    i = buf.index(b"\r\n")
    line = bytes(buf[:i]); del buf[:i + 2]
    return line

def reply(s):
    """One reply (a bulk's body is read and dropped); returns its first line."""
    line = read_line(s)
    if line[:1] == b"$" and int(line[1:]) >= 0:
        n = int(line[1:]) + 2
        # the body may already be partly buffered in read_line's buffer
        buf = read_line.__defaults__[0]
        take = min(n, len(buf)); del buf[:take]; n -= take
        while n > 0:
            chunk = s.recv(min(n, 1 << 20))
            if not chunk:
                raise ConnectionError("closed")
            n -= len(chunk)
    return line

def ping_ms(s):
    """Another client's GET of a small key through the proxy and the redis-server (a PING is answered by the proxy itself)."""
    t = time.time(); s.sendall(cmd("GET", "ov:small")); r = reply(s); return (time.time() - t) * 1000, r

def say(what):
    print(what, flush=True)

# ---- idle clients ---------------------------------------------------------------------------
time.sleep(2)
base = rss_mb()
say(f"idle: proxy RSS with 0 clients: {base:.0f} MB")
clients = []
for n in client_counts:
    try:
        first = len(clients)
        while len(clients) < n:
            s = connect()
            s.sendall(cmd("PING"))
            clients.append(s)
        for s in clients[first:]:
            s.recv(64)   # +PONG: the session is set up
        time.sleep(3)
        r = rss_mb()
        say(f"idle: {len(clients)} clients connected: RSS {r:.0f} MB, {(r - base) * 1024 / len(clients):.1f} KB per idle client")
    except OSError as e:
        say(f"idle: stopped at {len(clients)} clients: {e}")
        break
try:
    s = connect(); s.sendall(cmd("PING")); s.settimeout(5)
    say(f"idle: one more connection with {len(clients)} open: {reply(s).decode()!r}")
    s.close()
except Exception as e:
    say(f"idle: one more connection with {len(clients)} open: {e!r}")
for s in clients:
    s.close()
clients = []
time.sleep(3)
say(f"idle: all closed: RSS {rss_mb():.0f} MB")

# ---- a client that never reads -------------------------------------------------------------
c = connect(timeout=60); c.sendall(cmd("SET", "ov:1m", b"x" * (1 << 20))); reply(c)
c.sendall(cmd("SET", "ov:small", "1")); reply(c)
victim = connect()
victim.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
victim.settimeout(None)   # its sends block once the proxy stops reading it: that is backpressure, not an end
stop = threading.Event()
sent = [0]
def flood():
    req = cmd("GET", "ov:1m") * 64
    try:
        while not stop.is_set():
            victim.sendall(req); sent[0] += 64
    except OSError as e:
        sent.append(str(e))
before = rss_mb(); peak = before; t0 = time.time(); worst = 0.0; closed_at = None
th = threading.Thread(target=flood, daemon=True); th.start()
while time.time() - t0 < 60:
    time.sleep(1)
    peak = max(peak, rss_mb())
    ms, _ = ping_ms(c); worst = max(worst, ms)
    if not th.is_alive():
        closed_at = time.time() - t0
        break
stop.set()
try:
    victim.shutdown(socket.SHUT_RDWR)
except OSError:
    pass   # already closed by the proxy
say(f"no-read: RSS {before:.0f} MB before, peak {peak:.0f} MB; {sent[0]} GETs of 1 MB sent; "
    + (f"closed by the proxy after {closed_at:.1f} s ({sent[-1] if len(sent) > 1 else ''})" if closed_at else "not closed in 60 s")
    + f"; another client's GET at worst {worst:.1f} ms meanwhile")
victim.close()
time.sleep(3)
say(f"no-read: RSS {rss_mb():.0f} MB 3 s after")

# ---- a pipeline of 1M commands ---------------------------------------------------------------
c.sendall(cmd("DEL", "ov:counter")); reply(c)
path = "/tmp/overload-pipe-%d.resp" % os.getpid()
with open(path, "wb") as f:
    one = cmd("INCR", "ov:counter")
    for _ in range(pipeline // 1000):
        f.write(one * 1000)
before = rss_mb(); peak = [before]
done = threading.Event()
def watch():
    while not done.is_set():
        peak[0] = max(peak[0], rss_mb()); time.sleep(0.2)
threading.Thread(target=watch, daemon=True).start()
t = time.time()
p = subprocess.run(["redis-cli", "-p", str(port), "--pipe"], stdin=open(path, "rb"), capture_output=True, text=True)
took = time.time() - t
done.set(); os.unlink(path)
c.sendall(cmd("GET", "ov:counter")); reply(c)
c.sendall(cmd("GET", "ov:counter")); c.settimeout(10)
line = read_line(c); val = read_line(c)
say(f"pipeline: {pipeline} INCRs in one stream (redis-cli --pipe) in {took:.1f} s = {pipeline / took:.0f}/s; "
    f"{p.stdout.strip().splitlines()[-1] if p.stdout.strip() else p.stderr.strip()}; counter {val.decode()}; RSS {before:.0f} -> peak {peak[0]:.0f} MB")

# ---- a big value -----------------------------------------------------------------------------
n = value_mb << 20
path = "/tmp/overload-value-%d" % os.getpid()
with open(path, "wb") as f:
    chunk = b"v" * (1 << 20)
    for _ in range(value_mb):
        f.write(chunk)
before = rss_mb(); peak = [before]; done.clear()
threading.Thread(target=watch, daemon=True).start()
t = time.time()
p = subprocess.run(["redis-cli", "-p", str(port), "-x", "set", "ov:big"], stdin=open(path, "rb"), capture_output=True, text=True)
t_set = time.time() - t
os.unlink(path)
c.settimeout(120)
c.sendall(cmd("STRLEN", "ov:big")); strlen = reply(c)
t = time.time(); c.sendall(cmd("GET", "ov:big")); g = reply(c); t_get = time.time() - t
done.set()
say(f"value: SET of {value_mb} MB (redis-cli -x): {(p.stdout.strip() or p.stderr.strip())[:80]} in {t_set:.1f} s, STRLEN {strlen.decode()}, "
    f"GET back {g.decode()[:12]} in {t_get:.1f} s; RSS {before:.0f} -> peak {peak[0]:.0f} MB")
c.sendall(cmd("DEL", "ov:big")); reply(c)
over = connect()
over.sendall(b"*3\r\n$3\r\nSET\r\n$6\r\nov:big\r\n$%d\r\n" % (n + 1) if n + 1 > 536870912 else b"*3\r\n$3\r\nSET\r\n$6\r\nov:big\r\n$%d\r\n" % (536870912 + 1))
over.settimeout(10)
try:
    say(f"value: one byte over --max-bulk-length: {reply(over).decode()!r}, then {'closed' if over.recv(10) == b'' else 'still open'}")
except Exception as e:
    say(f"value: one byte over --max-bulk-length: {e!r}")
over.close()
time.sleep(3)
say(f"value: RSS {rss_mb():.0f} MB 3 s after")

# ---- one byte per second -----------------------------------------------------------------------
slow = connect(timeout=30)
req = cmd("PING")
worst = 0.0
t = time.time()
for b in req:
    slow.sendall(bytes([b]))
    ms, _ = ping_ms(c); worst = max(worst, ms)
    time.sleep(1)
r = reply(slow)
say(f"slow: a PING sent one byte per second ({len(req)} s): {r.decode()!r}; another client's GET at worst {worst:.1f} ms meanwhile")
slow.close()

# ---- other limits ---------------------------------------------------------------------------------
m = connect(); m.settimeout(10)
m.sendall(b"*1048577\r\n")
try:
    say(f"limits: *1048577 (one argument over --max-multibulk-length): {reply(m).decode()!r}")
except Exception as e:
    say(f"limits: *1048577: {e!r}")
m.close()
m = connect(); m.settimeout(10)
m.sendall(b"PING " + b"x" * 70000 + b"\r\n")
try:
    say(f"limits: a 70,000-byte inline command (over --max-inline-length): {reply(m).decode()!r}")
except Exception as e:
    say(f"limits: inline: {e!r}")
m.close()
ms, r = ping_ms(c)
say(f"after all: GET {r.decode()} in {ms:.1f} ms; RSS {rss_mb():.0f} MB")
EOF
