#!/usr/bin/env bash
# Installs what is missing and starts the platform's backing services on this host, each on its own
# port and data directory under $COVE_STATE_DIR: dockerd, Postgres and Redis. Idempotent.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/defaults.sh"

need_packages=()
command -v dockerd >/dev/null || need_packages+=(docker.io)
[ -x "$(pg_bin)/postgres" ] || need_packages+=(postgresql)
command -v redis-server >/dev/null || need_packages+=(redis-server)
command -v git >/dev/null || need_packages+=(git)
command -v curl >/dev/null || need_packages+=(curl)
command -v debootstrap >/dev/null || need_packages+=(debootstrap)
command -v supervisord >/dev/null || need_packages+=(supervisor)
# The local ACME CA (HTTPS for make up, and the HTTPS tests), with its challenge and DNS server.
command -v pebble >/dev/null && command -v pebble-challtestsrv >/dev/null || need_packages+=(pebble)
command -v openssl >/dev/null || need_packages+=(openssl)
# Backups (npm run backup, COVE_BACKUP_SCHEDULE): pg_dump comes with postgresql; restic for its repositories.
command -v restic >/dev/null || need_packages+=(restic)
if [ "${COVE_WITH_BROWSER:-0}" = 1 ] && [ ! -x /usr/bin/chromium ]; then need_packages+=(chromium); fi
if [ ${#need_packages[@]} -gt 0 ]; then
  echo "installing: ${need_packages[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_packages[@]}" >/dev/null
fi

mkdir -p "$COVE_STATE_DIR"/{logs,run}

# Docker engine
if ! docker info >/dev/null 2>&1; then
  echo "starting dockerd"
  nohup dockerd >"$COVE_STATE_DIR/logs/dockerd.log" 2>&1 &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { echo "dockerd did not start; see $COVE_STATE_DIR/logs/dockerd.log"; exit 1; }
fi

# Postgres, run by the postgres user from a data directory of our own, durable (fsync on: a power
# cut must not corrupt the platform's data; an instance an older set-up started without it is
# restarted with it)
pgdata="$COVE_STATE_DIR/postgres"
pg_ctl_local() { runuser -u postgres -- "$(pg_bin)/pg_ctl" -D "$pgdata" "$@"; }
pg_options="-h 127.0.0.1 -p $COVE_PG_PORT -k /tmp -c max_connections=300"
if runuser -u postgres -- "$(pg_bin)/pg_isready" -q -h 127.0.0.1 -p "$COVE_PG_PORT"; then
  if [ "$(psql -h 127.0.0.1 -p "$COVE_PG_PORT" -U postgres -qtAc 'show fsync')" != on ]; then
    echo "restarting postgres with fsync on"
    pg_ctl_local -l "$pgdata/server.log" -w -m fast -o "$pg_options" restart >/dev/null
  fi
else
  if [ ! -s "$pgdata/PG_VERSION" ]; then
    mkdir -p "$pgdata" && chown postgres:postgres "$pgdata" && chmod 700 "$pgdata"
    runuser -u postgres -- "$(pg_bin)/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 >/dev/null
  fi
  echo "starting postgres on 127.0.0.1:$COVE_PG_PORT"
  pg_ctl_local -l "$pgdata/server.log" -w -o "$pg_options" start >/dev/null
fi
psql_admin() { psql -h 127.0.0.1 -p "$COVE_PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
psql_admin -c "select 1 from pg_database where datname = 'cove'" | grep -q 1 || psql_admin -c "create database cove"

# Redis, as BullMQ wants it: append-only, never evicting
if ! redis-cli -p "$COVE_REDIS_PORT" ping >/dev/null 2>&1; then
  echo "starting redis on 127.0.0.1:$COVE_REDIS_PORT"
  mkdir -p "$COVE_STATE_DIR/redis"
  redis-server --bind 127.0.0.1 --port "$COVE_REDIS_PORT" --dir "$COVE_STATE_DIR/redis" \
    --appendonly yes --maxmemory-policy noeviction --daemonize yes \
    --pidfile "$COVE_STATE_DIR/run/redis.pid" --logfile "$COVE_STATE_DIR/logs/redis.log"
  for _ in $(seq 1 40); do redis-cli -p "$COVE_REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.25; done
fi
