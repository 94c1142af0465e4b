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

# The cluster tests: on a lab of their own (covetest, 10.230.0.0/24), removed at the end (infra/cluster/).
test-cluster:
	@infra/local/test.sh cluster

# The fault suite against the platform `make up` started: every fault, every target (README.md).
chaos:
	@infra/local/test.sh chaos

# The cluster lab (three engines in network namespaces, a Swarm, its registry) and Cove on it;
# .cove/cluster/env has its keys. One of `make up` and `make cluster-up` at a time (README.md).
cluster-up:
	@infra/cluster/up.sh

cluster-down:
	@infra/cluster/down.sh

# The proxy side by side with a direct connection and nginx (bench/README.md).
bench:
	@bench/proxy/run.sh
