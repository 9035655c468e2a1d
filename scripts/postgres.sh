#!/usr/bin/env bash
# Makes sure a local PostgreSQL is installed and running, with the 'mhero' role (password 'mhero', may create
# databases) and the 'mhero' database the run command uses. Tests create and drop their own databases.
# Uses only Debian's tools: apt-get, pg_createcluster, pg_ctlcluster. Run as root. Idempotent.
set -euo pipefail

log() { echo "[postgres] $*"; }

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  log "PostgreSQL is not installed: installing Debian's package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi

cluster=$(pg_lsclusters --no-header 2>/dev/null | head -1 || true)
if [ -z "$cluster" ]; then
  ver=$(ls /usr/lib/postgresql | sort -V | tail -1)
  log "no cluster: creating $ver/main"
  pg_createcluster "$ver" main >/dev/null
  cluster=$(pg_lsclusters --no-header | head -1)
fi
read -r ver name port status _ <<<"$cluster"
if [ "$status" != "online" ]; then
  log "starting cluster $ver/$name on port $port"
  pg_ctlcluster "$ver" "$name" start
fi
for _ in $(seq 1 60); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 0.5
done
pg_isready -q -h 127.0.0.1 -p "$port" || { log "PostgreSQL did not come up on port $port"; exit 1; }

psql_admin() { su postgres -s /bin/sh -c "psql -p $port -v ON_ERROR_STOP=1 -qtA $*"; }
if [ "$(psql_admin "-c \"select 1 from pg_roles where rolname = 'mhero'\"")" != "1" ]; then
  log "creating role mhero"
  psql_admin "-c \"create role mhero login createdb password 'mhero'\""
fi
if [ "$(psql_admin "-c \"select 1 from pg_database where datname = 'mhero'\"")" != "1" ]; then
  log "creating database mhero"
  psql_admin "-c \"create database mhero owner mhero\""
fi
[ "$port" = "5432" ] || log "note: PostgreSQL listens on $port; pass -Dmhero.test.pg.url=jdbc:postgresql://127.0.0.1:$port/postgres to Maven"
log "ready on 127.0.0.1:$port (role mhero)"
