#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL server for the team-store tests:
#   bash scripts/with-test-postgres.sh .venv/bin/python -m pytest
# Starts a cluster in a temp dir on a free 127.0.0.1 port (as the `postgres` OS user when run as
# root), exports PLAYBOOK_TEST_PG_URL, runs "$@", then stops the cluster and deletes the dir.
# The command's exit code is passed on. With PLAYBOOK_TEST_PG_URL already set, that server is
# used as is. Without PostgreSQL binaries: in CI it fails; locally it says how to get them and
# runs the command anyway (the PostgreSQL tests then skip).
set -uo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: bash scripts/with-test-postgres.sh COMMAND [ARGS...]" >&2
  exit 2
fi

if [ -n "${PLAYBOOK_TEST_PG_URL:-}" ]; then
  exec "$@"
fi

find_pg_bin() {
  if [ -n "${PG_BIN:-}" ] && [ -x "$PG_BIN/initdb" ]; then
    echo "$PG_BIN"
    return 0
  fi
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then
    echo "$dir"
    return 0
  fi
  if command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return 0
  fi
  return 1
}

if ! PG_BIN=$(find_pg_bin); then
  msg="with-test-postgres: no PostgreSQL server binaries (initdb, pg_ctl) found."
  if [ -n "${CI:-}" ]; then
    echo "$msg In CI they are required: run 'bash scripts/install-system-deps.sh' as root." >&2
    exit 1
  fi
  echo "$msg" >&2
  echo "  Install them with 'sudo make system' (Debian package 'postgresql'), or set" >&2
  echo "  PG_BIN=/path/to/bin. Running without PostgreSQL; those tests will skip." >&2
  exec "$@"
fi

# initdb refuses to run as root, so the server runs as the postgres OS user.
as_pg=()
if [ "$(id -u)" = 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin postgres || exit 1
  fi
  as_pg=(runuser -u postgres --)
fi

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
  else
    echo $((20000 + RANDOM % 40000))
  fi
}

base="${TMPDIR:-/tmp}"
# The postgres user must reach the cluster dir; a private TMPDIR (e.g. root's) would not do.
if [ "${#as_pg[@]}" -gt 0 ] && ! "${as_pg[@]}" test -w "$base" -a -x "$base"; then
  base=/tmp
fi
tmp=$(mktemp -d "$base/playbook-pg.XXXXXX") || exit 1
chmod 700 "$tmp"
[ "${#as_pg[@]}" -gt 0 ] && chown postgres: "$tmp"
started=0

cleanup() {
  if [ "$started" = 1 ]; then
    "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$tmp/data" -m immediate -w stop >/dev/null 2>&1
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# If our output pipe is gone (e.g. `| tail` killed with us), a write must not kill this shell
# before the EXIT trap has stopped the cluster. The command itself gets the default back.
trap '' PIPE

if ! "${as_pg[@]}" "$PG_BIN/initdb" -D "$tmp/data" -U postgres -A trust -E UTF8 --no-locale \
    >"$tmp/initdb.log" 2>&1; then
  echo "with-test-postgres: initdb failed:" >&2
  cat "$tmp/initdb.log" >&2
  exit 1
fi

port=""
for _ in 1 2 3 4 5; do
  port=$(free_port)
  # Loopback only; fsync off because this cluster is thrown away after the run.
  if "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 30 start \
      -o "-p $port -k $tmp -c listen_addresses=127.0.0.1 -c fsync=off \
          -c full_page_writes=off -c max_connections=200" >/dev/null 2>&1; then
    started=1
    break
  fi
done
if [ "$started" != 1 ]; then
  echo "with-test-postgres: the server did not start:" >&2
  cat "$tmp/server.log" >&2
  exit 1
fi

if ! "${as_pg[@]}" "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres playbook_test; then
  echo "with-test-postgres: could not create the test database" >&2
  exit 1
fi

export PLAYBOOK_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$port/playbook_test"
echo "with-test-postgres: PostgreSQL $("$PG_BIN/postgres" -V | awk '{print $3}') on" \
  "127.0.0.1:$port, cluster in $tmp (removed on exit); PLAYBOOK_TEST_PG_URL set" >&2
(trap - PIPE; exec "$@")
rc=$?
exit "$rc"
