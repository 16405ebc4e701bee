#!/usr/bin/env bash
# Build kvstore and package it.
#
#   ./build.sh              build, then assemble dist/kvstore-<version>/ and dist/kvstore-<version>.tar.gz
#                           (<version> is the one in pom.xml, or `git describe` if the pom has none)
#   ./build.sh version X    the same with version X, and also write kvstore-X.tar.gz in the current directory
#
# The unpacked tree runs from any directory with only a JDK 17+ on PATH:
#   bin/kvstore-proxy  bin/kvstore-admin  lib/*.jar (with ZooKeeper's server)  conf/proxy.yml  conf/zoo.cfg
#   scripts/kv_store.sh  scripts/install-tools.sh  scripts/bench.sh  scripts/chaos.sh  README  VERSION
# Launcher sources live in packaging/; this script only copies them.
set -euo pipefail

ROOT="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CALLER_DIR="$(pwd)"

usage() {
  sed -n '2,11s/^# \{0,1\}//p' "$ROOT/build.sh"
}

die() {
  echo "build.sh: $*" >&2
  exit 1
}

pom_version() {
  # The project's own <version>: the first one at two spaces of indentation in the root pom.
  sed -n 's:^  <version>\([^<]*\)</version>.*:\1:p' "$ROOT/pom.xml" | head -n 1
}

default_version() {
  local v
  v="$(pom_version)"
  if [ -z "$v" ]; then
    v="$(git -C "$ROOT" describe --tags --always --dirty 2>/dev/null || true)"
  fi
  [ -n "$v" ] || die "cannot tell the version: no <version> in pom.xml and no git history"
  echo "$v"
}

check_tools() {
  command -v mvn >/dev/null 2>&1 || die "mvn not found (Debian: apt-get install -y maven)"
  command -v java >/dev/null 2>&1 || [ -x "${JAVA_HOME:-/nonexistent}/bin/java" ] ||
    die "java not found (Debian: apt-get install -y openjdk-17-jdk-headless)"
}

maven_build() {
  # Stale jars from an older dependency set would end up in lib/: start each build from empty lib dirs.
  rm -rf "$ROOT/proxy/target/lib" "$ROOT/admin/target/lib"
  (cd "$ROOT" && mvn -B -q -DskipTests package dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory=target/lib)
}

# main_jar MODULE: the module's own jar (not -sources or -tests).
main_jar() {
  local module="$1" jar
  jar="$ROOT/$module/target/kvstore-$module-$(pom_version).jar"
  [ -f "$jar" ] || die "$jar was not built"
  echo "$jar"
}

# newest_versions JAR...: the jars to package, one version per artifact. Maven resolves each
# module alone, so proxy and admin may pull two versions of one library; like Maven across a
# single tree would, keep the highest (with a note). Classifier variants of one version all stay.
newest_versions() {
  local jar name artifact rest
  for jar in "$@"; do
    name="$(basename "$jar" .jar)"
    artifact="$(echo "$name" | sed 's/-[0-9].*$//')"   # slf4j-api-2.0.16 -> slf4j-api
    rest="${name#"$artifact"-}"                           # 32.0.0-jre -> version 32.0.0
    printf '%s\t%s\t%s\n' "$artifact" "${rest%%-*}" "$jar"
  done | sort -t "$(printf '\t')" -k1,1 -k2,2V | awk -F '\t' '
    { artifact[NR] = $1; version[NR] = $2; path[NR] = $3; highest[$1] = $2 }
    END {
      for (i = 1; i <= NR; i++) {
        if (version[i] == highest[artifact[i]]) print path[i]
        else printf "build.sh: note: %s %s and %s both resolved; packaging %s\n", artifact[i], version[i], highest[artifact[i]], highest[artifact[i]] > "/dev/stderr"
      }
    }'
}

# copy_jars DEST JAR...: copy into DEST once per file name; the same name with other bytes is an error.
copy_jars() {
  local dest="$1" jar name
  shift
  for jar in "$@"; do
    name="$(basename "$jar")"
    if [ -e "$dest/$name" ]; then
      cmp -s "$jar" "$dest/$name" || die "two different jars named $name: $jar and $dest/$name"
    else
      cp "$jar" "$dest/$name"
    fi
  done
}

# stamp_version JAR VERSION: write Implementation-Title/Version into the packaged copy, which
# `kvstore-proxy --version` reads. Needs the JDK's jar tool; skipped (with a note) without it.
stamp_version() {
  local jar="$1" version="$2" manifest
  if ! command -v jar >/dev/null 2>&1; then
    echo "build.sh: note: no 'jar' tool (JRE only?), $(basename "$jar") keeps its manifest" >&2
    return 0
  fi
  manifest="$(mktemp)"
  printf 'Implementation-Title: %s\nImplementation-Version: %s\n' "$(basename "$jar" .jar)" "$version" > "$manifest"
  jar --update --file "$jar" --manifest "$manifest" 2>/dev/null ||
    jar ufm "$jar" "$manifest" # older jar tools
  rm -f "$manifest"
}

# check_zookeeper_server LIB: scripts/kv_store.sh runs a ZooKeeper server from lib/; the client
# side (Curator) needs only part of what the server does, so say at once if a piece is missing.
check_zookeeper_server() {
  local lib="$1" artifact
  for artifact in zookeeper zookeeper-jute metrics-core snappy-java; do
    ls "$lib/$artifact"-[0-9]*.jar > /dev/null 2>&1 ||
      die "$artifact-*.jar is not among the runtime dependencies packaged in lib/; scripts/kv_store.sh needs it to run ZooKeeper (add it to a module's pom.xml)"
  done
}

