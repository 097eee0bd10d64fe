# dwh: `make demo` and `make test` work on a fresh machine with Python 3.11+ and Java 17+.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint bench java clean

# The venv is rebuilt when pyproject.toml changes.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "dwh needs Python 3.11 or newer: install python3.11 and run make again")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

java:
	@v=$$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1); \
	if [ -z "$$v" ] || [ "$$v" -lt 17 ]; then \
	  echo "dwh needs Java 17 or newer for Spark (found: $${v:-none}): install it, e.g. 'apt-get install openjdk-17-jre-headless', then run make again" >&2; \
	  exit 1; \
	fi

demo: java $(STAMP)
	$(BIN)/python -m examples.demo

# Two tiers: the no-JVM tier first (fails fast, in minutes), then every test that
# starts Spark (the session-scoped local session, spark-submit, the standalone clusters).
test: java $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/dwh check
	$(BIN)/python -m pytest -q -m "not spark and not cluster"
	$(BIN)/python -m pytest -q -m "spark or cluster"

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not spark and not cluster"

bench: java $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check dwh tui scripts tests examples benchmarks
	$(BIN)/ruff format --check dwh tui scripts tests examples benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) .dwh dist build demo-data
