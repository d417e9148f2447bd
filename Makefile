PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint format install clean

run: $(STAMP)
	$(BIN)/fumin up --demo

test: $(STAMP)
	./scripts/ensure-chromium
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check coordinator workers migrations tests bench
	$(BIN)/ruff format --check coordinator workers migrations tests bench
	$(BIN)/mypy coordinator workers
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format coordinator workers migrations tests bench
	$(BIN)/ruff check --fix coordinator workers migrations tests bench

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) var
