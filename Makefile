# The README's two commands: `make run` (the console on the devnet) and `make test`.
# Both set up everything a fresh machine needs: the virtualenv, the package, the Node tools.

VENV   ?= .venv
PYTHON ?= python3
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed-stamp
NODE_STAMP = node_modules/.installed-stamp

.PHONY: setup run test lint bench clean services

setup: $(STAMP) $(NODE_STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools wheel
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m pip check
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

run: setup
	$(VENV)/bin/claudedex run --profile devnet

services:
	bash scripts/ensure_services.sh

test: setup services
	$(VENV)/bin/pytest

lint: setup
	$(VENV)/bin/ruff check claudedex cli tui tests benchmarks
	$(VENV)/bin/mypy

bench: setup
	for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) node_modules
