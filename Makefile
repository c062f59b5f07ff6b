# Two commands get a newcomer going: `make run` serves the demo, `make test` runs the suite.
# `make setup` is the install step both share; it is idempotent and quick when nothing changed.

PYTHON ?= python3
PORT ?= 8000
# Links in mail and feeds name the port the server listens on (an environment SITE_URL wins).
SITE_URL ?= http://127.0.0.1:$(PORT)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := .make

.DEFAULT_GOAL := help
.PHONY: help setup lock run test lint fmt audit migrations-check worker beat rerender clean

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(PY):
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Installs exactly what requirements/dev.txt pins, each file checked against its hash; the
# project itself is run from this folder and is not installed.
$(STAMP)/python: requirements/dev.txt | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt
	@mkdir -p $(STAMP) && touch $@

UV ?= uv
LOCK := $(UV) pip compile pyproject.toml --python-version 3.11 --universal --generate-hashes \
	--custom-compile-command "make lock" --quiet
lock: ## Pin every dependency with hashes after editing pyproject.toml (needs uv)
	$(LOCK) --extra test --extra lint --extra audit -o requirements/dev.txt
	$(LOCK) --extra postgres -o requirements/prod.txt

$(STAMP)/npm: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node 20+) is needed for KaTeX"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMP) && touch $@

setup: $(STAMP)/python $(STAMP)/npm ## Install Python and npm packages into .venv and node_modules

run: setup ## Set up, migrate, load the demo and serve on 127.0.0.1:$(PORT)
	SITE_URL=$(SITE_URL) $(PY) manage.py migrate --noinput
	SITE_URL=$(SITE_URL) $(PY) manage.py load_demo
	SITE_URL=$(SITE_URL) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: setup ## Set up and run the whole suite (T=path to run a part)
	$(PY) -m pytest $(T)

lint: setup ## Lint: ruff, formatting, mypy and the layer contract (import-linter)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

audit: setup ## Look for security problems: bandit on the code, pip-audit on the dependencies
	$(VENV)/bin/bandit -q -c pyproject.toml -r .
	$(VENV)/bin/pip-audit --progress-spinner off --skip-editable

fmt: setup ## Format with ruff
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

migrations-check: setup ## Fail when models and migrations disagree
	$(PY) manage.py makemigrations --check --dry-run

worker: setup ## Run a Celery worker (needs CELERY_BROKER_URL)
	$(VENV)/bin/celery -A shortscience worker --loglevel=info

beat: setup ## Run Celery beat (needs CELERY_BROKER_URL)
	$(VENV)/bin/celery -A shortscience beat --loglevel=info

rerender: setup ## Re-render every summary and comment rendered by an older renderer
	$(PY) manage.py rerender

clean: ## Remove the virtualenv, node_modules and the SQLite database
	rm -rf $(VENV) node_modules $(STAMP) db.sqlite3 staticfiles
