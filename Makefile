# Two commands do all the set-up on a fresh machine with Python 3.11 and its venv module, make and (for the
# browser tests) Debian's Chromium and npm; `make prerequisites` names what is missing and how to install it:
#   make book   install into .venv, execute the notebooks, build the static site
#   make test   the whole suite (lint, unit and property tests, reference cases, notebooks, book build,
#               then the built book in a real browser: pages, links, search, accessibility, screenshots)
# and after `make book`:
#   make handouts  printable A4 PDFs of each lesson and of the trainer guide, in _build/handouts
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
BOOK_FLAGS := --all -W -n --keep-going

.PHONY: prerequisites install book test lint unit notebooks browser handouts lab bench data data-large clean

CHROMIUM ?= /usr/bin/chromium
export CHROMIUM

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[book,test,scale,spark]'
	touch $@

install: $(STAMP)

# axe-core for the accessibility tests, the version pinned in tests/browser/package-lock.json (the current
# release, rather than the older copy inside the axe-playwright-python wheel), installed from npm once into
# tests/browser/node_modules (ignored by git) and again only when the pin changes, as .venv is.
AXE_STAMP := tests/browser/node_modules/.installed-stamp

$(AXE_STAMP): tests/browser/package.json tests/browser/package-lock.json
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# What `make test` needs besides the packages it installs into .venv from PyPI (see README, "Set up"),
# checked first and in well under a second, with the command that installs each missing piece (Debian;
# .ci/run installs them on CI). The browser tests and handouts find Chromium at $(CHROMIUM) (or $$CHROMIUM).
prerequisites:
	@missing=""; \
	if [ -z "$(PYTHON)" ] || ! "$(PYTHON)" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then \
	  missing="$$missing\n  - Python 3.11 or newer, as python3.11 or python3:  apt-get install python3 python3-venv"; \
	elif [ ! -f $(STAMP) ] && ! "$(PYTHON)" -c 'import ensurepip, venv' 2>/dev/null; then \
	  missing="$$missing\n  - Python's venv module with pip, to create .venv:  apt-get install python3-venv"; \
	fi; \
	if [ ! -x "$(CHROMIUM)" ]; then \
	  missing="$$missing\n  - Chromium at $(CHROMIUM), for the browser tests (make browser, make handouts):  apt-get install chromium"; \
	fi; \
	if ! java -version >/dev/null 2>&1; then \
	  missing="$$missing\n  - Java 17 or newer, for Spark (tests/test_scale.py runs equity_lib.scale on Spark in local mode):  apt-get install default-jre-headless"; \
	fi; \
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then \
	  missing="$$missing\n  - Node.js and npm, to install axe-core for the accessibility tests (make browser):  apt-get install nodejs npm"; \
	fi; \
	if [ -n "$$missing" ]; then \
	  printf "This machine lacks what make test needs:$$missing\nInstall them (as root on Debian 12; .ci/run does this on CI), then run make test again.\n" >&2; \
	  exit 1; \
	fi

# Execution is forced (see _config.yml): the cache does not notice changes to data or to equity_lib.
book: install
	rm -rf _build/html
	$(BIN)/jupyter-book build . $(BOOK_FLAGS)
	@echo
	@echo "The book is built: open $(CURDIR)/_build/html/index.html"

lint: install
	$(BIN)/ruff check equity_lib tests benchmarks

# The browser tests (tests/browser) need the built book: `make browser` runs them.
unit: install
	$(BIN)/python -m pytest tests --ignore=tests/browser

# nbval re-runs every notebook and compares its text outputs with the committed ones.
notebooks: install
	$(BIN)/python -m pytest --nbval --nbval-current-env --ignore=_build \
		--nbval-sanitize-with tests/nbval_sanitize.cfg -p no:randomly notebooks templates

# The book just built, served on localhost and driven with Debian's Chromium (/usr/bin/chromium,
# which .ci/run installs; Playwright never downloads a browser). REQUIRE_BROWSER=1: a missing site,
# browser or axe-core fails rather than skips. Screenshots: _build/html/_screenshots/index.html.
browser: prerequisites book $(AXE_STAMP)
	REQUIRE_BROWSER=1 $(BIN)/python -m pytest tests/browser

# The prerequisites first, whatever -j says; then the suite.
test: prerequisites
	@$(MAKE) --no-print-directory lint unit notebooks book browser

# Handouts for trainers: each lesson page of the book just built, and the trainer guide, printed
# to A4 PDFs in _build/handouts by book/_tools/handouts.py (Debian's Chromium, as `make browser`).
handouts: prerequisites install
	@test -f _build/html/index.html || { echo "The book is not built (_build/html is missing): run \`make book\` first."; exit 1; }
	$(BIN)/python book/_tools/handouts.py

# JupyterLab at the repository root (lessons in notebooks/, the team template in templates/). Extra
# arguments pass through: make lab ARGS=--allow-root (as root, e.g. in a container), ARGS='--port=8890 --no-browser'.
lab: install
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" $(ARGS)

bench: install
	taskset -c 0 $(BIN)/python benchmarks/bench_spc.py
	taskset -c 0 $(BIN)/python benchmarks/bench_rates.py
	taskset -c 0 $(BIN)/python benchmarks/bench_inequality.py
	taskset -c 0 $(BIN)/python benchmarks/bench_scale.py
	$(BIN)/python benchmarks/bench_scale_engines.py

# Into this checkout's datasets/ (byte for byte the committed files), never into an installed package.
data: install
	$(BIN)/python -m equity_lib.synthetic --out datasets

# The large synthetic record-level extract (NOT real data; never committed: _build/ is ignored), as Parquet
# in $(DATA_LARGE): the collaborative's waiting list and outpatient appointments, about ROWS records
# (make data-large ROWS=100000000), one per pathway or appointment counted in datasets/. Does nothing when
# the folder already holds the extract asked for.
DATA_LARGE ?= _build/data-large
ROWS ?= 20000000
data-large: install
	$(BIN)/python -m equity_lib.scale.extract --out $(DATA_LARGE) --rows $(ROWS)

clean:
	rm -rf _build .pytest_cache .hypothesis
