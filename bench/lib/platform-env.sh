# Sourced by the benches that run Cove in-process (wake, density): the platform's Postgres and Redis
# as `make up` started them (each bench clones a database and takes a Redis prefix of its own, as
# the tests do), its runtime image, and node modules. `$1` names the bench in the errors.
: "${COVE_PG_PORT:=55432}"
: "${COVE_REDIS_PORT:=56379}"
export COVE_TEST_DATABASE_URL="${COVE_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:$COVE_PG_PORT/postgres}"
export COVE_TEST_REDIS_URL="${COVE_TEST_REDIS_URL:-redis://127.0.0.1:$COVE_REDIS_PORT}"
export COVE_RUNTIME_IMAGE="${COVE_RUNTIME_IMAGE:-cove/runtime:dev}"

command -v docker >/dev/null || { echo "the $1 bench needs Docker: run make up first"; exit 1; }
docker image inspect "$COVE_RUNTIME_IMAGE" >/dev/null 2>&1 ||
  { echo "no image $COVE_RUNTIME_IMAGE: run make up first (it builds the runtime image)"; exit 1; }
if [ ! -d node_modules ]; then
  echo "installing node modules"
  npm install --no-save --no-audit --no-fund --loglevel=error
fi
