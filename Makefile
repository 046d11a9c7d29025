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

# Debian's prometheus package provides promtool and prometheus for tests/deploy (rule checks,
# rule unit tests and a live Prometheus); installed only when promtool is missing.
install: $(STAMP)
	@command -v promtool >/dev/null 2>&1 || { \
		echo "installing Debian's prometheus package (promtool, prometheus)"; \
		if [ "$$(id -u)" -eq 0 ]; then SUDO=; \
		elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
		else echo "promtool missing: run 'apt-get install -y prometheus' as root" >&2; exit 1; fi; \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null \
		|| { $$SUDO apt-get update -qq && \
		     $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null; }; \
	}

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
