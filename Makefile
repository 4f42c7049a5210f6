# The two commands a newcomer runs: `make synth` and `make test`. Both install what is missing first.
ENV ?= dev
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CDK := node_modules/.bin/cdk
CDK_FLAGS := -c env=$(ENV)

.PHONY: synth test lint format diff deploy benchmark clean smoke local-up local-deploy local-smoke local-down local-status local-test

synth: $(VENV)/.app-deps node_modules/.installed
	$(CDK) synth --all --quiet $(CDK_FLAGS)
	@echo "Templates of environment '$(ENV)' are in cdk.out/"

test: $(VENV)/.dev-deps node_modules/.installed
	$(BIN)/pytest

lint: $(VENV)/.dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.dev-deps
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

diff: $(VENV)/.app-deps node_modules/.installed
	$(CDK) diff --all $(CDK_FLAGS)

deploy: $(VENV)/.app-deps node_modules/.installed
	$(CDK) deploy --all $(CDK_FLAGS)

# The scenario of ops/smoke against a deployed environment (AWS credentials of that environment needed).
smoke: $(VENV)/.dev-deps
	$(BIN)/python -m ops.smoke --env $(ENV)

# The whole app on this machine (no Docker, no AWS account): see "Run it locally" in the README.
LOCAL_PORT ?= 4566
LOCAL := $(BIN)/python -m local_cloud

local-up: $(VENV)/.dev-deps node_modules/.installed
	$(LOCAL) up --port $(LOCAL_PORT)

local-deploy: $(VENV)/.dev-deps node_modules/.installed
	$(LOCAL) deploy --port $(LOCAL_PORT)

local-smoke: $(VENV)/.dev-deps
	AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test $(BIN)/python -m ops.smoke --env local --endpoint-url https://127.0.0.1:$(LOCAL_PORT) \
		--ca-bundle .local/tls/server.crt --cache-requests .local/cache-requests.jsonl

local-status:
	@$(LOCAL) status --port $(LOCAL_PORT)

local-down:
	@if [ -x $(BIN)/python ]; then $(LOCAL) down --port $(LOCAL_PORT); fi

# Up, deploy, smoke, and always down: the exit status is the first failure's.
local-test:
	@$(MAKE) --no-print-directory local-up && $(MAKE) --no-print-directory local-deploy \
		&& $(MAKE) --no-print-directory local-smoke; status=$$?; $(MAKE) --no-print-directory local-down; exit $$status

benchmark: $(VENV)/.dev-deps
	$(BIN)/python -m benchmarks.enrichment

clean:
	rm -rf cdk.out .pytest_cache .mypy_cache .ruff_cache .hypothesis .local/cdk.out
	find . -name __pycache__ -not -path './$(VENV)/*' -not -path './node_modules/*' -prune -exec rm -rf {} +

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.app-deps: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt lambdas/requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@ $(VENV)/.app-deps

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@
