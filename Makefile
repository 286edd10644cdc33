# Stembus: `make run` serves a demo election on SQLite; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: run test install system-packages translations instance lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: system-packages $(STAMP) translations assets

system-packages:
	@bash deploy/install-system-packages.sh

translations: $(STAMP)
	@$(BIN)/pybabel compile --use-fuzzy -d translations >/dev/null

instance:
	@mkdir -p instance && chmod 700 instance
	@test -s instance/secret_key || (umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(48))" > instance/secret_key)

run: install instance
	$(BIN)/stembus db upgrade
	$(BIN)/stembus demo seed
	STEMBUS_INSECURE_COOKIES=$${STEMBUS_INSECURE_COOKIES:-0} $(BIN)/gunicorn -c deploy/gunicorn.conf.py --bind 127.0.0.1:8000 'admin.app:create_app()'

test: install
	@STEMBUS_NEED_BROWSER=1 STEMBUS_NEED_DEPLOY_TOOLS=1 bash deploy/install-system-packages.sh
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy crypto election

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache node_modules static/vendor

# --- browser assets ------------------------------------------------------------------------------
# @noble/curves and @noble/hashes from the npm registry (pinned in package-lock.json), copied as ES
# modules into static/vendor/noble/ (git-ignored) for the booth and the challenge checker.
.PHONY: assets
assets: static/vendor/noble/manifest.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

static/vendor/noble/manifest.json: node_modules/.package-lock.json deploy/build-assets.js
	npm run --silent build
