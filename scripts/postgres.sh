#!/usr/bin/env bash
# A throw-away PostgreSQL server for the tests: its own cluster in a temp folder, on 127.0.0.1, stopped on exit.
# Exports WEIR_TEST_POSTGRES (an Npgsql connection string). Sourced by scripts/test.sh.

start_test_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [[ -z "$bin" ]]; then echo "PostgreSQL is not installed" >&2; return 1; fi
  PG_DIR=$(mktemp -d /tmp/weir-pg-XXXXXX)
  PG_PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  local run=()
  if [[ $(id -u) -eq 0 ]]; then
    # The server refuses to run as root.
    chown postgres:postgres "$PG_DIR"
    run=(runuser -u postgres --)
  fi
  "${run[@]}" "$bin/initdb" -D "$PG_DIR/data" -U weir --auth=trust -E UTF8 >/dev/null
  "${run[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c max_connections=200" start >/dev/null
  export WEIR_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=weir;Database=postgres"
  PG_RUN=("${run[@]}")
  PG_BIN=$bin
  echo "PostgreSQL for tests: 127.0.0.1:$PG_PORT"
}

stop_test_postgres() {
  if [[ -n "${PG_DIR:-}" ]]; then
    "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
