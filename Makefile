# `make run` and `make test` are all a developer needs; both install what is missing first.
# Stamp files record what has been installed, so repeated runs are fast.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
GOVUK := tracker/static/govuk
GOVUK_DIST := node_modules/govuk-frontend/dist/govuk
CHROMIUM := /usr/bin/chromium
PG_DUMP := /usr/bin/pg_dump
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEMO_PASSWORD := $(or $(TRACKER_DEMO_PASSWORD),demo-password)
# where `make run` serves: set on the command line (`make run PORT=5001`), not from the environment,
# where some shells keep a HOST of their own
HOST := 127.0.0.1
PORT := 5000
PYTEST_ARGS ?=
# the suite runs on every core (pytest-xdist; each worker has its own databases): PYTEST_WORKERS=0 runs it in one process
PYTEST_WORKERS ?= auto

.PHONY: venv install assets chromium pg-client run test lint format bench load clean

venv install: $(VENV)/.installed $(GOVUK)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund || npm install --no-audit --no-fund
	touch $@

assets: $(GOVUK)/.installed

$(GOVUK)/.installed: node_modules/.installed
	mkdir -p $(GOVUK)
	cp $(GOVUK_DIST)/govuk-frontend.min.css $(GOVUK_DIST)/govuk-frontend.min.js $(GOVUK)/
	rm -rf $(GOVUK)/assets
	cp -R $(GOVUK_DIST)/assets $(GOVUK)/assets
	touch $@

chromium: $(CHROMIUM)

$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) apt-get install -y chromium

# pg_dump and pg_restore: `backup`/`restore` on PostgreSQL and their tests
pg-client: $(PG_DUMP)

$(PG_DUMP):
	$(SUDO) apt-get update
	$(SUDO) apt-get install -y postgresql-client

run: install
	$(FLASK) --app tracker db upgrade
	TRACKER_DEMO_PASSWORD='$(DEMO_PASSWORD)' $(FLASK) --app tracker demo-data
	@echo "Demo users: <role>@example.org (e.g. qaro@example.org, admin@example.org), password: $(DEMO_PASSWORD)"
	@echo "Emails (digests, alerts) are written to instance/mail/ unless TRACKER_MAIL_SERVER names a mail server"
	$(FLASK) --app tracker scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler' EXIT INT TERM; \
	$(FLASK) --app tracker run --host $(HOST) --port $(PORT)

# Lint first: CI fails on a lint or format violation before spending time on the suite.
# The PostgreSQL leg runs whenever a server answers on 127.0.0.1:5432 (or TRACKER_TEST_POSTGRES_URL
# names one): .ci/postgres-url says which before the run, the suite's summary whether it ran.
test: install chromium pg-client lint
	TRACKER_TEST_POSTGRES_URL="$$(.ci/postgres-url)" $(PY) -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install
	$(PY) bench/run.py

# 50 users for 2 minutes against gunicorn (4 workers) on PostgreSQL at 127.0.0.1, on a database of
# its own (created and dropped); skipped with a message when PostgreSQL does not answer. Never
# part of `make test`. LOAD_DATABASE_URL, LOAD_CHILDREN, LOAD_DURATION change it (bench/load.py).
load: install
	$(PY) bench/load.py

clean:
	rm -rf $(GOVUK) $(VENV)/.installed node_modules/.installed .pytest_cache
