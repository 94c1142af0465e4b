#!/usr/bin/env bash
# One command for the density benchmark (`npm run bench:density`): Cove's builder and proxy run
# in-process on a database cloned from the platform's Postgres and a Redis prefix of their own (as the
# tests do), against the Docker engine. Pass --apps N, --awake A, --plain P, --routes R.
set -euo pipefail
repo_root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo_root"
source bench/lib/platform-env.sh density

node --import tsx bench/density/main.ts "$@"
