# sitrep — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
export UV_PROJECT_ENVIRONMENT := $(VENV)
# The deploy group holds the tools `make test` checks deploy/ with (kubernetes-validate, hadolint).
SYNC := $(UV) sync --frozen --quiet --group deploy
IMAGE ?= localhost/sitrep:dev
BASE_IMAGE ?=

.PHONY: help install run demo test lint typecheck unit integration schemas eval bench load soak clean image test-deploy test-faults

help:
	@echo "make run        run fetcher -> parser -> classifier on the real feeds (embedded broker unless KAFKA_BOOTSTRAP_SERVERS is set)"
	@echo "make demo       the same over bundled feeds served from loopback; exits by itself"
	@echo "make test       lint, type-check and all tests"
	@echo "make test-faults  kill -9, broker outage, SIGTERM under load, stuck consumer (docs/reliability.md)"
	@echo "make schemas    regenerate schemas/ from the message models"
	@echo "make eval       the classifier against the field reports, CASE 2021 and sitrep's own gold cases (exit 1 when a goal is missed)"
	@echo "make bench      the benchmarks behind docs/benchmarks.md"
	@echo "make load       10,000 articles end to end through loopback (about 5 min)"
	@echo "make soak       30 minutes at 10 articles/s; writes docs/soak-memory.png"
	@echo "make image      the container image (IMAGE=$(IMAGE); BASE_IMAGE=... to change the base)"
	@echo "make test-deploy  build the image on a Debian base and run the three stages from it (needs root or podman)"

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(SYNC)
	@touch $@

install: $(VENV)/.synced

run: install
	$(PY) -m devtools.pipeline

demo: install
	$(PY) -m devtools.demo

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy

unit: install
	$(PY) -m pytest tests/unit

integration: install
	$(PY) -m pytest tests/integration

test: lint typecheck
	$(PY) -m pytest

# Fault tests (tests/faults, left out of `make test`): stages killed, the broker stopped for 30 s,
# SIGTERM under load, a stuck consumer. -s shows each case's FIGURES line for docs/reliability.md.
test-faults: install
	$(PY) -m pytest -s -m faults tests/faults

schemas: install
	$(PY) -m services.kit.schemas

# The classifier's evaluation: CASE 2021 (read in place from ../shared/data), tests/data's gold cases,
# and the field reports (theater, actors and events per language and dev/frozen half).
eval: install
	$(PY) -m bench.field_eval
	$(PY) -m bench.classifier_eval

# Benchmarks need the bench group (rouge-score); results are recorded in docs/benchmarks.md.
bench: install
	$(SYNC) --group bench
	$(PY) -m bench.fetcher_bench
	$(PY) -m bench.parser_quality
	$(PY) -m bench.parser_speed
	$(PY) -m bench.stage_parser
	$(PY) -m bench.classifier_speed
	$(SYNC)

# End to end through loopback (docs/benchmarks.md, docs/reliability.md); the bench group draws the plot.
load: install
	$(SYNC) --group bench
	$(PY) -m bench.load_e2e burst --feeds 100 --items 100
	$(SYNC)

soak: install
	$(SYNC) --group bench
	$(PY) -m bench.load_e2e steady --rate 10 --feeds 50 --minutes 30
	$(SYNC)

# The image: wheels built here from uv.lock, then an offline build (see Dockerfile).
image: install
	$(PY) -m devtools.image --tag $(IMAGE) $(if $(BASE_IMAGE),--base $(BASE_IMAGE))

# The image for real: podman/buildah from Debian's packages, a Debian-built base (no registry
# needed), then the broker on loopback and the three stages from the image, read-only, non-root.
test-deploy: install
	$(PY) -m devtools.image --tag $(IMAGE) --debian-base --install-tools
	SITREP_IMAGE=$(IMAGE) $(PY) -m pytest -p no:cacheprovider tests/deploy/container_check.py

clean:
	rm -rf $(VENV) $(TOOLS) .run .pytest_cache .mypy_cache .ruff_cache
