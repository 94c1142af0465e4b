# Shared defaults of the local set-up; every value can be overridden from the environment.
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
: "${COVE_STATE_DIR:=$repo_root/.cove}"
: "${COVE_PG_PORT:=55432}"
: "${COVE_REDIS_PORT:=56379}"
: "${COVE_DASHBOARD_PORT:=4100}"
: "${COVE_PROXY_PORT:=4080}"
: "${COVE_GIT_PORT:=4090}"
# HTTPS of the proxy, and the local ACME CA (pebble) with its DNS and challenge server.
: "${COVE_PROXY_HTTPS_PORT:=4443}"
: "${COVE_ACME_PORT:=4140}"
: "${COVE_ACME_MANAGEMENT_PORT:=4141}"
: "${COVE_ACME_DNS_PORT:=4153}"
: "${COVE_ACME_CHALLENGE_MANAGEMENT_PORT:=4155}"
: "${COVE_APPS_DOMAIN:=localhost}"
# Names what the platform makes in the engine (labels, networks, firewall chains): a second checkout
# running beside this one needs its own, and its own ports.
: "${COVE_INSTANCE:=local}"
: "${COVE_BASE_IMAGE:=cove/base-python:bookworm}"
: "${COVE_RUNTIME_IMAGE:=cove/runtime:dev}"
# A second Python: Debian trixie's 3.13 (bookworm's is 3.11), its own base and runtime image.
: "${COVE_BASE_IMAGE_TRIXIE:=cove/base-python:trixie}"
: "${COVE_RUNTIME_IMAGE_TRIXIE:=${COVE_RUNTIME_IMAGE}-trixie}"
export COVE_BASE_IMAGE_TRIXIE COVE_RUNTIME_IMAGE_TRIXIE
export COVE_STATE_DIR COVE_PG_PORT COVE_REDIS_PORT COVE_DASHBOARD_PORT COVE_PROXY_PORT COVE_GIT_PORT \
  COVE_PROXY_HTTPS_PORT COVE_ACME_PORT COVE_ACME_MANAGEMENT_PORT COVE_ACME_DNS_PORT COVE_ACME_CHALLENGE_MANAGEMENT_PORT \
  COVE_APPS_DOMAIN COVE_INSTANCE COVE_BASE_IMAGE COVE_RUNTIME_IMAGE
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
