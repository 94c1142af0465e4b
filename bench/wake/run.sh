#!/usr/bin/env bash
# One command for the wake benchmark (`npm run bench:wake`): Cove's builder and proxy run in-process
# on a database cloned from the platform's Postgres and a Redis prefix of their own (as the tests
# do), against the Docker engine and Debian's Chromium. Pass --quick or --runs N.
set -euo pipefail
repo_root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo_root"
source bench/lib/platform-env.sh wake
if [ ! -x "${BENCH_CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "installing chromium"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

node --import tsx bench/wake/main.ts "$@"
