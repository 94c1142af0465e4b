#!/usr/bin/env bash
# Playwright's executablePath for the journeys: Debian's Chromium in a network namespace of its own
# (see relay.ts). `unshare --net` runs the relay in the new namespace; the relay starts Chromium.
cd "$(dirname "$0")/../.." || exit 1
exec unshare --net -- node --import tsx e2e/browser-network/relay.ts inside "$@"
