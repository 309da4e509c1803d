# Kollegium: `make run` to try it, `make test` to test it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

# A development configuration, made once: plain http on loopback and a random secret.
.env:
	@printf 'KOLLEGIUM_DOMAIN=$(HOST):$(PORT)\nKOLLEGIUM_DEV_INSECURE=1\nKOLLEGIUM_SECRET_KEY=%s\n' \
		"$$($(PYTHON) -c 'import secrets; print(secrets.token_hex(32))')" > .env
	@echo "wrote .env for development on http://$(HOST):$(PORT)/"

run: $(VENV)/.installed .env
	$(BIN)/kollegium init
	$(BIN)/kollegium demo-admin
	$(BIN)/kollegium serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-dev
	@# Each test area that needs more than PyPI (npm packages, Debian packages) installs it here.
	@for setup in tests/*/setup.sh; do if [ -x "$$setup" ]; then "$$setup" || exit 1; fi; done
	@# The protocol library's coverage comes from its own tests; the tracer would slow the rest
	@# by half. The rest runs on four workers, each module's tests on one, the longest modules
	@# first (tests/conftest.py: pytest_xdist_make_scheduler).
	$(BIN)/pytest --cov=activitypub --cov-report=term-missing:skip-covered --cov-fail-under=100 tests/activitypub
	$(BIN)/pytest -n 4 --dist loadscope --ignore=tests/activitypub

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(VENV)/.installed-dev
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
