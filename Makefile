# Two commands do all the set-up on a fresh machine with Python 3.11:
#   make book   install into .venv, execute the notebooks, build the static site
#   make test   the whole suite (lint, unit and property tests, reference cases, notebooks, book build)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
BOOK_FLAGS := --all -W -n --keep-going

.PHONY: install book test lint unit notebooks lab bench data clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[book,test]'
	touch $@

install: $(STAMP)

# Execution is forced (see _config.yml): the cache does not notice changes to data or to equity_lib.
book: install
	rm -rf _build/html
	$(BIN)/jupyter-book build . $(BOOK_FLAGS)
	@echo
	@echo "The book is built: open $(CURDIR)/_build/html/index.html"

lint: install
	$(BIN)/ruff check equity_lib tests benchmarks

unit: install
	$(BIN)/python -m pytest tests

# nbval re-runs every notebook and compares its text outputs with the committed ones.
notebooks: install
	$(BIN)/python -m pytest --nbval --nbval-current-env --ignore=_build \
		--nbval-sanitize-with tests/nbval_sanitize.cfg -p no:randomly notebooks

test: lint unit notebooks book

lab: install
	$(BIN)/jupyter lab notebooks

bench: install
	taskset -c 0 $(BIN)/python benchmarks/bench_spc.py

data: install
	$(BIN)/python -m equity_lib.synthetic

clean:
	rm -rf _build .pytest_cache .hypothesis
