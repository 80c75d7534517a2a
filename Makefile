# Two commands on a fresh machine with only Python 3.11+ and make:
#   make demo   - the whole job on the embedded local stack (Temporal dev server + local AWS)
#   make test   - the test suite (what CI runs)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Binaries from pip packages (temporal, temporal-test-server, ruff, bandit) live in .venv/bin: every target sees them.
export PATH := $(CURDIR)/$(BIN):$(PATH)
CHECKOV_VENV ?= .venv-checkov

.PHONY: install tools demo test test-reliability lint bench clean local-down

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# checkov pins an old boto3 and ships a fork of python-hcl2 under the same module name,
# so it lives in a venv of its own.
$(CHECKOV_VENV)/bin/checkov:
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet checkov

tools: $(CHECKOV_VENV)/bin/checkov

demo: install
	$(BIN)/python cli.py demo

test: install tools
	$(BIN)/ruff check .
	CHECKOV=$(CURDIR)/$(CHECKOV_VENV)/bin/checkov $(BIN)/python -m pytest -q -ra $(PYTEST_ARGS)

test-reliability: install
	$(BIN)/python -m pytest -q -ra -m reliability

lint: install
	$(BIN)/ruff check .
	$(BIN)/bandit -q -c pyproject.toml -r .

bench: install
	$(BIN)/python -m bench

local-down:
	-$(BIN)/python cli.py local down

clean: local-down
	rm -rf $(VENV) $(CHECKOV_VENV) .local-stack build
