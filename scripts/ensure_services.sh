#!/usr/bin/env bash
# Installs the PostgreSQL, Redis and Prometheus *binaries* the integration tests need (and
# promtool, which checks the alert rules), and tmux for the console's terminal smoke test,
# when missing.
# The tests start their own servers on loopback ports in temp dirs and stop them; nothing
# here starts a service.
set -euo pipefail

have_pg() {
  command -v initdb >/dev/null 2>&1 && return 0
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
}
have_redis() { command -v redis-server >/dev/null 2>&1; }
have_tmux() { command -v tmux >/dev/null 2>&1; }
have_prometheus() { command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; }

missing=()
have_pg || missing+=(postgresql)
have_redis || missing+=(redis-server)
have_tmux || missing+=(tmux)
have_prometheus || missing+=(prometheus)
[ ${#missing[@]} -eq 0 ] && { echo "services: postgresql, redis-server, prometheus and tmux present"; exit 0; }

echo "services: installing ${missing[*]} from Debian packages"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's packages try to start a cluster/daemon; the tests run their own, so stop any.
$SUDO service postgresql stop >/dev/null 2>&1 || true
$SUDO service redis-server stop >/dev/null 2>&1 || true
$SUDO service prometheus stop >/dev/null 2>&1 || true
$SUDO service prometheus-node-exporter stop >/dev/null 2>&1 || true
echo "services: ready"
