# Plenary — two commands: `make run` brings the platform up, `make test` proves it works.
SHELL := /bin/bash
PYTHON ?= python3
ifeq ($(origin UV),undefined)  # under `uv run`, UV is the uv that runs us
UV := $(shell command -v uv 2>/dev/null)
endif
ifeq ($(UV),)
UV := $(PYTHON) -m uv
endif
# Never let uv fetch a Python: use the one on this machine. An existing .venv is used as it is (uv would
# recreate it if UV_PYTHON named another path, under a running `make run`). A new one is made with the
# interpreter $(PYTHON) really is: uv compares paths, and a launcher such as a pyenv shim never matches.
export UV_PYTHON_DOWNLOADS := never
ifeq ($(wildcard .venv/pyvenv.cfg),)
UV_PYTHON ?= $(shell $(PYTHON) -c 'import sys; print(getattr(sys, "_base_executable", sys.executable))')
export UV_PYTHON
endif

# Parallel test workers (pytest-xdist), each with its own PostgreSQL and nats-server. 2 by default: on two
# cores the 2,441 tests took 771 s with two workers and 867 s in one process (the servers wait as often as they
# work). More cores: TEST_WORKERS=4; TEST_WORKERS=0 runs everything in this process.
TEST_WORKERS ?= 2
# The pure tier: no server, no process, seconds.
UNIT_TESTS := shared/contracts/tests shared/kit/tests/unit $(wildcard services/*/tests/unit) \
	tests/cli/test_routes.py tests/cli/test_readme_settings.py tests/cli/test_bench_report.py tests/cli/test_bench_measuring.py

.PHONY: help sync run test test-unit lint fmt bench contracts clean deploy-check deploy-files

help:
	@echo "make run    start every service on embedded PostgreSQL and NATS (gateway on 127.0.0.1:$${PLENARY_HTTP_PORT:-8080})"
	@echo "make test   lint, import rules, unit and integration tests on real servers (TEST_WORKERS=n in parallel)"
	@echo "make test-unit   the pure tier only: unit tests, no servers"
	@echo "make lint   ruff + import-linter;  make fmt  format;  make bench  benchmarks"

sync:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv \
		|| $(PYTHON) -m pip install --quiet --user --break-system-packages uv  # a Python that refuses pip (PEP 668)
	@$(UV) sync --frozen --quiet

run: sync
	$(UV) run --frozen plenary dev

lint: sync
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen lint-imports

fmt: sync
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .

test: lint
	$(UV) run --frozen pytest -n $(TEST_WORKERS) --dist loadgroup

test-unit: sync
	$(UV) run --frozen pytest $(UNIT_TESTS)

# make bench [AREAS="rpc gateway"] [JSON=1]: every area when AREAS is empty. The gateway area drives the
# gateway with wrk (a compiled load generator), installed here from the distribution when missing.
bench: sync
ifneq ($(if $(AREAS),$(filter gateway checkin,$(AREAS)),all),)
	@command -v wrk >/dev/null 2>&1 || { \
		if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then \
			echo "make bench: the gateway and checkin areas need wrk; install it as root (apt-get install -y wrk)," \
				"or leave them out: make bench AREAS='limits pipeline rpc workflow registration'" >&2; exit 1; \
		fi; \
		echo "make bench: installing wrk (apt-get install -y wrk)"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -q wrk >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; } \
			|| { echo "make bench: apt-get could not install wrk" >&2; exit 1; }; \
	}
endif
	$(UV) run --frozen plenary bench $(AREAS) $(if $(JSON),--json)

clean:
	rm -rf .venv .pytest_cache .ruff_cache

contracts: sync
	$(UV) run --frozen python -m plenary_contracts.schema_export --write

# The deployment files (deploy/, Dockerfile): the generated ones up to date, the Dockerfile through hadolint,
# compose against the Compose specification, each kustomize overlay against Kubernetes' schemas; offline, with
# tools from PyPI. `make test` runs these tests too (they live under tests/).
deploy-check: sync
	$(UV) run --frozen pytest tests/deploy -q

# Rewrite deploy/compose.yml and deploy/k8s/base/services/ from the list of services (deploy/render.py).
deploy-files: sync
	$(UV) run --frozen python deploy/render.py
