# LiftCoach: `make run` serves the app, `make test` runs the whole suite; both set up .venv.
# Install order matters: torch==2.13.0 first, then everything else under constraints.txt so
# nothing can move torch, mediapipe or starlette (see STACK notes in README). Never torchvision.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
RUNTIME := $(VENV)/.runtime-installed
DEV := $(VENV)/.dev-installed
PORT ?= 8501
# Localhost by default: a host that serves others sets ADDRESS=0.0.0.0 behind its TLS proxy
# (README "Sign-in and roles"); the Docker image and compose files do so themselves.
ADDRESS ?= 127.0.0.1

.PHONY: install install-dev run test lint typecheck layers bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(RUNTIME): requirements.txt constraints.txt | $(PY)
	$(PIP) install torch==2.13.0
	$(PIP) install -c constraints.txt -r requirements.txt
	touch $@

$(DEV): $(RUNTIME) requirements-dev.txt
	$(PIP) install -c constraints.txt -r requirements-dev.txt
	$(PIP) check
	touch $@

install: $(RUNTIME)

install-dev: $(DEV)

run: install
	mkdir -p $${LIFTCOACH_DATA:-data}
	$(PY) -m streamlit run app.py --server.address $(ADDRESS) --server.port $(PORT)

lint: install-dev
	$(PY) -m ruff check .

typecheck: install-dev
	$(PY) -m mypy

# import-linter: the layers of pyproject.toml ([tool.importlinter]) run one way.
layers: install-dev
	$(VENV)/bin/lint-imports

test: install-dev lint typecheck layers
	$(PY) -m pytest

bench: install-dev
	$(PY) -m benchmarks.run --out BENCHMARKS.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
