# Developer entry points; every tool runs from the project's own virtualenv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Test processes: independent tests run side by side (pytest-xdist); `make test WORKERS=0` runs them in one.
WORKERS ?= auto

.PHONY: venv lock run test lint browser bench fmt clean teams-package

venv: $(STAMP)

# The venv holds exactly the locked versions (runtime + dev, every file checked against its
# hash), then clientloop itself on top without resolving anything again.
$(STAMP): requirements-dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Re-writes the locks from pyproject.toml for Python 3.11 on Linux, keeping every pin that
# still fits its bounds; `make lock UPGRADE=1` moves every package to its newest allowed release.
# Runtime first, then dev constrained by it, so both locks agree on every runtime package.
LOCK_FLAGS = --quiet --generate-hashes --python-version 3.11 --python-platform linux \
	--custom-compile-command 'make lock' $(if $(UPGRADE),--upgrade)
lock: venv
	$(BIN)/uv pip compile $(LOCK_FLAGS) pyproject.toml -o requirements.lock
	$(BIN)/uv pip compile $(LOCK_FLAGS) --extra dev -c requirements.lock pyproject.toml \
		-o requirements-dev.lock

run: venv
	$(BIN)/clientloop db upgrade
	$(BIN)/clientloop serve

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# tests/browser drives Debian's chromium through Playwright (never a browser download):
# installed here with apt-get when it is missing; without it those tests skip, saying why
# (CI sets CLIENTLOOP_REQUIRE_BROWSER=1, which makes that a failure).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian's chromium for tests/browser"; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium \
		|| { $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium; } \
		|| echo "chromium could not be installed: tests/browser will skip"; }

# pytest exits 5 when it collects no test: that fails here too, since we always have tests.
test: lint browser
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
