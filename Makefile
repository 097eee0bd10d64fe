# dwh: `make demo` and `make test` work on a fresh machine with Python 3.11+ and Java 17+.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
AIRFLOW_VENV := .airflow-venv
AIRFLOW_STAMP := $(AIRFLOW_VENV)/.installed

.PHONY: demo test test-fast test-browser notebook chromium lint bench java clean airflow-venv

# The venv is rebuilt when pyproject.toml changes.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "dwh needs Python 3.11 or newer: install python3.11 and run make again")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Real Airflow for tests/deploy (the generated DAGs), in its own venv: Airflow 3.3 and
# the apache-spark, amazon and databricks providers (~770 MB) never touch dwh's pins.
# Rebuilt only when requirements/airflow.txt changes; CI caches .airflow-venv on its hash.
$(AIRFLOW_STAMP): requirements/airflow.txt
	@test -x $(AIRFLOW_VENV)/bin/python || $(PYTHON) -m venv $(AIRFLOW_VENV)
	$(AIRFLOW_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(AIRFLOW_VENV)/bin/python -m pip install --quiet -r requirements/airflow.txt
	@touch $(AIRFLOW_STAMP)

airflow-venv: $(AIRFLOW_STAMP)

java:
	@v=$$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1); \
	if [ -z "$$v" ] || [ "$$v" -lt 17 ]; then \
	  echo "dwh needs Java 17 or newer for Spark (found: $${v:-none}): install it, e.g. 'apt-get install openjdk-17-jre-headless', then run make again" >&2; \
	  exit 1; \
	fi

demo: java $(STAMP)
	$(BIN)/python -m examples.demo

# Three tiers: the no-JVM tier first (fails fast, in minutes), then every test that
# starts Spark (the session-scoped local session, spark-submit, the standalone clusters),
# then JupyterLab in a real browser. Each prints its slowest tests.
test: java chromium $(STAMP) $(AIRFLOW_STAMP)
	$(BIN)/lint-imports
	$(BIN)/dwh check
	$(BIN)/python -m pytest -q -n 2 --durations=5 -m "not spark and not cluster and not browser"
	$(BIN)/python -m pytest -q --durations=10 -m "spark or cluster"
	$(BIN)/python -m pytest -q --durations=3 -m browser

test-fast: $(STAMP) $(AIRFLOW_STAMP)
	$(BIN)/python -m pytest -q -m "not spark and not cluster and not browser"

# JupyterLab in a real chromium: the notebooks, the form, docs/notebook-form.png.
test-browser: java chromium $(STAMP)
	$(BIN)/python -m pytest -q -m browser

# JupyterLab on notebooks/, 127.0.0.1 only, with a token: `make notebook NOTEBOOK_ARGS='--port 8888'`.
notebook: java $(STAMP)
	$(BIN)/dwh notebook $(NOTEBOOK_ARGS)

# The browser tests drive Debian's chromium; never `playwright install` (it downloads a browser).
chromium:
	@if [ -x /usr/bin/chromium ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else \
	  echo "the browser tests need Debian's chromium at /usr/bin/chromium: run 'sudo apt-get install -y chromium' (as root: make chromium), then make again" >&2; \
	  exit 1; \
	fi

bench: java $(STAMP) $(AIRFLOW_STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check dwh tui scripts tests examples benchmarks
	$(BIN)/ruff format --check dwh tui scripts tests examples benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) $(AIRFLOW_VENV) .dwh dist build demo-data
