#!/usr/bin/env bash
# Install the Debian packages the tests need: Chromium (browser tests drive /usr/bin/chromium;
# Playwright's own browser download cannot work here), PostgreSQL (team-store tests),
# Graphviz (scenario maps: the `dot` program behind the `graphviz` Python package) and
# Node.js with npm (the team server's configurable-http-proxy).
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v pg_ctl >/dev/null 2>&1 || [ -x /usr/lib/postgresql/15/bin/pg_ctl ] \
  || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need+=(postgresql)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
fc-list 2>/dev/null | grep -qi 'cjk' || need+=(fonts-noto-cjk)
command -v dot >/dev/null 2>&1 || need+=(graphviz)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "install-system-deps: not root; install these Debian packages for the browser and"
  echo "PostgreSQL tests (they skip locally without them): ${need[*]}"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "install-system-deps: installed ${need[*]}"
