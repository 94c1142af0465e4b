#!/usr/bin/env bash
# Runs the test suites against the services `make up` started: unit and integration tests (vitest,
# each integration file in its own database and instance) and the browser journeys (Playwright with
# Debian's Chromium) and the fault suite's short form (chaos/), and the cluster tests on a lab of three
# engines (infra/cluster/, started and removed by the cluster project's global set-up).
# `test.sh integration`, `test.sh e2e`, `test.sh cluster` or `test.sh chaos` (the fault suite's full
# form) runs one suite.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/defaults.sh"
cd "$repo_root"

export COVE_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$COVE_PG_PORT/postgres"
export COVE_TEST_REDIS_URL="redis://127.0.0.1:$COVE_REDIS_PORT"
export COVE_RUNTIME_IMAGE PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

suite=${1:-all}
status=0
if [ "$suite" = all ]; then
  npx vitest run --project unit --project integration || status=$?
fi
if [ "$suite" = integration ]; then
  npx vitest run --project integration || status=$?
fi
if [ "$suite" = all ] || [ "$suite" = cluster ]; then
  npx vitest run --project cluster || status=$?
fi
if [ "$suite" = all ] || [ "$suite" = e2e ]; then
  npx playwright test -c e2e/playwright.config.ts || status=$?
fi
if [ "$suite" = all ]; then
  node --import tsx chaos/main.ts --short || status=$?
fi
if [ "$suite" = chaos ]; then
  node --import tsx chaos/main.ts || status=$?
fi
exit $status
