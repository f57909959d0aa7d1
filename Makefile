# The two commands a newcomer needs are `make run` and `make test`; see README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py

.PHONY: run test install lock audit sbom lint format check worker bench clean

# Every dependency is pinned with its hashes (README, Dependencies): requirements.lock
# is what production runs (the Dockerfile installs it), requirements-dev.lock is that
# and the dev extra. pip installs nothing that is not in the lock, nor a file whose
# hash differs. Changing a lock reinstalls.
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock

$(INSTALLED): pyproject.toml $(LOCK) $(DEV_LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed (set PYTHON=...)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation .
	touch $(INSTALLED)

install: $(INSTALLED)

# Locks are compiled for the oldest Python the project supports, on Linux.
COMPILE := $(BIN)/uv pip compile --quiet --generate-hashes --python-version 3.11 \
	--custom-compile-command "make lock"
UPGRADE ?=
SDIST_ONLY := --no-binary docopt
UPGRADE_FLAGS := $(if $(filter all,$(UPGRADE)),--upgrade,$(addprefix --upgrade-package ,$(UPGRADE)))

## lock: rewrite the locks from pyproject.toml, keeping every pin that still fits;
## `make lock UPGRADE="django celery"` moves those to their newest allowed versions,
## `make lock UPGRADE=all` moves everything
lock: $(INSTALLED)
	$(COMPILE) --python-platform x86_64-manylinux_2_28 $(UPGRADE_FLAGS) \
		pyproject.toml -o $(LOCK)
	$(COMPILE) --python-platform x86_64-manylinux_2_28 $(UPGRADE_FLAGS) \
		pyproject.toml --extra dev -c $(LOCK) -o $(DEV_LOCK)
	@# The same pins must install from wheels on x86_64 and on ARM (aarch64) servers;
	@# SDIST_ONLY are pure-Python packages published only as source (docopt, which
	@# GOV.UK Notify's client requires), built the same on every platform.
	@check=$$(mktemp -d) && trap 'rm -rf "$$check"' EXIT && \
	for platform in x86_64 aarch64; do \
		cp $(LOCK) $(DEV_LOCK) "$$check"/ && \
		$(COMPILE) --python-platform $$platform-manylinux_2_28 --only-binary :all: $(SDIST_ONLY) \
			pyproject.toml -o "$$check/$(LOCK)" && \
		$(COMPILE) --python-platform $$platform-manylinux_2_28 --only-binary :all: $(SDIST_ONLY) \
			pyproject.toml --extra dev -c $(LOCK) -o "$$check/$(DEV_LOCK)" && \
		diff -u $(LOCK) "$$check/$(LOCK)" && diff -u $(DEV_LOCK) "$$check/$(DEV_LOCK)" \
		|| { echo "lock: the pins above differ on $$platform Linux, or lack its wheels"; exit 1; }; \
	done; echo "lock: the same pins install from wheels on x86_64 and aarch64 Linux"

## audit: known vulnerabilities in the locked versions (pip-audit --strict; skipped,
## and said so, only when no vulnerability database answers), and bandit's medium and
## high findings in the code
# bandit warns "nosec encountered, but no failed test" for each other check it runs on
# a line that carries a `# nosec`: that noise is left out of what it prints.
audit: $(INSTALLED)
	@status=0; log=$$(mktemp) && trap 'rm -f "$$log"' EXIT; \
	$(BIN)/python scripts/audit_locks.py $(LOCK) $(DEV_LOCK) || status=1; \
	if $(BIN)/bandit --quiet -r academy participants vacancies reporting -ll 2>"$$log"; \
	then echo "bandit: no medium or high findings"; else status=1; fi; \
	grep -v "but no failed test" "$$log" >&2; \
	exit $$status

## sbom: the CycloneDX bill of materials of what production runs (requirements.lock,
## installed as the Dockerfile does into a throwaway environment), written to
## var/sbom.cdx.json; make one for every release
sbom: $(INSTALLED)
	@mkdir -p var
	@env=$$(mktemp -d) && trap 'rm -rf "$$env"' EXIT && \
	$(BIN)/python -m venv --without-pip "$$env" && \
	$(BIN)/uv pip install --quiet --require-hashes -r $(LOCK) --python "$$env/bin/python" && \
	$(BIN)/cyclonedx-py environment --pyproject pyproject.toml --of JSON \
		-o var/sbom.cdx.json "$$env/bin/python" && \
	echo "sbom: var/sbom.cdx.json, the $(LOCK) of this checkout"

PORT ?= 8000

## run: set everything up and serve the portal on http://127.0.0.1:8000 (SQLite, in-process
## jobs, the beat schedule run beside the server by `manage.py run_schedule`); `make run
## PORT=8080` serves on another port, and links in e-mails point to it (unless SITE_URL is set)
run: export DEBUG ?= true
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: $(INSTALLED) var/local.env
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	@echo "Serving the portal on http://127.0.0.1:$(PORT) (Ctrl-C stops it)"
	@# No Redis, so no beat: run_schedule runs the schedule (reminders, digests, nightly
	@# jobs) beside the server; Ctrl-C, or the server stopping, stops it too.
	@$(MANAGE) run_schedule & schedule=$$!; \
	trap 'kill $$schedule 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver 127.0.0.1:$(PORT)

# The checkout's development settings, read by academy/settings.py, so that
# `python manage.py ...` works here as `make run` does.
var/local.env:
	mkdir -p var
	printf '# Written by make run: development settings of this checkout.\nDEBUG=true\n' > $@

## test: set everything up and run every test
test: $(INSTALLED)
	$(BIN)/python -m pytest -m "not bench"

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

## bench: every benchmark on PostgreSQL, each a median ratio to a baseline measured
## alternately in the same run (COPY for loads, a fair SQL for reports, the minimal
## signed-in page for pages, through gunicorn as the Dockerfile runs it); one table at
## the end and var/bench/latest.json. Generated data (BENCH_PARTICIPANTS=100000 people
## in the largest of BENCH_ACADEMIES=4 academies) is made once and reused; or give a
## copy of a generated database you may write to in BENCH_DATABASE_URL.
bench: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/care_academy_benchmarks
bench: export REDIS_URL ?= redis://127.0.0.1:6379/15
bench: export REQUIRE_SERVICES ?= 1
bench: $(INSTALLED)
	@pg_isready -h 127.0.0.1 -p 5432 -q || { \
		pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql)" main start && \
		for _ in $$(seq 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done; }
	@redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG || \
		redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
	$(BIN)/python -m pytest tests/bench -m bench -rfEs

clean:
	rm -rf $(VENV) var/static
