#!/usr/bin/env bash
# `make cluster-down`: stops what `make cluster-up` started: Cove's services of .cove/cluster (as
# `make down` does for .cove) and the cluster lab with its registry, also after a half-failed start.
# Cove's data stays in .cove/cluster (its Postgres, its master key); the lab keeps nothing.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../local/defaults.sh"
export COVE_STATE_DIR=$repo_root/.cove/cluster
# down.sh removes the instance's app containers and networks from the engine it talks to: the
# lab's manager (its apps' engine), never the host's, whose ones belong to `make up`.
lab=${COVE_CLUSTER_NAME:-$COVE_INSTANCE}
export DOCKER_HOST=unix://$COVE_STATE_DIR/$lab/nodes/manager/docker.sock
status=0
"$repo_root/infra/local/down.sh" || status=$?
"$here/lab.sh" down || status=$?
# Its keys describe a lab that is gone.
rm -f "$COVE_STATE_DIR/env"
exit $status
