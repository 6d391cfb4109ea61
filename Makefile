# newsarchive: two commands on a fresh machine -> `make demo`, `make test`.
PY      ?= python3.11
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
UV_VER  := 0.13.9

.PHONY: venv demo test test-fast run bench bench-quick lock system-deps clean fixtures

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q "uv==$(UV_VER)"
	$(BIN)/uv pip sync -q --python $(BIN)/python --require-hashes requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $@

# Debian packages some tests drive: chromium (report rendering), docker-compose (compose validation).
system-deps:
	@scripts/system-deps.sh

demo: venv
	$(BIN)/newsarchive demo

# Two workers (pytest-xdist), each taking the next test when it is free: the slow tests are
# subprocess-heavy and wait on I/O, so two share the machine's 2 cores well.
test: venv system-deps
	$(BIN)/python -m pytest -q -n 2 --dist worksteal

test-fast: venv
	$(BIN)/python -m pytest -q -m "not slow and not e2e"

run: venv
	$(BIN)/newsarchive run --store ./data

bench: venv
	$(BIN)/python -m bench.run_all

bench-quick: venv
	$(BIN)/python -m bench.run_all --quick

fixtures: venv
	$(BIN)/python scripts/regen_fixtures.py

lock:
	$(BIN)/uv pip compile --python-version 3.11 --generate-hashes requirements.in -o requirements.lock

clean:
	rm -rf $(VENV) data .pytest_cache
