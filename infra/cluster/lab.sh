#!/usr/bin/env bash
# The cluster lab: a Docker Swarm of three engines on this one machine (../shared/CLUSTER-LAB.md).
#
#   lab.sh up          build the lab (idempotent: what exists already is kept)
#   lab.sh down        remove all of it, also after a half-failed `up`
#   lab.sh env         print the lab's keys (and write them to <state>/env)
#   lab.sh status      say what runs
#   lab.sh node-stop <node> / node-start <node>   stop or start one engine (fault tests)
#
# One bridge on the host, one veth and network namespace per engine (a manager and two workers),
# each engine a dockerd of its own (data root, exec root, pid file and socket under the lab's state
# directory) started with `nsenter --net` (not `ip netns exec`, which remounts /sys). Debian's
# docker-registry serves the lab's images on the bridge's address, with htpasswd authentication,
# and firewall rules keep it (and the host) out of reach of anything but the nodes themselves: app
# containers on a node reach neither the registry, the other nodes nor the host, only the internet.
#
# Settings (environment):
#   COVE_CLUSTER_NAME      the lab's name (default: $COVE_INSTANCE); names its bridge, namespaces,
#                          veths, firewall chains and state directory, so two labs can coexist
#   COVE_CLUSTER_SUBNET    the lab's /24 (default 10.231.0.0/24): .1 the bridge and the registry,
#                          .11, .12, .13 the nodes
#   COVE_CLUSTER_ADDR_POOL the swarm's pool for overlay networks (default 10.244.0.0/14, /24 each),
#                          apart from the host's Docker networks and Cove's app pool 10.213.0.0/16
#   COVE_CLUSTER_STATE_ROOT where labs keep their state (default <checkout>/.cove/cluster)
#   COVE_RUNTIME_IMAGE     the image every node runs apps from (default cove/runtime:dev), copied
#                          from the host's engine into the lab's registry (not when
#                          COVE_CLUSTER_PUSH_RUNTIME_IMAGE=0: bench/cluster starts from an empty one)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../local/defaults.sh"

lab=${COVE_CLUSTER_NAME:-$COVE_INSTANCE}
subnet=${COVE_CLUSTER_SUBNET:-10.231.0.0/24}
addr_pool=${COVE_CLUSTER_ADDR_POOL:-10.244.0.0/14}
# Each engine's own networks (docker0, docker_gwbridge) live in its namespace only.
node_bip=10.249.0.1/24
node_local_pool=base=10.248.0.0/16,size=24

die() { echo "lab.sh: $*" >&2; exit 1; }

[[ $lab =~ ^[a-z0-9][a-z0-9-]{0,30}$ ]] ||
  die "COVE_CLUSTER_NAME '$lab' must be 1 to 31 lowercase letters, digits or dashes"
[[ $subnet =~ ^(10|172|192)\.([0-9]{1,3})\.([0-9]{1,3})\.0/24$ ]] ||
  die "COVE_CLUSTER_SUBNET '$subnet' must be a private /24 such as 10.231.0.0/24"
prefix=${subnet%.0/24}
bridge_ip=$prefix.1
registry_port=5000
registry=$bridge_ip:$registry_port

