# The two commands a newcomer needs are `make run` and `make test`; see README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py

.PHONY: run test install lint format check worker bench clean

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed (set PYTHON=...)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[dev]"
	touch $(INSTALLED)

install: $(INSTALLED)

PORT ?= 8000

## run: set everything up and serve the portal on http://127.0.0.1:8000 (SQLite, in-process
## jobs); `make run PORT=8080` serves on another port
run: export DEBUG ?= true
run: $(INSTALLED) var/local.env
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	@echo "Serving the portal on http://127.0.0.1:$(PORT) (Ctrl-C stops it)"
	$(MANAGE) runserver 127.0.0.1:$(PORT)

# The checkout's development settings, read by academy/settings.py, so that
# `python manage.py ...` works here as `make run` does.
var/local.env:
	mkdir -p var
	printf '# Written by make run: development settings of this checkout.\nDEBUG=true\n' > $@

## test: set everything up and run every test
test: $(INSTALLED)
	$(BIN)/python -m pytest

lint: export DEBUG ?= true
lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: export DEBUG ?= true
check: $(INSTALLED)
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

## worker: a Celery worker with beat, against the broker in REDIS_URL
worker: $(INSTALLED)
	@test -n "$$REDIS_URL" || { echo "Set REDIS_URL, e.g. redis://127.0.0.1:6379/0"; exit 2; }
	$(BIN)/celery -A academy worker --beat --loglevel=INFO \
		--schedule var/celerybeat-schedule

## bench: benchmarks, printed as ratios against a baseline measured in the same run
bench: $(INSTALLED)
	$(BIN)/python -m pytest tests/bench -s -m bench

clean:
	rm -rf $(VENV) var/static
