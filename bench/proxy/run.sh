#!/usr/bin/env bash
# One command for the proxy benchmark (`npm run bench:proxy`, `make bench`): installs what it needs
# when missing (wrk and nginx from Debian, the node modules, a throwaway Redis when none answers),
# then runs bench/proxy/main.ts. Pass --quick for a short run while changing the benchmark.
set -euo pipefail
repo_root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo_root"
: "${COVE_REDIS_PORT:=56379}"

need_packages=()
command -v wrk >/dev/null || need_packages+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need_packages+=(nginx)
# redis-cli to find the platform's Redis, redis-server to start one of our own when none answers.
if [ -z "${COVE_REDIS_URL:-}" ]; then command -v redis-server >/dev/null || need_packages+=(redis-server); fi
if [ ${#need_packages[@]} -gt 0 ]; then
  echo "installing: ${need_packages[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_packages[@]}" >/dev/null
fi
export PATH="$PATH:/usr/sbin"

if [ ! -d node_modules ]; then
  echo "installing node modules"
  npm install --no-save --no-audit --no-fund --loglevel=error
fi

# Thousands of held and churned connections need descriptors: take all the hard limit allows.
ulimit -n "$(ulimit -Hn)"

# The route for the test app goes into Redis: the platform's if it answers, else one of our own.
redis_pid=""
work_dir=""
clean_up() {
  if [ -n "$redis_pid" ]; then kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; fi
  if [ -n "$work_dir" ]; then rm -rf "$work_dir"; fi
}
trap clean_up EXIT
if [ -z "${COVE_REDIS_URL:-}" ]; then
  if redis-cli -h 127.0.0.1 -p "$COVE_REDIS_PORT" ping >/dev/null 2>&1; then
    export COVE_REDIS_URL="redis://127.0.0.1:$COVE_REDIS_PORT"
  else
    work_dir=$(mktemp -d /tmp/cove-bench-redis-XXXXXX)
    port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
    echo "no Redis on 127.0.0.1:$COVE_REDIS_PORT; starting a throwaway one on $port"
    redis-server --bind 127.0.0.1 --port "$port" --dir "$work_dir" --save '' --appendonly no \
      --logfile "$work_dir/redis.log" &
    redis_pid=$!
    for _ in $(seq 1 40); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.25; done
    export COVE_REDIS_URL="redis://127.0.0.1:$port"
  fi
fi

node --import tsx bench/proxy/main.ts "$@"
