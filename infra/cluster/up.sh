#!/usr/bin/env bash
# `make cluster-up`: the cluster lab (lab.sh: three engines in network namespaces, a Swarm, its
# registry) and Cove on it: the same services as `make up` (dashboard, builder, proxy, git server,
# on this host with their Postgres and Redis), their state in .cove/cluster/, apps run as Swarm
# services (COVE_RUNTIME=swarm). Writes .cove/cluster/env: the keys of .cove/env and the lab's.
# The single-host platform (`make up`) and this one use the same ports: one of them at a time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../local/defaults.sh"
source "$here/../local/platform.sh"
cd "$repo_root"

cluster_dir=$repo_root/.cove/cluster
single_host_socket=$COVE_STATE_DIR/run/supervisor.sock
if [ "$COVE_STATE_DIR" != "$cluster_dir" ] && [ -S "$single_host_socket" ] &&
  supervisorctl -c "$COVE_STATE_DIR/supervisord.conf" pid >/dev/null 2>&1; then
  echo "The single-host platform (make up) is running on the same ports; stop it first: make down" >&2
  exit 1
fi

export COVE_CLUSTER_SUBNET=${COVE_CLUSTER_SUBNET:-10.231.0.0/24}
"$here/lab.sh" up
lab_env=$("$here/lab.sh" env)
lab_value() { printf '%s\n' "$lab_env" | sed -n "s/^$1=//p"; }

export COVE_STATE_DIR=$cluster_dir
mkdir -p "$COVE_STATE_DIR"
env_file=$COVE_STATE_DIR/env

# The Swarm runtime of the builder, when this checkout has it (services/shared's configuration).
if grep -q "COVE_SWARM_MANAGER_SOCKET" services/shared/src/config/schemas.ts; then
  export COVE_RUNTIME=swarm
  # Builds (and dependency installs) on the manager's engine: it trusts the lab's registry, which
  # the host's engine does not (and must not be restarted to).
  COVE_DOCKER_SOCKET=$(lab_value COVE_CLUSTER_DOCKER_HOST)
  export COVE_DOCKER_SOCKET=${COVE_DOCKER_SOCKET#unix://}
  COVE_SWARM_MANAGER_SOCKET=$(lab_value COVE_CLUSTER_DOCKER_HOST)
  COVE_SWARM_NODE_SOCKETS=$(lab_value COVE_CLUSTER_NODE_DOCKER_HOSTS)
  COVE_SWARM_REGISTRY=$(lab_value COVE_CLUSTER_REGISTRY)
  COVE_SWARM_REGISTRY_USER=$(lab_value COVE_CLUSTER_REGISTRY_USER)
  COVE_SWARM_REGISTRY_PASSWORD=$(lab_value COVE_CLUSTER_REGISTRY_PASSWORD)
  export COVE_SWARM_MANAGER_SOCKET COVE_SWARM_NODE_SOCKETS COVE_SWARM_REGISTRY COVE_SWARM_REGISTRY_USER \
    COVE_SWARM_REGISTRY_PASSWORD
  # up.sh: set-up, platform.env, the services under supervision, the admin and the sample app, and
  # $COVE_STATE_DIR/env (.cove/cluster/env) with the keys of .cove/env.
  if ! "$repo_root/infra/local/up.sh"; then
    echo "Cove's services did not come up on the lab (logs: $COVE_STATE_DIR/logs/). A known gap: the proxy on this" \
      "host does not reach the apps' task addresses on their overlay networks (README, On a Docker Swarm)." >&2
    exit 1
  fi
  {
    echo "COVE_RUNTIME=swarm"
    printf '%s\n' "$lab_env"
  } >>"$env_file"
  echo "Cove runs on the cluster lab; its keys: $env_file. Stop all of it with: make cluster-down"
else
  (umask 077; { echo "# Cove's services are not on this lab: this checkout has no Swarm runtime (COVE_RUNTIME=swarm)."; printf '%s\n' "$lab_env"; } >"$env_file")
  echo "The cluster lab is up (keys in $env_file); this checkout's builder has no Swarm runtime, so Cove's services do not run on it." >&2
fi
