# Everyday commands. `make test` builds the venv on first use (and again when
# pyproject.toml changes); tests start private Redis/PostgreSQL servers unless
# REDIS_URL / DATABASE_URL are set.

PY ?= $(shell command -v python3.11 2>/dev/null || echo python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONFIG ?= config/communities

.PHONY: venv test check run format clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

# pytest exits 5 when it collects no tests: not a failure for this target.
test: venv
	@$(MAKE) --no-print-directory check
	$(BIN)/pytest -q || { status=$$?; [ $$status -eq 5 ] && echo "no tests collected"; [ $$status -eq 5 ]; }

check: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

run: venv
	$(BIN)/hub run --config $(CONFIG)

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
