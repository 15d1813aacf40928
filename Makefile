# `make run`: set up and run the app; `make test`: set up and run the tests. See README.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: run test lint manifest bench setup

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt -e .
	touch $@

setup: $(VENV)/.installed

run: setup
	$(PY) -c "from metaops.settings import new_env_file; new_env_file() and print('wrote .env with a new ENCRYPTION_KEYS')"
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho start release
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho start -p $${PORT:-3000} web worker clock

test: setup
	bash scripts/services.sh
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -q

lint: setup
	$(VENV)/bin/ruff check .

manifest: setup
	@$(VENV)/bin/flask --app metaops.wsgi manifest

# From the repo root: the benches import `tests` (fixtures and fakes), which is not an installed package.
bench: setup
	PYTHONPATH=$(CURDIR) $(PY) bench/ingest
	$(PY) -m bench.drain
	$(PY) -m bench.holds
