# Two commands: `make run` (install, migrate, bootstrap a demo, serve) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_EMAIL ?= owner@example.com
DEMO_PASSWORD ?= backtalk-demo-password

.PHONY: run test install install-test lint format migrate static bootstrap serve worker clean mcp-sdks

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

migrate: install
	$(BIN)/python manage.py migrate --noinput

# Hashed, compressed files for whitenoise in var/static. Pages work without them too (plain
# names from the app directories, config/staticfiles.py), but this is what production serves.
static: install
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

bootstrap: migrate static
	@$(BIN)/python manage.py bootstrap --email $(DEMO_EMAIL) --password $(DEMO_PASSWORD) \
		--workspace "Demo workspace" --project "Demo project" --json > var/bootstrap.json
	@echo ""
	@echo "Backtalk is starting on http://$(HOST):$(PORT)/"
	@echo "  sign in:  http://$(HOST):$(PORT)/accounts/login/"
	@echo "  email:    $(DEMO_EMAIL)"
	@echo "  password: $(DEMO_PASSWORD)"
	@$(BIN)/python -c "import json; d = json.load(open('var/bootstrap.json')); [print(f'  {k + \":\":17} {v}') for k, v in d.items()]"
	@echo ""

# Plain http on this machine: cookies cannot be Secure-only here (SECURE_COOKIES, see README).
# Serves on $(HOST):$(PORT) and sets no SITE_URL, so snippets and links show the address the
# browser used (PORT=8765 make run shows 8765). Background tasks run in a worker thread inside
# runserver (config/worker.py, TASKS_IN_PROCESS_WORKER): the same mechanism gunicorn gets, it
# restarts with runserver's reloader, and there is no second process to start or leave behind.
run: bootstrap
	SECURE_COOKIES=$${SECURE_COOKIES:-false} $(BIN)/python manage.py runserver $(HOST):$(PORT)

# A separate task worker, for when TASKS_IN_PROCESS_WORKER=false (docs/operations.md).
worker: migrate
	$(BIN)/python manage.py db_worker

# The official MCP SDK clients of both major lines, each in its own venv: tests drive our MCP
# servers with them (tests/config/test_mcp_sdk.py). Clients we test against, not dependencies.
var/mcp-sdk-v1/.installed:
	$(PYTHON) -m venv var/mcp-sdk-v1
	var/mcp-sdk-v1/bin/python -m pip install --quiet 'mcp>=1.9,<2'
	@touch $@

var/mcp-sdk-v2/.installed:
	$(PYTHON) -m venv var/mcp-sdk-v2
	var/mcp-sdk-v2/bin/python -m pip install --quiet 'mcp>=2,<3'
	@touch $@

mcp-sdks: var/mcp-sdk-v1/.installed var/mcp-sdk-v2/.installed

test: install-test mcp-sdks
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var/backtalk.sqlite3*
