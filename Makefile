# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint install install-dev benchmarks catalogs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'

demo: install
	$(BIN)/peil demo

lint: install-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -n 2

benchmarks: install-dev
	$(BIN)/python benchmarks/ingest.py

# After changing a text in a template, in src/peil/reports or a message marked N_ in the files of MESSAGES: refresh the
# catalogs, translate the new entries in both messages.po files (msgstr ""), then run `make catalogs` again to
# compile them.
LOCALE := src/peil/locale
MESSAGES := src/peil/quality/run.py src/peil/quality/problems.py src/peil/quality/quarantine.py src/peil/scan/read.py src/peil/sources/columns.py src/peil/sources/excel.py src/peil/sources/layout.py
catalogs: install-dev
	$(BIN)/pybabel extract -F $(LOCALE)/babel.cfg --no-location --sort-output --project=peil --version=0.1.0 \
		--copyright-holder="peil developers" -k N_ -o $(LOCALE)/messages.pot src/peil/reports $(MESSAGES)
	$(BIN)/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) -D messages --no-fuzzy-matching --ignore-obsolete \
		--ignore-pot-creation-date
	$(BIN)/pybabel compile -d $(LOCALE) -D messages --statistics

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
