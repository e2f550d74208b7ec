# A private PostgreSQL for a test or a benchmark: sourced, not run. Starts Debian's PostgreSQL
# on a Unix socket in a new temporary directory, with no TCP listener, as the unprivileged
# `postgres` user when the caller is root (PostgreSQL refuses to run as root), and stops it and
# removes the directory on exit (POLICY_KEEP_WORK=1 keeps the directory, for debugging).
#
# After `start_private_postgres`: $work is the temporary directory (the caller's too), `sql`
# runs psql on the server (-At, stop on the first error; add -d DB), `pg_version` is its version.
# `private_postgres_available` says whether PostgreSQL is installed.

pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -1 || true)"

private_postgres_available() {
  [[ -n "$pg_bin" && -x "$pg_bin/initdb" ]] && command -v psql > /dev/null
}

start_private_postgres() {
  work="$(mktemp -d)"
  chmod 755 "$work"
  as_pg=()
  if [[ "$(id -u)" == 0 ]]; then
    id postgres > /dev/null 2>&1 || { echo "running as root, but there is no unprivileged postgres user"; return 1; }
    as_pg=(runuser -u postgres --)
    mkdir "$work/pg" && chown postgres "$work/pg"
  else
    mkdir "$work/pg"
  fi
  trap stop_private_postgres EXIT
  "${as_pg[@]}" "$pg_bin/initdb" -D "$work/pg/data" -A trust -U policy -E UTF8 --locale=C.UTF-8 --no-sync \
    > "$work/initdb.log" 2>&1 || { cat "$work/initdb.log"; echo "initdb failed"; return 1; }
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg/data" -w -l "$work/pg/server.log" \
    -o "-c listen_addresses='' -c unix_socket_directories=$work/pg -c fsync=off -c full_page_writes=off" \
    start > /dev/null || { cat "$work/pg/server.log"; echo "PostgreSQL did not start"; return 1; }
  pg_version="$("$pg_bin/postgres" --version | awk '{print $3}')"
}

stop_private_postgres() {
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg/data" -m immediate stop > /dev/null 2>&1 || true
  if [[ -n "${POLICY_KEEP_WORK:-}" ]]; then
    echo "kept $work"
  else
    rm -rf "$work"
  fi
}

sql() { psql -h "$work/pg" -U policy -v ON_ERROR_STOP=1 -q -At "$@"; }
