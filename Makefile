# ssl-core developer and CI entry points. The README's two commands: `make demo` and `make test`.
#
#   make demo   create .venv, install ssl-core + every plugin (-c constraints.txt), run `ssl demo`
#   make test   same install, then the test suite of the core and of every plugin, then `make smoke`
#   make lint   ruff check + ruff format --check + mypy ssl_core + lint-imports (architecture contracts)
#   make build  wheels and sdists of every distribution into dist/, then `twine check --strict`
#   make smoke  make build, then the wheel smoke test (.ci/wheel_smoke.py): a fresh venv outside the
#               checkout installs ssl-core and every plugin from dist/ and runs them as a user would
#
# Variables: PYTHON (interpreter used to create the venv), VENV, SSL_DATA_DIR (real data for the
# data tests; default ../shared/data), PIP_ARGS (extra pip arguments, e.g. an index for CPU torch:
# PIP_ARGS="--extra-index-url https://download.pytorch.org/whl/cpu"), PYTEST_ARGS, DEMO_ARGS,
# SMOKE_ARGS (--quick: the wheel smoke test with ssl-core, speech without evaluate, a new plugin).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SSL_DATA_DIR ?= ../shared/data
PIP_ARGS ?=
PYTEST_ARGS ?=
DEMO_ARGS ?=
SMOKE_ARGS ?=
export SSL_DATA_DIR PIP_ARGS

PLUGINS := $(sort $(wildcard plugins/ssl-plugin-*))
PLUGIN_PYPROJECTS := $(wildcard $(addsuffix /pyproject.toml,$(PLUGINS)))
PLUGIN_DIRS := $(patsubst %/pyproject.toml,%,$(PLUGIN_PYPROJECTS))
# Every plugin's tests/ folder is a suite: a plugin without tests fails (pytest exit 4 or 5).
SUITES := tests $(addsuffix /tests,$(PLUGIN_DIRS))
# Optional extras of a plugin that its tests exercise: installed with it by `make install`.
PLUGIN_EXTRAS_ssl-plugin-battery := [parquet]
PYTEST := $(BIN)/python -m pytest -p no:cacheprovider --import-mode=importlib
STAMP := $(VENV)/.ssl-installed

.PHONY: install demo test lint build smoke clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt $(PLUGIN_PYPROJECTS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q $(PIP_ARGS) -c constraints.txt -e ".[dev,plot,progress,trackers]" $(foreach d,$(PLUGIN_DIRS),-e "$(d)$(PLUGIN_EXTRAS_$(notdir $(d)))")
	touch $@

demo: install
	$(BIN)/ssl demo $(DEMO_ARGS)

# Each suite runs in its own pytest process; any non-zero exit (including 5, "no tests ran") fails.
# The core suite includes tests/packaging/test_import_contracts.py, which runs lint-imports.
# A suite's own folder is on PYTHONPATH, so its tests may import helper modules that sit next to them.
test: install
	@status=0; for suite in $(SUITES); do \
	  echo "== pytest $$suite (SSL_DATA_DIR=$$SSL_DATA_DIR)"; \
	  PYTHONPATH="$$suite$${PYTHONPATH:+:$$PYTHONPATH}" $(PYTEST) $(PYTEST_ARGS) $$suite; rc=$$?; \
	  if [ $$rc -ne 0 ]; then echo "FAILED: $$suite (pytest exit $$rc)"; status=1; fi; \
	done; \
	$(MAKE) --no-print-directory smoke || { echo "FAILED: wheel smoke test"; status=1; }; \
	exit $$status

lint: install
	$(BIN)/ruff check ssl_core tests plugins bench
	$(BIN)/ruff format --check ssl_core tests plugins bench
	$(BIN)/mypy ssl_core
	PYTHONPATH="$(CURDIR)/plugins/_template/src$${PYTHONPATH:+:$$PYTHONPATH}" $(BIN)/lint-imports --no-cache

# --no-isolation: setuptools comes from the dev extra (pinned), so building needs no index access.
# Each wheel is built from its sdist, which proves the sdist complete.
build: install
	rm -rf dist build
	$(BIN)/python -m build --no-isolation --outdir dist .
	for p in $(PLUGIN_DIRS); do $(BIN)/python -m build --no-isolation --outdir dist $$p || exit 1; done
	$(BIN)/twine check --strict dist/*

smoke: build
	$(BIN)/python .ci/wheel_smoke.py --dist dist $(SMOKE_ARGS)

clean:
	rm -rf dist build *.egg-info plugins/*/build plugins/*/src/*.egg-info
