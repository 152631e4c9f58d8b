# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# The first Python >= 3.12 on PATH (pyenv finds 3.12 through .python-version).
PYTHON ?= $(shell for p in python3.13 python3.12 python3 python; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo $$p; break; }; done)

.PHONY: run test bench lint format assets messages clean

run: $(VENV)/.runtime node_modules/.installed
	$(PY) -m dashboard.data_dir
	$(PY) manage.py migrate --noinput
	$(PY) manage.py rundashboard

test: $(VENV)/.dev node_modules/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m dashboard.data_dir
	$(PY) -m pytest $(PYTEST_ARGS)

# Every bench in its short mode (small sizes): a bench that fails, fails. `.ci/run` runs this
# after the tests; the figures of a note come from the full sizes (`.venv/bin/python bench/NAME.py`).
# bench/load.py measures several processes, which needs PostgreSQL: LOAD_DATABASE_URL.
# A short bench that runs past BENCH_SECONDS is stopped and fails, so that no hang holds CI.
BENCH_SECONDS ?= 600
BENCHES := asgi_servers listing volumes_networks team_policy engines pull pull_watchers terminal \
	terminal_watch terminal_peer live_pages live_rate labs faults docker_api stats files builds stacks backups \
	audit_stream

bench: $(VENV)/.dev node_modules/.installed
	$(PY) -m dashboard.data_dir
	@for name in $(BENCHES); do \
		echo "== bench/$$name.py --short"; \
		timeout -k 10 $(BENCH_SECONDS) $(PY) bench/$$name.py --short || \
			{ echo "bench/$$name.py failed ($$?)" >&2; exit 1; }; \
	done
	@echo "== bench/load.py --short (PostgreSQL: LOAD_DATABASE_URL)"
	DOCKBOARD_DATABASE_URL="$(LOAD_DATABASE_URL)" timeout -k 10 $(BENCH_SECONDS) $(PY) bench/load.py --short

$(VENV)/bin/python:
	@test -n "$(PYTHON)" || { echo "Dockboard needs Python >= 3.12 on PATH" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.runtime

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: node_modules/.installed

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Korean and English catalogs: `make messages` after changing user-facing strings.
messages: $(VENV)/.runtime
	$(PY) manage.py makemessages --locale ko --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'var/*'
	$(PY) manage.py compilemessages --locale ko --ignore '.venv/*'

clean:
	rm -rf $(VENV) node_modules var/static
