# jobfair — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app

.PHONY: run test setup chromium translations extract-messages bench clean

## make run: install everything, upgrade the SQLite database, load demo data if empty, serve on :5000
run: setup
	JOBFAIR_ENV=development $(BIN)/flask db upgrade
	JOBFAIR_ENV=development $(BIN)/flask jobfair demo --if-empty
	JOBFAIR_ENV=development $(BIN)/flask run --host 127.0.0.1 --port 5000

## make test: install everything (Chromium included) and run the whole suite
test: setup chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

setup: $(VENV)/.installed node_modules/.installed translations

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d jobfair/translations

## Refresh the catalogues after changing user-facing strings
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -o jobfair/translations/messages.pot .
	$(BIN)/pybabel update -N -i jobfair/translations/messages.pot -d jobfair/translations

# Debian's chromium drives the browser tests; install it where it is missing and we may.
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	elif sudo -n true 2>/dev/null; then sudo apt-get update -qq && sudo apt-get install -y -qq chromium; \
	else echo "!! /usr/bin/chromium is missing and cannot be installed here: run 'sudo apt-get install chromium'." >&2; \
	     echo "!! The browser tests (tests/e2e) will fail until it is installed." >&2; fi

clean:
	rm -rf $(VENV) node_modules instance/jobfair.db*
