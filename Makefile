# Everything a fresh machine needs is installed from here (CI runs `make test` on a clean clone).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)

.PHONY: install test bench train lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet -e . --group dev
	rm -f $(VENV)/.installed-*
	touch $@

# pytest exits 5 when it collected nothing: an empty run must not pass.
test: install
	$(BIN)/python -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "no tests were collected"; exit 1; fi; exit $$rc

bench: install
	$(BIN)/python -m tests.benchmarks

train: install
	$(BIN)/fakecheck train

lint: install
	$(BIN)/ruff check model tests
	$(BIN)/ruff format --check model tests

clean:
	rm -rf $(VENV) var
