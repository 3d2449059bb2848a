# Two commands: `make run` (set up, migrate, demo content, serve) and `make test`.
# Only python3 is needed; everything else comes from the lock file (uv.lock).

PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The suite runs in parallel, each worker with its own SQLite files and PostgreSQL server.
TEST_WORKERS ?= 2
HOST ?= 127.0.0.1
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test lint typecheck pytest install migrate demo token clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/presseschau migrate

demo: migrate
	$(BIN)/presseschau demo

run: demo
	@echo "Serving on http://$(HOST):$(PORT)  (Swagger UI: http://$(HOST):$(PORT)/docs)"
	$(BIN)/presseschau serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy app tests bench

pytest: install
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal

test: lint typecheck pytest

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache

# Load benchmark (bench/run.py): the API against a bare ASGI app, driven by wrk.
.PHONY: bench bench-full bench-report bench-wrk bench-relevance

bench-wrk:
	@command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }

bench: install bench-wrk
	$(BIN)/python -m bench.run --quick

bench-full: install bench-wrk
	$(BIN)/python -m bench.run --full

bench-report: install
	$(BIN)/python -m bench.report

# Search relevance on the judged corpus, SQLite and PostgreSQL (bench/search_relevance.py).
bench-relevance: install
	$(BIN)/python -m bench.search_relevance
