# The two commands a newcomer needs: `make book` and `make test`. Everything else is set up on the way.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SEED ?= 2020
SCALE ?= 1.0
JOBS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -gt 4 ] && n=4; echo $$n)  # one kernel per core, at most 4 (each gets cores/jobs BLAS threads)
# tests run in $(JOBS) processes (pytest-xdist; a file's tests stay in one process, so its fixtures are made once),
# each with one BLAS thread: processes whose BLAS each start a thread per core slow each other several fold
TEST_WORKERS := -n $(JOBS) --dist loadfile
TEST_ENV := OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
TEX_PACKAGES := latexmk texlive-xetex texlive-latex-extra texlive-fonts-recommended fonts-freefont-otf poppler-utils

.PHONY: book html pdf test lint format bench data run tex venv lock wheelhouse clean distclean compare-tables

book: venv tex data run   ## install, generate the synthetic world, run every chapter, build HTML and PDF, check the prose
	$(BIN)/python -m movers build --pdf
	$(BIN)/python tools/check_prose.py --html _build/book/_build/html --pdf _build/book/_build/latex/book.pdf

html: venv data run
	$(BIN)/python -m movers build

test: venv tex lint        ## lint, unit and recovery tests first (fast), then chapter runs and book builds (marked slow)
	$(TEST_ENV) $(BIN)/python -m pytest -q -m "not slow" $(TEST_WORKERS) --durations=10
	$(TEST_ENV) $(BIN)/python -m pytest -q -m slow $(TEST_WORKERS) --durations=10 || [ $$? -eq 5 ]   # 5: no test is marked slow

lint: venv                 ## ruff (lib, tests, tools, benchmarks, chapter cells); the layers (import-linter); dependencies (deptry); dead code (vulture)
	$(BIN)/ruff check lib tests tools benchmarks
	$(BIN)/ruff format --check lib tests tools benchmarks
	$(BIN)/python tools/lint_chapters.py
	PYTHONPATH=lib $(BIN)/lint-imports --no-cache   # the contracts of pyproject.toml [tool.importlinter], on this checkout's lib/
	$(BIN)/deptry lib                               # imported = declared ([tool.deptry])
	$(BIN)/python tools/dead_code.py                # vulture: no name in lib/ unused by lib, chapters, tests, tools (whitelist: tools/vulture_whitelist.py)

format: venv               ## rewrite lib/, tests/, tools/ and benchmarks/ as ruff formats them (chapter cells are linted, not reformatted)
	$(BIN)/ruff check --fix lib tests tools benchmarks
	$(BIN)/ruff format lib tests tools benchmarks

NEW ?= _build/src/downloads
compare-tables:            ## the book's downloads (tables as CSV, figures) against another build's: make compare-tables BASE=folder [NEW=folder]
	@[ -n "$(BASE)" ] || { echo "usage: make compare-tables BASE=<downloads folder of the build to compare with> [NEW=$(NEW)]"; exit 2; }
	$(BIN)/python tools/compare_downloads.py $(BASE) $(NEW)

bench: venv data           ## speed figures: model fits at report scale and chapter times
	@set -e; for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b; done

data: venv                 ## the synthetic world (regenerated when its generators change)
	@if [ ! -f data/synthetic/world.json ] || [ -n "$$(find lib/movers/synth -name '*.py' -newer data/synthetic/world.json)" ]; then \
	  $(BIN)/python -m movers generate --seed $(SEED) --scale $(SCALE); \
	else echo "synthetic world is up to date (data/synthetic)"; fi

run: venv
	$(BIN)/python -m movers run -j $(JOBS)

venv: $(STAMP)
# WHEELHOUSE=dir installs without internet from wheels downloaded by `make wheelhouse` (a secure lab: see README)
PIP_FROM := $(if $(WHEELHOUSE),--no-index --find-links $(WHEELHOUSE),)
$(STAMP): requirements.lock pyproject.toml
	@[ -x $(BIN)/python ] || $(PY) -m venv $(VENV)
	$(if $(WHEELHOUSE),,$(BIN)/python -m pip install --quiet --upgrade pip)
	$(BIN)/python -m pip install --quiet $(PIP_FROM) --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet $(PIP_FROM) --no-build-isolation --no-deps -e .
	@touch $(STAMP)

wheelhouse:                ## download every locked package (wheels, hash-checked) into wheelhouse/, for an offline install
	$(PY) -m pip download --quiet --require-hashes --only-binary=:all: -r requirements.lock -d wheelhouse
	@ls wheelhouse | wc -l | xargs echo "wheels in wheelhouse/:"

lock:                      ## regenerate requirements.lock (every package, pinned and hashed) from pyproject.toml; needs internet
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra test --generate-hashes --python-version 3.11.5 --custom-compile-command "make lock" -q -o requirements.lock

tex:                       ## Debian TeX packages for the PDF, installed only when xelatex is missing
	@if ! command -v xelatex >/dev/null || ! command -v latexmk >/dev/null || ! fc-list | grep -qi freeserif; then \
	  echo "installing TeX (about 1 minute): $(TEX_PACKAGES)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(TEX_PACKAGES) >/dev/null; \
	fi

clean:
	rm -rf _build

distclean: clean
	rm -rf $(VENV) data/synthetic data/public
