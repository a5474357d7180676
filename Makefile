# Every target bootstraps .venv from pyproject.toml first; the stamp makes that quick
# when nothing changed. Only Python 3.11 and make are assumed (Node.js is optional for
# `make run`, required for the manifest schema tests and `make e2e`).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: setup bytecode run test lint bench package e2e clean schemas azurite

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@$(MAKE) --no-print-directory bytecode
	@touch $@

# Our packages' bytecode, compiled once: an editable install compiles nothing, and a shell
# or image with PYTHONDONTWRITEBYTECODE=1 (or a read-only checkout) would otherwise compile
# every module from source at every start (0.1-0.2 s of `python -m bot`'s start).
# Quick when up to date; `make run` refreshes it for edited files.
bytecode:
	@$(BIN)/python -m compileall -q bot dialogs knowledge manifest > /dev/null

# The bot (embedded TinyDB, demo data when the store is empty) and, when Node.js is
# there, the Microsoft 365 Agents Playground pointed at it. Ctrl-C stops both.
run: $(STAMP) bytecode
	$(BIN)/callplan dev

test: $(STAMP) schemas azurite lint
	$(BIN)/python -m pytest

# Format, lint and types (configured in pyproject.toml: [tool.ruff], [tool.mypy]); zero findings.
lint: $(STAMP)
	$(BIN)/ruff format --check
	$(BIN)/ruff check
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench

package: $(STAMP)
	$(BIN)/callplan package

# End to end: the bot and the Microsoft 365 Agents Playground (a Teams-like web client),
# driven headless through Debian's Chromium by Playwright. Installs what is missing
# (chromium, the e2e extra, the pinned playground), runs tests/e2e only (marked e2e).
# Screenshots and logs: artifacts/e2e/. Bounded: the whole run stops after 10 minutes.
e2e: $(STAMP)
	BIN=$(BIN) timeout --kill-after=30 600 tests/e2e/run.sh

# The Teams manifest JSON schemas come from a pinned npm package (offline validation).
schemas: manifest/node_modules/.stamp

manifest/node_modules/.stamp: manifest/package.json manifest/package-lock.json
	cd manifest && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Azurite (the Azure Storage emulator) for the azure-blob backend tests, pinned like the schemas.
azurite: tests/support/azurite/node_modules/.stamp

tests/support/azurite/node_modules/.stamp: tests/support/azurite/package.json tests/support/azurite/package-lock.json
	cd tests/support/azurite && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

clean:
	rm -rf $(VENV) manifest/node_modules tests/support/azurite/node_modules build *.egg-info
