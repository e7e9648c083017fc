# The two commands of the README: `make demo` (build the environment, generate a demo inbox, run the
# nightly DAGs, print what was published) and `make test` (build the environment, run every test).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
DATA ?= data

.PHONY: demo test env postgres test-deps clean

env: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --constraint constraints.txt --editable '.[test]'
	touch $@

demo: env
	$(BIN)/trappe generate --out $(DATA)/inbox --kommunekoder 510,657,167
	$(BIN)/trappe run --inbox $(DATA)/inbox --data-dir $(DATA) --demo

postgres:
	bash scripts/postgres.sh

# Debian packages the delivery tests use: headless Chromium (report, PDF) and LibreOffice Calc (workbook)
test-deps:
	bash scripts/test_deps.sh

test: env postgres test-deps
	$(BIN)/python -m pytest

clean:
	rm -rf $(DATA) $(VENV)