write_readme() {
  local out="$1" version="$2"
  cat > "$out" <<EOF
kvstore $version: a multi-threaded sharding proxy for Redis.

Needs a JDK or JRE 17+ on PATH (or JAVA_HOME). For the local cluster script, also
redis-server and redis-cli (Debian: apt-get install -y redis-server).

  scripts/kv_store.sh start        ZooKeeper on 7100, 3 groups of a master and a replica on
                                   7101-7106, and 2 proxies on 7000 and 7001
  redis-cli -p 7000 set k v        talk to the cluster through either proxy
  bin/kvstore-admin --zk 127.0.0.1:7100 status kvstore     the whole cluster, as ZooKeeper has it
  scripts/kv_store.sh status       what is running
  scripts/kv_store.sh stop         stop exactly what start started
  scripts/kv_store.sh --help       groups, replicas, proxies, ports, --static

  bin/kvstore-proxy --help                                        every option
  bin/kvstore-proxy --listen 127.0.0.1:7000 --zk 127.0.0.1:2181 --cluster shop
  bin/kvstore-proxy --listen 127.0.0.1:7000 --backends 127.0.0.1:7101,127.0.0.1:7102   static mode
  bin/kvstore-proxy --config conf/proxy.yml                       the same options as YAML
  KVSTORE_MAX_CLIENTS=100 bin/kvstore-proxy ...                   or as KVSTORE_* environment variables
  KVSTORE_JAVA_OPTS="-Xmx2g" bin/kvstore-proxy ...                extra JVM options

  bin/kvstore-admin --help         the operator CLI: clusters, groups, slots, status (in ZooKeeper)
  java -cp 'lib/*' org.apache.zookeeper.server.ZooKeeperServerMain conf/zoo.cfg
                                   a standalone ZooKeeper from the jars in lib/
  scripts/bench.sh --help          compare the proxy with redis-server and twemproxy

Not built yet: resharding (moving the keys of a slot) and failover.
EOF
}

assemble() {
  local version="$1" dist="$ROOT/dist" name="kvstore-$1"
  local tree="$dist/$name" jar
  rm -rf "$tree" "$dist/$name.tar.gz"
  mkdir -p "$tree/bin" "$tree/lib" "$tree/conf" "$tree/scripts"

  cp "$ROOT/packaging/bin/kvstore-proxy" "$ROOT/packaging/bin/kvstore-admin" "$tree/bin/"
  cp "$ROOT/packaging/conf/proxy.yml" "$ROOT/packaging/conf/zoo.cfg" "$tree/conf/"
  cp "$ROOT/scripts/kv_store.sh" "$ROOT/scripts/install-tools.sh" "$ROOT/scripts/bench.sh" "$ROOT/scripts/chaos.sh" "$tree/scripts/"
  mkdir -p "$tree/scripts/lib"
  cp "$ROOT/scripts/lib/bench-run.sh" "$ROOT/scripts/lib/dist.sh" "$ROOT/scripts/lib/bench-syscalls.sh" "$ROOT/scripts/lib/bench-report.awk" "$ROOT/scripts/lib/PubSubBench.java" "$tree/scripts/lib/"
  chmod 755 "$tree/bin/"* "$tree/scripts/"*

  local jars=()
  while IFS= read -r jar; do jars+=("$jar"); done < <(newest_versions "$(main_jar proxy)" "$(main_jar admin)" \
    "$ROOT"/proxy/target/lib/*.jar "$ROOT"/admin/target/lib/*.jar)
  copy_jars "$tree/lib" "${jars[@]}"
  check_zookeeper_server "$tree/lib"
  for jar in "$tree"/lib/kvstore-*.jar; do
    stamp_version "$jar" "$version"
  done

  write_readme "$tree/README" "$version"
  echo "$version" > "$tree/VERSION"

  if tar --version 2>/dev/null | grep -q 'GNU tar'; then
    tar -C "$dist" --sort=name --owner=0 --group=0 --numeric-owner -czf "$dist/$name.tar.gz" "$name"
  else
    tar -C "$dist" -czf "$dist/$name.tar.gz" "$name"
  fi
  echo "built $tree"
  echo "built $dist/$name.tar.gz"
}

main() {
  local version="" copy_to_cwd=0
  case "${1:-}" in
    "") ;;
    version)
      [ $# -eq 2 ] || die "usage: ./build.sh version X"
      version="$2"
      copy_to_cwd=1
      ;;
    -h|--help|help)
      usage
      exit 0
      ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
  if [ -z "$version" ]; then
    version="$(default_version)"
  fi
  [[ "$version" =~ ^[A-Za-z0-9][A-Za-z0-9._+-]*$ ]] || die "bad version '$version' (letters, digits, . _ + -)"

  check_tools
  maven_build
  assemble "$version"
  if [ "$copy_to_cwd" = 1 ]; then
    if [ "$CALLER_DIR" != "$ROOT/dist" ]; then
      cp "$ROOT/dist/kvstore-$version.tar.gz" "$CALLER_DIR/kvstore-$version.tar.gz"
    fi
    echo "built $CALLER_DIR/kvstore-$version.tar.gz"
  fi
}

main "$@"
