#!/usr/bin/env bash
# `make up`: set up this host, start Cove (dashboard, builder, proxy and a local git server), create
# the admin account and an API token, deploy the sample app, and say where to look.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/defaults.sh"
source "$here/platform.sh"
source "$here/acme.sh"
cd "$repo_root"

"$here/setup.sh"

if [ ! -s "$COVE_STATE_DIR/master.key" ]; then
  (umask 077; head -c 32 /dev/urandom | base64 >"$COVE_STATE_DIR/master.key")
fi
env_file="$COVE_STATE_DIR/platform.env"
(umask 077; cat >"$env_file" <<ENV
COVE_DATABASE_URL=postgres://postgres@127.0.0.1:$COVE_PG_PORT/cove
COVE_REDIS_URL=redis://127.0.0.1:$COVE_REDIS_PORT
COVE_INSTANCE=$COVE_INSTANCE
COVE_MASTER_KEY=$(cat "$COVE_STATE_DIR/master.key")
COVE_APPS_DOMAIN=$COVE_APPS_DOMAIN
COVE_APPS_SCHEME=http
COVE_APPS_PUBLIC_PORT=$COVE_PROXY_PORT
COVE_DASHBOARD_URL=http://localhost:$COVE_DASHBOARD_PORT
COVE_DASHBOARD_HOST=127.0.0.1
COVE_DASHBOARD_PORT=$COVE_DASHBOARD_PORT
COVE_GIT_ALLOWED_SCHEMES=https,http,git
COVE_GIT_ALLOW_PRIVATE_ADDRESSES=true
COVE_RUNTIME_IMAGE=$COVE_RUNTIME_IMAGE
COVE_RUNTIME_IMAGES=3.11=$COVE_RUNTIME_IMAGE,3.13=$COVE_RUNTIME_IMAGE_TRIXIE
COVE_PROXY_HOST=127.0.0.1
COVE_PROXY_PORT=$COVE_PROXY_PORT
# HTTPS beside plain HTTP, with certificates from the local ACME CA (infra/local/acme.sh). No
# redirect and no HSTS here: browsers and tests keep using plain HTTP too.
COVE_PROXY_HTTPS_PORT=$COVE_PROXY_HTTPS_PORT
COVE_PROXY_DASHBOARD_UPSTREAM=http://127.0.0.1:$COVE_DASHBOARD_PORT
COVE_PROXY_REDIRECT_TO_HTTPS=false
COVE_HSTS_MAX_AGE_SECONDS=0
COVE_ACME_DIRECTORY_URL=https://127.0.0.1:$COVE_ACME_PORT/dir
COVE_ACME_CA_FILE=$COVE_STATE_DIR/pebble/server.pem
COVE_TLS_CHECK_INTERVAL_SECONDS=5
COVE_TLS_RETRY_BASE_SECONDS=5
COVE_TLS_RETRY_MAX_SECONDS=60
COVE_WORK_DIR=$COVE_STATE_DIR/builds
# Every browser journey signs people up from 127.0.0.1.
COVE_SIGNUPS_PER_ADDRESS_PER_HOUR=200
ENV
)
set -a; source "$env_file"; set +a

# A fresh build (and a fresh configuration) deserves fresh processes: supervisord and its programs
# start again with this environment.
stop_platform
prepare_local_ca
forget_local_certificates
start_platform
write_local_ca_root

wait_for_url "http://127.0.0.1:$COVE_GIT_PORT/sample.git/info/refs?service=git-upload-pack" "the git server" 30
wait_for_url "http://127.0.0.1:$COVE_DASHBOARD_PORT/api/v1/openapi.json" "the dashboard" 60
for _ in $(seq 1 80); do (exec 3<>"/dev/tcp/127.0.0.1/$COVE_PROXY_PORT") 2>/dev/null && break; sleep 0.25; done

node --import tsx infra/local/bootstrap.ts
