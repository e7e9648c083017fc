#!/usr/bin/env bash
# Make sure the local PostgreSQL (the production warehouse's engine) runs on 127.0.0.1:5432 and has
# the role and database trappe (and airflow_meta for Airflow's metadata). Idempotent: run it as often
# as you like. Prints the URL to use.
#
# The password is never in the repo: it is TRAPPE_PG_PASSWORD if set, else a random one generated
# once per machine and kept (mode 600) in ~/.config/trappe/postgres.password, so that every checkout
# on the machine (a fresh clone for CI included) agrees on it.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "PostgreSQL is not installed: installing it from Debian's packages" >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /etc/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online" {found=1} END {exit !found}'; then
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
fi
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done

config_dir=${XDG_CONFIG_HOME:-$HOME/.config}/trappe
mkdir -p "$config_dir"
password_file=$config_dir/postgres.password
if [ -n "${TRAPPE_PG_PASSWORD:-}" ]; then
  password=$TRAPPE_PG_PASSWORD
elif [ -s "$password_file" ]; then
  password=$(cat "$password_file")
else
  password=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  (umask 077 && printf '%s' "$password" > "$password_file")
fi

as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else su postgres -c "$(printf '%q ' "$@")"; fi; }
as_postgres psql -q -v ON_ERROR_STOP=1 -v pw="$password" <<'SQL' >/dev/null
SELECT format('CREATE ROLE trappe LOGIN CREATEROLE PASSWORD %L', :'pw') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'trappe') \gexec
SELECT format('ALTER ROLE trappe LOGIN CREATEROLE PASSWORD %L', :'pw') \gexec
SELECT 'CREATE DATABASE trappe OWNER trappe' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'trappe') \gexec
SELECT 'CREATE DATABASE trappe_test OWNER trappe' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'trappe_test') \gexec
-- Airflow's metadata database (the operations smoke test, tests/ops, gives each run a schema of its own in it)
SELECT 'CREATE DATABASE airflow_meta OWNER trappe' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'airflow_meta') \gexec
SQL
echo "postgresql+psycopg://trappe@127.0.0.1:5432/trappe (password in $password_file or \$TRAPPE_PG_PASSWORD)"
