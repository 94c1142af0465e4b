#!/usr/bin/env bash
# One command for the density benchmark (`npm run bench:density`): Cove's builder and proxy run
# in-process on a database cloned from the platform's Postgres and a Redis prefix of their own (as the
# tests do), against the Docker engine. Pass --apps N, --awake A, --plain P, --routes R.
set -euo pipefail
repo_root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo_root"
: "${COVE_PG_PORT:=55432}"
: "${COVE_REDIS_PORT:=56379}"
export COVE_TEST_DATABASE_URL="${COVE_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:$COVE_PG_PORT/postgres}"
export COVE_TEST_REDIS_URL="${COVE_TEST_REDIS_URL:-redis://127.0.0.1:$COVE_REDIS_PORT}"
export COVE_RUNTIME_IMAGE="${COVE_RUNTIME_IMAGE:-cove/runtime:dev}"

command -v docker >/dev/null || { echo "the density bench needs Docker: run make up first"; exit 1; }
docker image inspect "$COVE_RUNTIME_IMAGE" >/dev/null 2>&1 ||
  { echo "no image $COVE_RUNTIME_IMAGE: run make up first (it builds the runtime image)"; exit 1; }
[ -d node_modules ] || npm install --no-save --no-audit --no-fund --loglevel=error

node --import tsx bench/density/main.ts "$@"
