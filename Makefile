# Everything a fresh machine needs is installed from here (CI runs `make test` on a clean clone).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)

.PHONY: install test bench train serve extension lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet -e . --group dev
	rm -f $(VENV)/.installed-*
	touch $@

# The page tests drive Debian's Chromium: Playwright's own browser download has no network here.
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium

# The extension's pure logic is tested with Node's own test runner.
NODE := /usr/bin/node

$(NODE):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nodejs

# pytest exits 5 when it collected nothing: an empty run must not pass.
test: install $(CHROMIUM) $(NODE)
	$(NODE) --test extension/test/
	$(BIN)/python -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "no tests were collected"; exit 1; fi; exit $$rc

bench: install
	$(BIN)/python -m tests.benchmarks

train: install
	$(BIN)/fakecheck train

# The service on 127.0.0.1:8080 with the committed weights; its store is var/fakecheck.sqlite3.
serve: install
	$(BIN)/fakecheck serve

# The browser extension zipped for Chrome and for Firefox, into var/extension/.
extension:
	$(PYTHON) extension/pack.py var/extension

lint: install
	$(BIN)/ruff check model service bot tests
	$(BIN)/ruff format --check model service bot tests

clean:
	rm -rf $(VENV) var