# Linux allows 15 characters in an interface's name: a long lab name becomes a short hash.
if [ ${#lab} -le 7 ]; then tag=${lab//-/}; else tag=$(printf %s "$lab" | md5sum | cut -c1-7); fi
bridge=cxl$tag
chain=COVE-LAB-$tag

nodes=(manager worker1 worker2)
node_index() { local i; for i in "${!nodes[@]}"; do [ "${nodes[$i]}" = "$1" ] && { echo "$i"; return; }; done; die "no node '$1' (nodes: ${nodes[*]})"; }
node_ip() { echo "$prefix.$((11 + $(node_index "$1")))"; }
node_ns() { echo "cove-$lab-$1"; }
node_host() { echo "$lab-$1"; }
node_veth() { echo "cxl${tag}h$(node_index "$1")"; }
node_peer() { echo "cxl${tag}p$(node_index "$1")"; }

# Under the checkout's .cove/cluster/ (not $COVE_STATE_DIR: `make cluster-up` runs Cove with
# COVE_STATE_DIR=.cove/cluster, and its lab stays .cove/cluster/<lab>).
state=${COVE_CLUSTER_STATE_ROOT:-$repo_root/.cove/cluster}/$lab
node_dir() { echo "$state/nodes/$1"; }
node_sock() { echo "$(node_dir "$1")/docker.sock"; }
node_docker() { local n=$1; shift; DOCKER_CONFIG=$state/docker-config docker -H "unix://$(node_sock "$n")" "$@"; }
in_ns() { local n=$1; shift; nsenter --net="/var/run/netns/$(node_ns "$n")" "$@"; }
registry_dir=$state/registry

# The lab's names (interfaces, namespaces, chains) are the machine's, not the checkout's: the state
# directory that owns a name is kept in /run, and another checkout's lab of the same name is refused.
owner_file=/run/cove-cluster/$lab.owner
check_owner() {
  if [ -s "$owner_file" ] && [ "$(cat "$owner_file")" != "$state" ]; then
    die "a lab named '$lab' belongs to $(cat "$owner_file"); pick another COVE_CLUSTER_NAME (and COVE_CLUSTER_SUBNET)"
  fi
}
claim_owner() { mkdir -p /run/cove-cluster && printf '%s\n' "$state" >"$owner_file"; }

pid_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# --- network ------------------------------------------------------------------------------------

ensure_bridge() {
  local other
  other=$(ip -o -4 addr show | awk -v p="$prefix." -v b="$bridge" '$2 != b && index($4, p) == 1 { print $2 }' | head -n 1)
  [ -z "$other" ] || die "the subnet $subnet is in use on $other already; pick another COVE_CLUSTER_SUBNET"
  if ! ip link show "$bridge" >/dev/null 2>&1; then
    ip link add "$bridge" type bridge
  fi
  ip addr replace "$bridge_ip/24" dev "$bridge"
  ip link set "$bridge" up
}

ensure_node_network() {
  local n=$1 ns veth peer ip
  ns=$(node_ns "$n"); veth=$(node_veth "$n"); peer=$(node_peer "$n"); ip=$(node_ip "$n")
  [ -e "/var/run/netns/$ns" ] || ip netns add "$ns"
  if ! ip link show "$veth" >/dev/null 2>&1; then
    ip link add "$veth" type veth peer name "$peer"
    ip link set "$peer" netns "$ns"
    in_ns "$n" ip link set "$peer" name eth0
  fi
  ip link set "$veth" master "$bridge" up
  in_ns "$n" ip link set lo up
  in_ns "$n" ip addr replace "$ip/24" dev eth0
  in_ns "$n" ip link set eth0 up
  in_ns "$n" ip route replace default via "$bridge_ip"
}

# Adds a rule unless it is there already (iptables -C).
rule() { local table=$1; shift; local ch=$1; shift; iptables -t "$table" -C "$ch" "$@" 2>/dev/null || iptables -t "$table" -A "$ch" "$@"; }
rule_first() { local table=$1; shift; local ch=$1; shift; iptables -t "$table" -C "$ch" "$@" 2>/dev/null || iptables -t "$table" -I "$ch" 1 "$@"; }

# The host's side. Forwarded traffic of the lab: between the nodes; from the nodes to the internet
# (masqueraded), but to none of the host's other private networks (its Docker networks, Cove's app
# networks) except its name servers; into the lab only as replies. Traffic from the lab to the host
# itself: only the registry, only from the nodes' addresses; and the registry from nowhere else.
ensure_host_firewall() {
  local ns_addr n
  iptables -t filter -N "$chain-F" 2>/dev/null || iptables -t filter -F "$chain-F"
  iptables -t filter -A "$chain-F" -i "$bridge" -o "$bridge" -j ACCEPT
  iptables -t filter -A "$chain-F" -o "$bridge" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
  iptables -t filter -A "$chain-F" -o "$bridge" -j DROP
  for ns_addr in $(awk '$1 == "nameserver" && $2 ~ /^[0-9.]+$/ { print $2 }' /etc/resolv.conf); do
    iptables -t filter -A "$chain-F" -i "$bridge" -d "$ns_addr" -p udp --dport 53 -j ACCEPT
    iptables -t filter -A "$chain-F" -i "$bridge" -d "$ns_addr" -p tcp --dport 53 -j ACCEPT
  done
  iptables -t filter -A "$chain-F" -i "$bridge" -d 10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,169.254.0.0/16,100.64.0.0/10 -j DROP
  iptables -t filter -A "$chain-F" -i "$bridge" -j ACCEPT
  rule_first filter FORWARD -i "$bridge" -j "$chain-F"
  rule_first filter FORWARD -o "$bridge" -j "$chain-F"

  iptables -t filter -N "$chain-I" 2>/dev/null || iptables -t filter -F "$chain-I"
  iptables -t filter -A "$chain-I" -i "$bridge" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
  for n in "${nodes[@]}"; do
    iptables -t filter -A "$chain-I" -i "$bridge" -s "$(node_ip "$n")" -d "$bridge_ip" -p tcp --dport "$registry_port" -j ACCEPT
  done
  iptables -t filter -A "$chain-I" -i "$bridge" -j DROP
  # The registry's address answers on the lab's bridge (the nodes) and on loopback (this host) only.
  iptables -t filter -A "$chain-I" -d "$bridge_ip" ! -i lo -j DROP
  rule_first filter INPUT -i "$bridge" -j "$chain-I"
  rule_first filter INPUT -d "$bridge_ip" -j "$chain-I"

  rule nat POSTROUTING -s "$subnet" ! -o "$bridge" -j MASQUERADE
}

# A node's side, in its namespace (after its engine made its chains): containers on the node reach
# neither the lab's subnet (the registry, the other nodes, the host's bridge) nor the node itself;
# replies to connections made to them (host-mode published ports) pass.
ensure_node_firewall() {
  local n=$1
  in_ns "$n" iptables -N DOCKER-USER 2>/dev/null || true
  in_ns "$n" iptables -F DOCKER-USER
  in_ns "$n" iptables -A DOCKER-USER -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN
  in_ns "$n" iptables -A DOCKER-USER ! -i eth0 -d "$subnet" -j DROP
  in_ns "$n" iptables -A DOCKER-USER -j RETURN
  in_ns "$n" iptables -N COVE-LAB-NODE 2>/dev/null || in_ns "$n" iptables -F COVE-LAB-NODE
  in_ns "$n" iptables -A COVE-LAB-NODE -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
  in_ns "$n" iptables -A COVE-LAB-NODE -i docker_gwbridge -j DROP
  in_ns "$n" iptables -A COVE-LAB-NODE -i docker0 -j DROP
  in_ns "$n" iptables -C INPUT -j COVE-LAB-NODE 2>/dev/null || in_ns "$n" iptables -I INPUT 1 -j COVE-LAB-NODE
}

# --- engines ------------------------------------------------------------------------------------

start_engine() {
  local n=$1 dir host
  dir=$(node_dir "$n"); host=$(node_host "$n")
  mkdir -p "$dir/data" "$dir/exec"
  if pid_alive "$dir/docker.pid"; then return 0; fi
  [ ${#dir} -lt 60 ] || echo "lab.sh: warning: $dir is long; containerd's socket path under it may pass Linux's 108-byte limit" >&2
  # No container of the lab gains privileges (setuid): Swarm's API of Docker 20.10 cannot ask it per
  # service. A UTS namespace of its own gives the engine (and so the swarm node) its own host name.
  setsid nsenter --net="/var/run/netns/$(node_ns "$n")" unshare --uts -- sh -c 'hostname "$0" && exec "$@"' "$host" \
    dockerd \
      --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/docker.pid" \
      -H "unix://$dir/docker.sock" \
      --containerd-namespace "cove-lab-$lab-$n" --containerd-plugins-namespace "cove-lab-$lab-$n-plugins" \
      --cgroup-parent "/cove-lab-$lab-$n" \
      --insecure-registry "$registry" \
      --no-new-privileges \
      --bip "$node_bip" --default-address-pool "$node_local_pool" \
      --label "cove.lab=$lab" --label "cove.node=$n" \
      </dev/null >"$dir/dockerd.log" 2>&1 &
}

wait_engine() {
  local n=$1
  for _ in $(seq 1 120); do
    node_docker "$n" info >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  tail -n 20 "$(node_dir "$n")/dockerd.log" >&2
  die "the engine of $n did not answer within 60 s (log: $(node_dir "$n")/dockerd.log)"
}

swarm_state() { node_docker "$1" info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null || echo unknown; }

ensure_swarm() {
  local n token
  if [ "$(swarm_state manager)" != active ]; then
    node_docker manager swarm init --advertise-addr "$(node_ip manager)" --listen-addr "$(node_ip manager):2377" \
      --default-addr-pool "$addr_pool" --default-addr-pool-mask-length 24 >/dev/null
  fi
  token=$(node_docker manager swarm join-token -q worker)
  for n in "${nodes[@]:1}"; do
    [ "$(swarm_state "$n")" = active ] && continue
    node_docker "$n" swarm join --advertise-addr "$(node_ip "$n")" --listen-addr "$(node_ip "$n"):2377" \
      --token "$token" "$(node_ip manager):2377" >/dev/null
  done
  for n in "${nodes[@]}"; do
    node_docker manager node update --label-add "cove.node=$n" "$(node_host "$n")" >/dev/null
  done
  for _ in $(seq 1 60); do
    [ "$(node_docker manager node ls --format '{{.Status}}' | grep -c '^Ready$')" -ge ${#nodes[@]} ] && return 0
    sleep 0.5
  done
  node_docker manager node ls >&2
  die "not every node is Ready after 30 s"
}

# --- registry -----------------------------------------------------------------------------------

ensure_registry() {
  mkdir -p "$registry_dir/data"
  if [ ! -s "$registry_dir/password" ]; then
    (umask 077; head -c 18 /dev/urandom | base64 | tr '+/' '-_' >"$registry_dir/password")
  fi
  htpasswd -Bbn cove-lab "$(cat "$registry_dir/password")" >"$registry_dir/htpasswd"
  cat >"$registry_dir/config.yml" <<CONF
version: 0.1
log:
  level: warn
  fields:
    service: cove-lab-registry
storage:
  filesystem:
    rootdirectory: $registry_dir/data
  delete:
    enabled: true
http:
  addr: $registry
  headers:
    X-Content-Type-Options: [nosniff]
auth:
  htpasswd:
    realm: cove-lab-$lab
    path: $registry_dir/htpasswd
CONF
  chown -R docker-registry: "$registry_dir/data"
  chown docker-registry: "$registry_dir/htpasswd" "$registry_dir/config.yml"
  chmod 0600 "$registry_dir/htpasswd"
  if ! pid_alive "$registry_dir/registry.pid"; then
    setsid runuser -u docker-registry -- docker-registry serve "$registry_dir/config.yml" \
      </dev/null >>"$registry_dir/registry.log" 2>&1 &
    echo $! >"$registry_dir/registry.pid"
  fi
  for _ in $(seq 1 40); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$registry/v2/")" = 401 ] && break
    sleep 0.25
  done
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$registry/v2/")" = 401 ] ||
    die "the registry did not answer at http://$registry/v2/ (log: $registry_dir/registry.log)"
  # The client configuration every docker command on the lab uses (credentials of the registry).
  mkdir -p "$state/docker-config"
  chmod 0700 "$state/docker-config"
  (umask 077; printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$registry" \
    "$(printf 'cove-lab:%s' "$(cat "$registry_dir/password")" | base64 -w0)" >"$state/docker-config/config.json")
}

# Each engine logs in (its daemon checks the credentials with the registry, from its namespace).
login_nodes() {
  local n
  for n in "${nodes[@]}"; do
    node_docker "$n" login -u cove-lab --password-stdin "$registry" <"$registry_dir/password" >/dev/null
  done
}

# The runtime image, from the host's engine into the manager (save | load) and on to the registry.
push_runtime_image() {
  local image=$COVE_RUNTIME_IMAGE host_id lab_id target
  host_id=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null) ||
    die "the host's engine has no image $image (COVE_RUNTIME_IMAGE); build it first (make setup)"
  lab_id=$(node_docker manager image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
  if [ "$host_id" != "$lab_id" ]; then
    docker save "$image" | node_docker manager load -q >/dev/null
  fi
  # The same name under the lab's registry (a registry host in the name is replaced).
  target=$image
  [[ ${image%%/*} == *[.:]* && $image == */* ]] && target=${image#*/}
  target=$registry/$target
  node_docker manager tag "$image" "$target"
  node_docker manager push -q "$target" >/dev/null
  node_docker manager image inspect -f '{{index .RepoDigests 0}}' "$target" >"$state/runtime-image"
}

# --- env ----------------------------------------------------------------------------------------

write_env() {
  local n names=() ips=() socks=() nss=()
  for n in "${nodes[@]}"; do
    names+=("$(node_host "$n")"); ips+=("$(node_ip "$n")"); socks+=("unix://$(node_sock "$n")"); nss+=("$(node_ns "$n")")
  done
  (umask 077; cat >"$state/env" <<ENV
COVE_CLUSTER_NAME=$lab
COVE_CLUSTER_SUBNET=$subnet
COVE_CLUSTER_ADDR_POOL=$addr_pool
COVE_CLUSTER_DOCKER_HOST=unix://$(node_sock manager)
COVE_CLUSTER_MANAGER=$(node_host manager)
COVE_CLUSTER_NODES=$(IFS=,; echo "${names[*]}")
COVE_CLUSTER_NODE_ADDRESSES=$(IFS=,; echo "${ips[*]}")
COVE_CLUSTER_NODE_DOCKER_HOSTS=$(IFS=,; echo "${socks[*]}")
COVE_CLUSTER_NODE_NAMESPACES=$(IFS=,; echo "${nss[*]}")
COVE_CLUSTER_HOST_ADDRESS=$bridge_ip
COVE_CLUSTER_BRIDGE=$bridge
COVE_CLUSTER_FIREWALL_CHAINS=$chain-F,$chain-I
COVE_CLUSTER_STATE_DIR=$state
COVE_CLUSTER_REGISTRY=$registry
COVE_CLUSTER_REGISTRY_USER=cove-lab
COVE_CLUSTER_REGISTRY_PASSWORD=$(cat "$registry_dir/password")
COVE_CLUSTER_DOCKER_CONFIG=$state/docker-config
COVE_CLUSTER_RUNTIME_IMAGE=$(cat "$state/runtime-image" 2>/dev/null || true)
ENV
  )
}

# --- down ---------------------------------------------------------------------------------------

# Processes of one engine: its dockerd, containerd and shims all name its exec root or socket.
engine_pids() {
  # pgrep leaves itself out (a grep over /proc/*/cmdline would list its own, soon stale, pid).
  pgrep -f -- "$(printf %s "$1/" | sed 's/[][\\.*^$+?(){}|]/\\&/g')" || true
}

# Processes of one engine's containers: they sit in its cgroup parent.
cgroup_pids() {
  grep -lF "/cove-lab-$lab-$1/" /proc/[0-9]*/cgroup 2>/dev/null | cut -d/ -f3 || true
}

stop_engine() {
  local n=$1 dir pid pids
  dir=$(node_dir "$n")
  if pid_alive "$dir/docker.pid"; then
    pid=$(cat "$dir/docker.pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  fi
  pids="$(engine_pids "$dir") $(cgroup_pids "$n")"
  if [ -n "${pids// /}" ]; then
    kill -TERM $pids 2>/dev/null || true
    sleep 1
    pids="$(engine_pids "$dir") $(cgroup_pids "$n")"
    [ -n "${pids// /}" ] && kill -KILL $pids 2>/dev/null || true
  fi
  unmount_under "$dir"
}

unmount_under() {
  local m
  # Deepest first; lazily, so a mount still held by a dying process goes too.
  for m in $(awk -v d="$1/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
}

remove_cgroups() {
  local n=$1 d
  for d in /sys/fs/cgroup/*/"cove-lab-$lab-$n" /sys/fs/cgroup/"cove-lab-$lab-$n"; do
    [ -d "$d" ] || continue
    find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
}

remove_host_firewall() {
  while iptables -t filter -D FORWARD -i "$bridge" -j "$chain-F" 2>/dev/null; do :; done
  while iptables -t filter -D FORWARD -o "$bridge" -j "$chain-F" 2>/dev/null; do :; done
  while iptables -t filter -D INPUT -i "$bridge" -j "$chain-I" 2>/dev/null; do :; done
  while iptables -t filter -D INPUT -d "$bridge_ip" -j "$chain-I" 2>/dev/null; do :; done
  while iptables -t nat -D POSTROUTING -s "$subnet" ! -o "$bridge" -j MASQUERADE 2>/dev/null; do :; done
  local c
  for c in "$chain-F" "$chain-I"; do
    iptables -t filter -F "$c" 2>/dev/null || true
    iptables -t filter -X "$c" 2>/dev/null || true
  done
}

stop_registry() {
  local pid
  if pid_alive "$registry_dir/registry.pid"; then
    pid=$(cat "$registry_dir/registry.pid")
    # runuser's child is the registry itself.
    kill -TERM $(pgrep -P "$pid") "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  fi
  # One whose pid file was lost: it names this lab's config file.
  local pids; pids=$(engine_pids "$registry_dir")
  [ -n "$pids" ] && kill -KILL $pids 2>/dev/null || true
  rm -f "$registry_dir/registry.pid"
}

lab_down() {
  local n
  check_owner
  for n in "${nodes[@]}"; do stop_engine "$n" & done
  wait
  stop_registry
  for n in "${nodes[@]}"; do
    remove_cgroups "$n"
    [ -e "/var/run/netns/$(node_ns "$n")" ] && ip netns del "$(node_ns "$n")"
    ip link del "$(node_veth "$n")" 2>/dev/null || true
  done
  ip link del "$bridge" 2>/dev/null || true
  remove_host_firewall
  rm -rf "$state"
  rm -f "$owner_file"
  echo "lab $lab removed."
}

# --- commands -----------------------------------------------------------------------------------

lab_up() {
  local n
  command -v docker-registry >/dev/null || die "Debian's docker-registry is not installed: apt-get install docker-registry apache2-utils"
  command -v htpasswd >/dev/null || die "htpasswd is missing: apt-get install apache2-utils"
  check_owner
  claim_owner
  mkdir -p "$state"
  ensure_bridge
  for n in "${nodes[@]}"; do ensure_node_network "$n"; done
  ensure_host_firewall
  ensure_registry
  for n in "${nodes[@]}"; do start_engine "$n"; done
  for n in "${nodes[@]}"; do wait_engine "$n"; ensure_node_firewall "$n"; done
  ensure_swarm
  login_nodes
  if [ "${COVE_CLUSTER_PUSH_RUNTIME_IMAGE:-1}" = 1 ]; then push_runtime_image; else rm -f "$state/runtime-image"; fi
  write_env
  echo "lab $lab up: manager at unix://$(node_sock manager), registry at $registry (env: $state/env)"
}

lab_status() {
  local n
  for n in "${nodes[@]}"; do
    if pid_alive "$(node_dir "$n")/docker.pid"; then echo "$n: engine running, swarm $(swarm_state "$n")"; else echo "$n: engine stopped"; fi
  done
  if pid_alive "$registry_dir/registry.pid"; then echo "registry: running at $registry"; else echo "registry: stopped"; fi
  if pid_alive "$(node_dir manager)/docker.pid"; then node_docker manager node ls; fi
}

case ${1:-} in
  up) lab_up ;;
  down) lab_down ;;
  env) [ -s "$state/env" ] || die "lab $lab is not up (no $state/env); run lab.sh up"; write_env; cat "$state/env" ;;
  status) lab_status ;;
  node-stop) check_owner; [ -n "${2:-}" ] || die "node-stop needs a node: ${nodes[*]}"; node_index "$2" >/dev/null; stop_engine "$2"; echo "$2 stopped." ;;
  node-start) check_owner; [ -n "${2:-}" ] || die "node-start needs a node: ${nodes[*]}"; node_index "$2" >/dev/null; start_engine "$2"; wait_engine "$2"; ensure_node_firewall "$2"; echo "$2 started." ;;
  *) echo "usage: lab.sh up|down|env|status|node-stop <node>|node-start <node>" >&2; exit 2 ;;
esac
