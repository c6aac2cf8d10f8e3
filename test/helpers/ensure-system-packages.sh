#!/usr/bin/env bash
# Installs the system packages the integration / e2e tests need on a fresh
# Debian machine. Detection is by binary, so it is silent (and never touches
# apt) when everything is already present.
#
#   test/helpers/ensure-system-packages.sh            install whatever is missing
#   test/helpers/ensure-system-packages.sh --dry-run  only print what would be installed
set -euo pipefail

dry_run=0
case "${1:-}" in
  --dry-run | -n) dry_run=1 ;;
  '') ;;
  *) echo "usage: $0 [--dry-run]" >&2; exit 2 ;;
esac

have() { command -v "$1" >/dev/null 2>&1 || [ -x "$1" ]; }

# PostgreSQL server binaries live in a versioned dir, not on PATH.
have_postgres_server() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/postgres" ] && [ -x "$d/initdb" ] && return 0
  done
  return 1
}

missing=()
need() { # need PACKAGE CHECK...
  local pkg=$1; shift
  local check
  for check in "$@"; do
    if ! eval "$check"; then missing+=("$pkg"); return; fi
  done
}

need mariadb-server    'have /usr/sbin/mariadbd' 'have mariadb-install-db'
need mariadb-client    'have mariadb'
need postgresql        'have_postgres_server'
need postgresql-client 'have psql' 'have pg_isready'
need redis-server      'have /usr/bin/redis-server'
need redis-tools       'have redis-cli'
need sqlite3           'have sqlite3'
need openssl           'have openssl'
need openssh-server    'have /usr/sbin/sshd' 'have ssh-keygen'
need chromium          'have chromium'

[ ${#missing[@]} -eq 0 ] && exit 0

echo "ensure-system-packages: missing: ${missing[*]}" >&2
if [ "$dry_run" -eq 1 ]; then
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if have sudo; then sudo=(sudo); else echo "ensure-system-packages: not root and no sudo" >&2; exit 1; fi
fi

export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update
"${sudo[@]}" apt-get install -y "${missing[@]}"
