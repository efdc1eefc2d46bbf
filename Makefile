# The commands the README gives. `make run` serves the app, `make test` runs the whole suite on SQLite and PostgreSQL,
# `make lint` checks the import contracts of pyproject.toml (layers, no cycle inside a blueprint package).
VENV        := .venv
PY          := $(VENV)/bin/python
FLASK       := $(VENV)/bin/flask --app webapp
PORT        ?= 5000
DEMO_SIZE   ?= 2000
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/crm_test
PYTHON      ?= python3

.PHONY: install run serve test test-sqlite test-postgres bench translations lint

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e '.[test,dev]'
	touch $@

install: $(VENV)/.installed translations

translations: $(VENV)/.installed
	@if [ -d translations ]; then $(VENV)/bin/pybabel compile -d translations >/dev/null; fi

db: install
	$(FLASK) db upgrade
	$(FLASK) crm init
	$(FLASK) crm demo-data --if-empty --contacts $(DEMO_SIZE) --seed 1

run: db
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

serve: db
	$(VENV)/bin/gunicorn --bind 127.0.0.1:$(PORT) --workers 2 --timeout 120 --access-logfile - "webapp:create_app()"

test: test-sqlite test-postgres

test-sqlite: install
	$(PY) -m pytest

test-postgres: install
	TEST_DATABASE_URL=$(PG_TEST_URL) $(PY) -m pytest

lint: install
	$(VENV)/bin/lint-imports --no-logo --no-cache

bench: install
	$(PY) bench/run_all.py
