#!/usr/bin/env bash
# `make down`: stop what `make up` started: the platform's processes, the local instance's app
# containers and networks, Redis and Postgres. Data stays in $COVE_STATE_DIR; dockerd keeps running.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/defaults.sh"
source "$here/platform.sh"

stop_platform
if docker info >/dev/null 2>&1; then
  containers=$(docker ps -aq --filter label=cove.instance=$COVE_INSTANCE)
  [ -n "$containers" ] && docker rm -f $containers >/dev/null
  # The apps' networks too: the builder makes each again when it next starts the app.
  networks=$(docker network ls -q --filter label=cove.instance=$COVE_INSTANCE)
  [ -n "$networks" ] && docker network rm $networks >/dev/null
fi
redis-cli -p "$COVE_REDIS_PORT" shutdown >/dev/null 2>&1 || true
if [ -s "$COVE_STATE_DIR/postgres/PG_VERSION" ]; then
  runuser -u postgres -- "$(pg_bin)/pg_ctl" -D "$COVE_STATE_DIR/postgres" -m fast stop >/dev/null 2>&1 || true
fi
echo "Cove stopped."
