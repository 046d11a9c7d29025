# The two set-up commands of the README: `make demo` and `make test`.
# Each creates .venv if missing and installs the project with what it needs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo test lint format bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[embedded,dev]"
	touch $(STAMP)

# Debian packages for the tests: prometheus (promtool and a live Prometheus for tests/deploy)
# and chromium (the console's browser tests); each installed only when its command is missing.
DEBIAN_NEEDS := promtool:prometheus chromium:chromium

install: $(STAMP)
	@for need in $(DEBIAN_NEEDS); do \
		cmd=$${need%%:*}; pkg=$${need#*:}; \
		command -v $$cmd >/dev/null 2>&1 && continue; \
		echo "installing Debian's $$pkg package ($$cmd missing)"; \
		if [ "$$(id -u)" -eq 0 ]; then SUDO=; \
		elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
		else echo "$$cmd missing: run 'apt-get install -y $$pkg' as root" >&2; exit 1; fi; \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$pkg >/dev/null \
		|| { $$SUDO apt-get update -qq && \
		     $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$pkg >/dev/null; } \
		|| exit 1; \
	done

demo: install
	$(BIN)/hotline demo

test: install lint
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/hotline bench
