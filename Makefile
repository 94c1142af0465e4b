# The two commands: `make up` and `make test`. See README.md.
SHELL := /bin/bash

.PHONY: up down test check setup test-unit test-integration test-e2e test-cluster chaos bench cluster-up cluster-down

up:
	@infra/local/up.sh

down:
	@infra/local/down.sh

setup:
	@infra/local/setup.sh

# Same set-up as `make up` (the e2e journey runs against that platform), then every test.
test:
	@COVE_WITH_BROWSER=1 infra/local/up.sh
	@infra/local/test.sh

check:
	@npx biome check .
	@npx turbo run typecheck --output-logs=errors-only
	@npx tsc -p tsconfig.json

test-unit:
	@npx vitest run --project unit

test-integration:
	@infra/local/test.sh integration

test-e2e:
	@infra/local/test.sh e2e

# The cluster lab's tests: a lab of their own (10.234.0.0/24), removed at the end (infra/cluster/).
test-cluster:
	@infra/local/test.sh cluster

# The fault suite against the platform `make up` started: every fault, every target (README.md).
chaos:
	@infra/local/test.sh chaos

# The proxy side by side with a direct connection and nginx (bench/README.md).
bench:
	@bench/proxy/run.sh
