#!/usr/bin/env bash
# Everything `make up` and `make test` need before anything starts: system packages and services,
# node modules, the build, the database schema, and the base and runtime images.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/defaults.sh"
cd "$repo_root"

"$here/services.sh"

# Node modules, reinstalled when the lockfile changes.
stamp="$COVE_STATE_DIR/npm-installed.sha"
lock_sha=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules ] || [ "$(cat "$stamp" 2>/dev/null)" != "$lock_sha" ]; then
  echo "installing node modules"
  # `npm install --no-save` follows the lockfile like `npm ci`; npm 11 here writes lockfiles without
  # other platforms' optional packages, which `npm ci` then reports as out of sync.
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-save --no-audit --no-fund --loglevel=error
  echo "$lock_sha" >"$stamp"
fi

echo "building"
npx turbo run build --output-logs=errors-only

echo "migrating"
export COVE_DATABASE_URL="postgres://postgres@127.0.0.1:$COVE_PG_PORT/cove"
npm run --silent migrate

# Images: the bases from Debian when no registry is reachable (cached), then a runtime on each:
# bookworm's Python 3.11 (the default) and trixie's 3.13. The two are built side by side.
if [ "${COVE_TRUST_HOST_CA:-1}" = 1 ] && [ -s /etc/ssl/certs/ca-certificates.crt ]; then
  cp /etc/ssl/certs/ca-certificates.crt runtime-image/extra-ca/host-ca.crt
fi
build_runtime() { # suite base-tag runtime-tag
  "$repo_root/infra/base-image/bootstrap.sh" "$1" "$2" &&
    echo "runtime image $3" &&
    DOCKER_BUILDKIT=0 docker build --build-arg "BASE_IMAGE=$2" -t "$3" runtime-image \
      >"$COVE_STATE_DIR/logs/runtime-image-$1.log" 2>&1 ||
    { tail -n 30 "$COVE_STATE_DIR/logs/runtime-image-$1.log"; return 1; }
}
build_runtime bookworm "$COVE_BASE_IMAGE" "$COVE_RUNTIME_IMAGE" &
bookworm_build=$!
build_runtime trixie "$COVE_BASE_IMAGE_TRIXIE" "$COVE_RUNTIME_IMAGE_TRIXIE" &
trixie_build=$!
status=0
wait "$bookworm_build" || status=$?
wait "$trixie_build" || status=$?
[ "$status" = 0 ] || exit "$status"
