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

.PHONY: run test lint typecheck pytest install migrate demo token clean frontend frontend-build

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

# The reader site (frontend/): npm ci and the build run again only when their inputs change
# (the stamps), so `make frontend` and the browser tests start at once the second time.
FRONTEND_PORT ?= 4321
FRONTEND_INPUTS := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	frontend/astro.config.mjs frontend/tsconfig.json openapi.json
export ASTRO_TELEMETRY_DISABLED := 1

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

frontend/dist/.built: frontend/node_modules/.installed $(FRONTEND_INPUTS)
	cd frontend && npm run build
	touch $@

frontend-build: frontend/dist/.built

# The API on PORT and the site on FRONTEND_PORT until Ctrl-C, which stops both: background
# jobs of a script ignore SIGINT, so the trap passes it on as SIGTERM.
frontend: demo frontend-build
	@echo "Site on http://$(HOST):$(FRONTEND_PORT)  (API: http://$(HOST):$(PORT))"
	@trap 'kill $$api $$site 2>/dev/null' INT TERM EXIT; \
	PRESSESCHAU_CORS_ORIGINS=http://$(HOST):$(FRONTEND_PORT) \
	PRESSESCHAU_PUBLIC_URL=http://$(HOST):$(FRONTEND_PORT) \
		$(BIN)/presseschau serve --host $(HOST) --port $(PORT) & api=$$!; \
	PRESSESCHAU_API_URL=http://$(HOST):$(PORT) HOST=$(HOST) PORT=$(FRONTEND_PORT) \
		node frontend/dist/server/entry.mjs & site=$$!; \
	wait $$site; wait $$api

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache frontend/node_modules frontend/dist test-artifacts

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
