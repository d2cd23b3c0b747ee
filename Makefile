# The two commands of README.md: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint format install install-test chromium bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## make run: the portal with demo data on SQLite, tasks inline, at http://127.0.0.1:8000
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## make test: installs what the tests need (Python packages, Debian's chromium) and runs them
test: install-test chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/djlint templates --lint

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

chromium:
	@test -x /usr/bin/chromium || ./scripts/install-chromium.sh

## make bench: benchmarks on generated national data in the local PostgreSQL (not tests)
bench: install-test
	$(BIN)/python -m bench $(BENCH_ARGS)


clean:
	rm -rf $(VENV) staticfiles .pytest_cache
