# Plenary — two commands: `make run` brings the platform up, `make test` proves it works.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := $(PYTHON) -m uv
endif
# Never let uv fetch a Python: use the one on this machine.
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(shell command -v $(PYTHON))

.PHONY: help sync run test lint fmt bench contracts clean

help:
	@echo "make run    start every service on embedded PostgreSQL and NATS (gateway on 127.0.0.1:8080)"
	@echo "make test   lint, import rules, unit and integration tests on real servers"
	@echo "make lint   ruff + import-linter;  make fmt  format;  make bench  benchmarks"

sync:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
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
	$(UV) run --frozen pytest

bench: sync
	$(UV) run --frozen plenary bench

clean:
	rm -rf .venv .pytest_cache .ruff_cache

contracts: sync
	$(UV) run --frozen python -m plenary_contracts.schema_export --write
