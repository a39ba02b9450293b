# Shared by scripts/test, scripts/demo and scripts/bench: install what Godwit needs.
# shellcheck shell=bash

godwit_packages=(libpq-dev libsqlite3-dev libpg-query-dev sqlite3 postgresql-15 postgresql-client-15)
# What the tests use besides: PgBouncer for the pooler test, iptables for the partition test,
# python3-venv for the Python tools, Graphviz and Chromium for the pictures tests (svg, the report opened headless).
test_packages=(pgbouncer iptables python3-venv graphviz chromium)

# Installs the Debian packages that are missing (when root), or says which are.
ensure_packages() {
    local missing=()
    for package in "$@"; do
        dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" = 0 ]; then
        echo "installing: ${missing[*]}" >&2
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "missing Debian packages: ${missing[*]}; install them with: sudo apt-get install ${missing[*]}" >&2
        return 1
    fi
}

# A free TCP port on 127.0.0.1.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Starts a throwaway PostgreSQL 15 on a free loopback port as an unprivileged user.
# Sets PG_TMP, PG_PORT, and exports GODWIT_TEST_POSTGRES_URL and GODWIT_TEST_POSTGRES_PASSWORD_URL.
start_postgres() {
    local bin=/usr/lib/postgresql/15/bin
    PG_TMP=$(mktemp -d /tmp/godwit-pg.XXXXXX)
    PG_PORT=$(free_port)
    local as=()
    if [ "$(id -u)" = 0 ]; then
        chown postgres "$PG_TMP"
        as=(runuser -u postgres --)
    fi
    "${as[@]}" "$bin/initdb" -D "$PG_TMP/data" -A trust -U postgres >"$PG_TMP/initdb.log" 2>&1
    # Password authentication for one role, to prove passwords never leak; trust for the rest.
    "${as[@]}" sh -c "printf 'host all godwit_pw 127.0.0.1/32 scram-sha-256\n%s\n' \"\$(cat '$PG_TMP/data/pg_hba.conf')\" > '$PG_TMP/data/pg_hba.conf.new' && mv '$PG_TMP/data/pg_hba.conf.new' '$PG_TMP/data/pg_hba.conf'"
    "${as[@]}" "$bin/pg_ctl" -D "$PG_TMP/data" -w -t 60 -l "$PG_TMP/server.log" \
        -o "-p $PG_PORT -k $PG_TMP -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
    psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qAt \
        -c "CREATE ROLE godwit_pw LOGIN SUPERUSER PASSWORD 's3cr3t-Pa55word'" >/dev/null
    export GODWIT_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
    export GODWIT_TEST_POSTGRES_PASSWORD_URL="postgresql://godwit_pw:s3cr3t-Pa55word@127.0.0.1:$PG_PORT/postgres"
    echo "PostgreSQL 15 on 127.0.0.1:$PG_PORT (data in $PG_TMP)" >&2
}

stop_postgres() {
    [ -n "${PG_TMP:-}" ] || return 0
    local as=()
    [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
    "${as[@]}" /usr/lib/postgresql/15/bin/pg_ctl -D "$PG_TMP/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_TMP"
}

# Starts PgBouncer in transaction pooling mode in front of the PostgreSQL of start_postgres, on a
# free loopback port, as the unprivileged postgres user. Exports GODWIT_TEST_PGBOUNCER_URL.
start_pgbouncer() {
    local as=()
    [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
    PGB_PORT=$(free_port)
    cat >"$PG_TMP/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$PG_PORT
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGB_PORT
unix_socket_dir =
auth_type = trust
auth_file = $PG_TMP/pgbouncer.users
pool_mode = transaction
max_client_conn = 400
default_pool_size = 20
ignore_startup_parameters = extra_float_digits,options,application_name
logfile = $PG_TMP/pgbouncer.log
pidfile = $PG_TMP/pgbouncer.pid
INI
    printf '"postgres" ""\n' >"$PG_TMP/pgbouncer.users"
    [ "$(id -u)" = 0 ] && chown postgres "$PG_TMP/pgbouncer.ini" "$PG_TMP/pgbouncer.users"
    "${as[@]}" pgbouncer -d "$PG_TMP/pgbouncer.ini"
    for _ in $(seq 50); do
        psql -h 127.0.0.1 -p "$PGB_PORT" -U postgres -d postgres -qAt -c 'SELECT 1' >/dev/null 2>&1 && break
        sleep 0.1
    done
    export GODWIT_TEST_PGBOUNCER_URL="postgresql://postgres@127.0.0.1:$PGB_PORT/postgres"
    echo "PgBouncer (transaction pooling) on 127.0.0.1:$PGB_PORT" >&2
}

stop_pgbouncer() {
    [ -n "${PG_TMP:-}" ] && [ -f "$PG_TMP/pgbouncer.pid" ] && kill "$(cat "$PG_TMP/pgbouncer.pid")" 2>/dev/null || true
}

# A Python virtual environment in .venv with the test tools from PyPI (pytest for the
# reliability suite, psycopg2-binary to tamper with databases behind Godwit's back, alembic (with
# SQLAlchemy) for `import alembic`). Sets PYTHON and exports GODWIT_TEST_ALEMBIC, the alembic
# executable the import tests run.
ensure_venv() {
    local venv=.venv
    if [ ! -x "$venv/bin/python" ]; then
        python3 -m venv "$venv"
    fi
    if ! "$venv/bin/python" -c 'import pytest, psycopg2, alembic' >/dev/null 2>&1; then
        echo "installing into $venv: pytest psycopg2-binary alembic" >&2
        "$venv/bin/pip" install -q --disable-pip-version-check pytest psycopg2-binary alembic >&2
    fi
    PYTHON="$PWD/$venv/bin/python"
    export GODWIT_TEST_ALEMBIC="$PWD/$venv/bin/alembic"
}
