# Two entry points, each doing all set-up on a fresh machine (Debian/Ubuntu):
#   make demo   install, derive the GELU derivative in the terminal and write gelu.pdf
#   make test   install, lint (ruff, mypy), then run the test suite (this is what CI runs)
VENV ?= .venv
PY := $(VENV)/bin/python
TEX_PACKAGES := texlive-latex-base texlive-latex-recommended texlive-latex-extra texlive-pictures latexmk lmodern poppler-utils
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup tex demo test bench lint

setup: tex $(VENV)/.installed

tex:
	@command -v latexmk >/dev/null && command -v pdftotext >/dev/null && kpsewhich adjustbox.sty >/dev/null && kpsewhich pgfplots.sty >/dev/null \
	  || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
	       --no-install-recommends $(TEX_PACKAGES); }

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,dask]'
	$(PY) -m pip install -q torch==2.13.0  # the CPU build: exported functions are tested against PyTorch
	touch $@

demo: setup
	$(VENV)/bin/derive prove "gelu'"
	$(VENV)/bin/derive sheet "gelu'" -o gelu.pdf

test: setup lint
	$(PY) -m pytest -n auto

bench: setup
	$(PY) benchmarks/bench_prove.py

lint: setup
	$(VENV)/bin/ruff check derive tests benchmarks
	$(VENV)/bin/ruff format --check derive tests benchmarks
	$(VENV)/bin/mypy
