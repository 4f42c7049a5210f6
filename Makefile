# The two commands a newcomer runs: `make synth` and `make test`. Both install what is missing first.
ENV ?= dev
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CDK := node_modules/.bin/cdk
CDK_FLAGS := -c env=$(ENV)

.PHONY: synth test lint format diff deploy benchmark clean

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

benchmark: $(VENV)/.dev-deps
	$(BIN)/python -m benchmarks.enrichment

clean:
	rm -rf cdk.out .pytest_cache .mypy_cache .ruff_cache .hypothesis
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
