# Two commands on a fresh machine:
#   make demo   -- set up .venv, install symact, print the sigmoid-vs-ReLU analysis
#   make test   -- set up .venv (+ pdflatex via apt if missing) and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test latex docs bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e ".[test,docs,dev]"
	touch $(STAMP)

# The tests compile LaTeX with a real pdflatex (Debian texlive, ~40 s to install).
latex:
	@command -v pdflatex >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends \
	    texlive-latex-base texlive-latex-recommended ; }
	@command -v pdflatex >/dev/null 2>&1 || { echo "pdflatex is still missing: install texlive-latex-base texlive-latex-recommended" >&2; exit 1; }

demo: $(STAMP)
	$(BIN)/symact explain sigmoid
	$(BIN)/symact bound sigmoid --layers 10 --eps 1e-6
	$(BIN)/symact bound relu --layers 10

test: $(STAMP) latex
	$(BIN)/python -m pytest

docs: $(STAMP)
	$(BIN)/python -m sphinx -W --keep-going -b html docs docs/_build/html

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

lint: $(STAMP)
	$(BIN)/ruff check symact tests

clean:
	rm -rf $(VENV) docs/_build docs/auto_examples .pytest_cache
