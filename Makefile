# make run  — install and start Reunite: the embedded PostgreSQL, one web process per core and a job worker process (docs/deploy.md)
# make test — install and run every test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
CORPUS ?= ../shared/corpus/fgnet-dev

.PHONY: install run test lint typecheck bench clean

$(STAMP): pyproject.toml scripts/system-deps.sh
	./scripts/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	# the peer of bench/ingest.py (MIT), a script and not a dependency: its own dependencies are ours
	# already; installed for the bench's test too, so that side is tested and never skipped
	$(BIN)/python -m pip install -q --no-deps 'face_recognition==1.3.0'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/reunite serve

test: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check src tests bench

typecheck: install
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/accuracy.py $(CORPUS)
	$(BIN)/python bench/ingest.py $(CORPUS)
	$(BIN)/python bench/search.py
	$(BIN)/python bench/operating_points.py $(CORPUS) --out bench/out/operating_points.json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
