# jobfair — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app

.PHONY: run test setup setup-dev chromium fonts debian-packages translations extract-messages bench audit resilience clean

## make run: install everything, upgrade the SQLite database, load demo data if empty, serve on :5000
run: setup
	JOBFAIR_ENV=development $(BIN)/flask db upgrade
	JOBFAIR_ENV=development $(BIN)/flask jobfair demo --if-empty
	JOBFAIR_ENV=development $(BIN)/flask run --host 127.0.0.1 --port 5000

## make test: install everything (the development set, Chromium included) and run the whole suite
test: setup-dev chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make bench: the benchmark suite (not part of make test); writes docs/BENCHMARKS.md
##   BENCH_ARGS="--help" lists its options (databases, data sizes, runs)
bench: setup-dev
	$(BIN)/python -m bench $(BENCH_ARGS)

## make audit: static security checks — bandit (no high-severity finding) and a dependency
## audit against the vulnerability database when the registry answers
audit: setup-dev
	$(BIN)/python -m tests.security.audit

## make resilience: two servers on one PostgreSQL database, a PostgreSQL restart under load,
## SMTP down, backup and restore (needs TEST_DATABASE_URL on PostgreSQL; called by .ci/run)
resilience: setup-dev
	$(BIN)/python -m pytest -p no:cacheprovider -m resilience tests/resilience $(PYTEST_ARGS)

# setup: what the app needs to run (requirements.txt); setup-dev adds tests, benchmarks and
# audits (requirements-dev.txt).
setup: $(VENV)/.installed node_modules/.installed translations fonts
setup-dev: setup $(VENV)/.dev-installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# lazy_gettext is imported as _l; lazy_ngettext keeps its name (plural rules' messages).
EXTRACT_KEYWORDS := -k _l -k lazy_ngettext:1,2

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d jobfair/translations

## Refresh the catalogues after changing user-facing strings
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg $(EXTRACT_KEYWORDS) -o jobfair/translations/messages.pot .
	$(BIN)/pybabel update -N -i jobfair/translations/messages.pot -d jobfair/translations

# Debian's chromium drives the browser tests, and badge PDFs use Debian's DejaVu fonts
# (fonts-dejavu-core); install them where they are missing and we may.
chromium:
	@$(MAKE) --no-print-directory debian-packages PACKAGES="chromium fonts-dejavu-core" \
	  CHECK="/usr/bin/chromium /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf" \
	  WHY="the browser tests (tests/e2e) and badge PDFs"

# Badges are drawn with DejaVu Sans (Latin, accents and Arabic script).
fonts:
	@$(MAKE) --no-print-directory debian-packages PACKAGES="fonts-dejavu-core" \
	  CHECK="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf" WHY="badge PDFs"

# Install Debian packages where a file they provide is missing and we may (root or sudo).
debian-packages:
	@missing=""; for f in $(CHECK); do [ -e "$$f" ] || missing=1; done; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $(PACKAGES); \
	elif sudo -n true 2>/dev/null; then sudo apt-get update -qq && sudo apt-get install -y -qq $(PACKAGES); \
	else echo "!! $(PACKAGES) missing and cannot be installed here: run 'sudo apt-get install $(PACKAGES)'." >&2; \
	     echo "!! $(WHY) will fail until then." >&2; fi

clean:
	rm -rf $(VENV) node_modules instance/jobfair.db*
