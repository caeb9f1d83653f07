# Developer entry points; every tool runs from the project's own virtualenv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Test processes: independent tests run side by side (pytest-xdist); `make test WORKERS=0` runs them in one.
WORKERS ?= auto

.PHONY: venv run test lint bench fmt clean teams-package

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: venv
	$(BIN)/clientloop db upgrade
	$(BIN)/clientloop serve

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# pytest exits 5 when it collects no test: that fails here too, since we always have tests.
test: lint
	$(BIN)/pytest -n $(WORKERS)

# The Teams app package to upload: build/clientloop-teams.zip (bot id from CLIENT_ID, if set).
teams-package: venv
	$(BIN)/python -m bot.teams_package

bench: venv
	@if [ -d bench ]; then $(BIN)/python -m bench; else echo "no bench/ package: nothing to run"; fi

fmt: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
