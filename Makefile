# `make run`: set up and run the app; `make test`: set up and run the tests. See README.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: run test lint manifest bench setup screenshots

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt -e .
	touch $@

setup: $(VENV)/.installed

# VENV and PYTHON may be overridden (`make run VENV=/abs/path/.venv`); BIN works for a relative or absolute VENV.
BIN := $(abspath $(VENV))/bin

# PORT and PUBLIC_URL as the app reads them (environment, then .env, then defaults: 3000 and
# http://localhost:$$PORT), exported to every process: honcho gives each process type its own PORT
# (web 3000, worker 3100, clock 3200), which would otherwise change the worker's default PUBLIC_URL.
define RUN_ENV
import shlex, sys
from metaops.exceptions import ConfigError
from metaops.settings import load
try:
    s = load()
except ConfigError as e:
    sys.exit(f"make run: {e}")
print(f"export PORT={s.PORT} PUBLIC_URL={shlex.quote(s.PUBLIC_URL)}")
print("SLACK_MODE=" + ("socket" if s.socket_mode else "http"))
endef
export RUN_ENV

# Why the tests marked both_databases cannot also run on PostgreSQL (one line, exit 1), or nothing (exit 0).
define PG_CHECK
import sys
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from tests.constants import TEST_PG_URL
shown = make_url(TEST_PG_URL).render_as_string(hide_password=True)
try:
    with create_engine(TEST_PG_URL, connect_args={"connect_timeout": 3}).connect() as conn:
        conn.execute(text("SELECT 1"))
except Exception as e:
    why = str(getattr(e, "orig", None) or e).strip().splitlines()[0]
    print(f"no PostgreSQL answers at {shown} ({why}); install PostgreSQL (Debian: apt-get install postgresql) or set TEST_PG_URL")
    sys.exit(1)
endef
export PG_CHECK

run: setup
	$(PY) -c "from metaops.settings import new_env_file; new_env_file() and print('wrote .env with a new ENCRYPTION_KEYS')"
	PATH="$(BIN):$$PATH" $(BIN)/honcho start release
	@run_env=$$($(PY) -c "$$RUN_ENV") || exit 1; eval "$$run_env"; \
	  echo "make run: web worker clock socket (Slack over $$SLACK_MODE); web on port $$PORT, PUBLIC_URL $$PUBLIC_URL (setup page: http://localhost:$$PORT/)"; \
	  PATH="$(BIN):$$PATH" exec $(BIN)/honcho start -p $$PORT web worker clock socket

# The tests run in PYTEST_WORKERS processes (pytest-xdist; 0: in pytest's own process). More than the cores: most
# tests wait on Slack's pace, on timers or on processes of their own rather than on the CPU. Each process starts its
# own redis-server, fakes and PostgreSQL database; worksteal lets an idle process take the tests queued on a busy
# one, so that the long tests do not run one after another in one process while the others are idle.
PYTEST_WORKERS ?= 4
PYTEST := $(VENV)/bin/pytest -q -n $(PYTEST_WORKERS) --dist worksteal

# The headless-browser test of the setup page needs Debian's chromium: installed when missing and this is
# a root Debian/Ubuntu machine; otherwise that one test skips (never fails the run). Without PostgreSQL the
# PostgreSQL runs of the tests marked both_databases are left out and the reason said in one line, before and
# after the run.
test: setup
	bash scripts/services.sh
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && { DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 \
	       || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1; }; }; } \
	  || echo "make test: chromium is not installed and could not be installed here; the setup page's browser test will skip"
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	@if why=$$($(PY) -c "$$PG_CHECK"); then $(PYTEST); \
	else echo "make test: the PostgreSQL runs cannot happen: $$why"; \
	  $(PYTEST) -k "not postgresql" && echo "make test: passed on SQLite only; the PostgreSQL runs did not happen: $$why"; fi

lint: setup
	$(VENV)/bin/ruff check .

manifest: setup
	@$(VENV)/bin/flask --app metaops.wsgi manifest

# From the repo root: the benches import `tests` (fixtures and fakes), which is not an installed package.
bench: setup
	PYTHONPATH=$(CURDIR) $(PY) bench/ingest
	$(PY) -m bench.drain
	$(PY) -m bench.holds
	$(PY) -m bench.burst
	$(PY) -m bench.crash

# The README's screenshots of a customer thread's root in each conversation state (docs/root-*.png) and of a campaign's
# progress message (docs/campaign-progress.png): the app on the
# tests' fakes, drawn in headless Chromium (Debian's chromium). See scripts/screenshots.py.
screenshots: setup
	$(PY) -m scripts.screenshots
