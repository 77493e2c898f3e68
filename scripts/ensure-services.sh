#!/usr/bin/env bash
# Make sure what the test suite talks to is here and running: PostgreSQL and
# Redis on 127.0.0.1, and Debian's chromium for the browser tests. Installs
# them from Debian's packages when missing (needs root or sudo), starts them
# when stopped, and leaves a running setup alone.
set -euo pipefail

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    echo "ensure-services: need root (or sudo) to run: $*" >&2; return 1; fi
}
export DEBIAN_FRONTEND=noninteractive
apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root apt-get install -y -qq "$@" >/dev/null
}

# --- PostgreSQL ---------------------------------------------------------------
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if ! command -v pg_lsclusters >/dev/null 2>&1; then
    echo "ensure-services: installing PostgreSQL"
    apt_install postgresql postgresql-contrib
    fresh_pg=1
  fi
  cluster=$(pg_lsclusters --no-header 2>/dev/null | awk 'NR==1 {print $1" "$2}')
  if [ -n "$cluster" ]; then
    echo "ensure-services: starting PostgreSQL $cluster"
    # shellcheck disable=SC2086
    as_root pg_ctlcluster --skip-systemctl-redirect $cluster start || true
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  if [ "${fresh_pg:-}" = 1 ]; then
    # A fresh Debian install asks for a password over TCP: give the
    # superuser the one the test settings use.
    as_root su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\""
  fi
fi
pg_isready -q -h 127.0.0.1 -p 5432 || { echo "ensure-services: PostgreSQL is not answering on 127.0.0.1:5432" >&2; exit 1; }

# --- Redis --------------------------------------------------------------------------
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "ensure-services: installing Redis"
    apt_install redis-server
  fi
  echo "ensure-services: starting Redis"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/oldestate-test.log
  for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "ensure-services: Redis is not answering on 127.0.0.1:6379" >&2; exit 1; }

# --- Chromium for the browser tests (Debian's, never a downloaded one) -------------------
if [ ! -x /usr/bin/chromium ]; then
  echo "ensure-services: installing chromium"
  apt_install chromium fonts-wqy-microhei
fi
