# Two commands on a fresh machine:
#   make demo   -- set up .venv, install symact (core dependencies only), print the
#                  sigmoid-vs-ReLU analysis
#   make test   -- set up .venv with every extra (+ pdflatex via apt if missing) and run the
#                  whole test suite, including the wheel check (tests/test_wheel.py)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
CORE   := $(VENV)/.installed-core
FULL   := $(VENV)/.installed-full

.PHONY: demo test latex docs bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The demo needs only the core dependencies (SymPy, mpmath, NumPy, SciPy, python-flint):
# no matplotlib, no test or docs tools.
$(CORE): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $(CORE)

$(FULL): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[plot,test,docs,dev]"
	touch $(CORE) $(FULL)

# The tests compile LaTeX with a real pdflatex (Debian texlive, ~40 s to install).
latex:
	@command -v pdflatex >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends \
	    texlive-latex-base texlive-latex-recommended ; }
	@command -v pdflatex >/dev/null 2>&1 || { echo "pdflatex is still missing: install texlive-latex-base texlive-latex-recommended" >&2; exit 1; }

demo: $(CORE)
	$(BIN)/symact explain sigmoid
	$(BIN)/symact bound sigmoid --layers 10 --eps 1e-6
	$(BIN)/symact bound relu --layers 10

test: $(FULL) latex
	$(BIN)/python -m pytest

docs: $(FULL)
	$(BIN)/python -m sphinx -W --keep-going -b html docs docs/_build/html

bench: $(FULL)
	$(BIN)/python benchmarks/run_all.py

lint: $(FULL)
	$(BIN)/ruff check symact tests

clean:
	rm -rf $(VENV) docs/_build docs/auto_examples .pytest_cache
