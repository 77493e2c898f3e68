# The two commands of the quick start are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-12)

# Tests run on PostgreSQL and Redis (started or installed by scripts/ensure-services.sh).
TEST_DATABASE_URL ?= postgres://postgres:postgres@127.0.0.1:5432/oldestate
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
TEST_ENV := DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) HTTPS=0 DEBUG=0 \
	SECRET_KEY=test-only-secret-key-not-for-production-use-0123456789abcdef CACHE_KEY_PREFIX=oldestate-test
# The figure tests (`-m figures`) run a second time on SQLite, the embedded demo's database,
# which sums decimals as floats: both databases must show the same figures, to the fen.
TEST_SQLITE_URL ?= sqlite:////tmp/oldestate-figures.sqlite3
FIGURES_ENV := DATABASE_URL=$(TEST_SQLITE_URL) REDIS_URL=$(TEST_REDIS_URL) HTTPS=0 DEBUG=0 \
	SECRET_KEY=test-only-secret-key-not-for-production-use-0123456789abcdef CACHE_KEY_PREFIX=oldestate-test-sqlite

SCALE ?= district

.PHONY: run test lint format bench messages venv services clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

venv: $(STAMP)

## Run the portal with demo data: web on http://127.0.0.1:8000, a Celery worker and beat (Ctrl-C stops all three).
run: $(STAMP)
	@BIN=$(BIN) scripts/run-demo.sh

## Run the whole test suite against PostgreSQL and Redis (and chromium for the browser tests), then the figure tests on SQLite.
test: $(STAMP)
	scripts/ensure-services.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)
	$(FIGURES_ENV) $(BIN)/pytest -m figures $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Measure the issues' figures at a scale: make bench SCALE=district|province|national [BENCH_ARGS=--write-docs]
BENCH_DATABASE_URL ?= postgres://postgres:postgres@127.0.0.1:5432/oldestate_bench
BENCH_ENV := DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$${BENCH_REDIS_URL:-redis://127.0.0.1:6379/14} HTTPS=0 DEBUG=0 \
	SECRET_KEY=bench-only-secret-key-not-for-production-use-0123456789abcdef CACHE_KEY_PREFIX=oldestate-bench ALLOWED_HOSTS=testserver,127.0.0.1
bench: $(STAMP)
	scripts/ensure-services.sh
	psql "$(dir $(BENCH_DATABASE_URL))postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$(notdir $(BENCH_DATABASE_URL))'" \
		| grep -q 1 || psql "$(dir $(BENCH_DATABASE_URL))postgres" -qc "CREATE DATABASE $(notdir $(BENCH_DATABASE_URL))"
	$(BENCH_ENV) $(BIN)/python manage.py migrate --noinput -v0
	$(BENCH_ENV) $(BIN)/python manage.py collectstatic --noinput -v0
	$(BENCH_ENV) $(BIN)/python manage.py bench --scale $(SCALE) $(BENCH_ARGS)

## Refresh the English catalogue after changing user-facing text.
messages: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=staticfiles \
		--ignore=tests --ignore=bench --ignore=var --ignore=media
	DEBUG=1 $(BIN)/python manage.py compilemessages -l en --ignore=.venv

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache .import_linter_cache .hypothesis
