# install-tools.sh: installs missing tools with apt-get when this run may (root, apt-get present).
# Sourced, not run, by ./test_all and scripts/kv_store.sh (shipped beside it in the tarball).
#
#   ensure_tool TOOL PACKAGE...   0 when TOOL is on PATH, after installing PACKAGEs if it was not
#                                 and can_install; 1 when it is still missing (the caller says
#                                 what to do: install_hint gives the command for this machine)
#   can_install                   root on a system with apt-get (Debian, Ubuntu)
#   apt_install PACKAGE...        apt-get update once per run, then apt-get install -y

can_install() {
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1
}

APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" = 0 ]; then
    apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

ensure_tool() {
  local tool="$1"
  shift
  command -v "$tool" >/dev/null 2>&1 && return 0
  if can_install; then
    echo "$tool is missing: installing it with apt-get install -y $*"
    apt_install "$@" || echo "apt-get install -y $* failed" >&2
    command -v "$tool" >/dev/null 2>&1 && return 0
  fi
  return 1
}

# install_hint PACKAGE...: the one command that installs PACKAGEs here, for a person to run.
install_hint() {
  if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then echo "apt-get install -y $*"; else echo "sudo apt-get install -y $*"; fi
  else
    echo "apt-get install -y $*   (Debian/Ubuntu; elsewhere your system's package of $*)"
  fi
}
