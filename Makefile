# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/sh
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint typecheck format messages clean help

help:
	@echo "make run    - install, migrate, load demo data and serve http://$(HOST):$(PORT)"
	@echo "make test   - run the whole test suite (uses DATABASE_URL/REDIS_URL when set)"
	@echo "make lint   - ruff lint and format check"
	@echo "make typecheck - mypy --strict on the application code"
	@echo "make messages - update and compile the translation catalogues"
	@echo "make bench  - weekly digest (20,000 members, BENCH_MEMBERS), research search (100,000 resources, BENCH_RESOURCES) and pages at the scale of a region (BENCH_SCALE) benchmarks, see docs/performance.md"
	@echo "make audit  - Lighthouse scores of the main pages under production gunicorn, written to docs/quality.md"
	@echo "make screenshots - PNGs of the main pages at 1280 px and 390 px from the demo data, written to docs/screenshots/"

# The virtualenv is rebuilt when the lock file changes.
$(VENV)/.installed: requirements-dev.lock requirements.lock pyproject.toml
	@if [ ! -x $(PY) ]; then \
		python=$${PYTHON:-$$(scripts/find-python)} || exit 1; \
		echo "Creating $(VENV) with $$python"; \
		"$$python" -m venv $(VENV) || exit 1; \
	fi
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet --require-virtualenv -r requirements-dev.lock
	@touch $@

# The Nu HTML Checker that tests/test_html_valid.py runs (needs Java 17+),
# pinned in tools/vnu; --ignore-scripts: its postinstall would fetch a Java.
VNU_JAR := tools/vnu/node_modules/vnu-jar/build/dist/vnu.jar
$(VNU_JAR): tools/vnu/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix tools/vnu --ignore-scripts --no-audit --no-fund --silent && touch $@; \
	else \
		echo "npm not found: the HTML check (tests/test_html_valid.py) will be skipped"; \
	fi

install: $(VENV)/.installed $(VNU_JAR)

# The links in emails and the sign-in address seed_demo prints follow the
# port the server listens on, unless SITE_URL is set.
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy circle asks justop forums research news volunteering

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: install
	$(PY) manage.py makemessages --all --no-obsolete --ignore=.venv --ignore=tests --ignore=bench
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) .pytest_cache db.sqlite3 staticfiles

# Drops and recreates the databases justop_bench and justop_bench_region and
# flushes Redis databases 15 and 14; the page benchmark needs wrk (Debian:
# apt-get install wrk). See docs/performance.md. BENCH_ARGS= runs them
# without updating the docs.
.PHONY: bench
BENCH_ARGS ?= --write
bench: install
	$(PY) -m bench.digests $(BENCH_ARGS)
	$(PY) -m bench.search $(BENCH_ARGS)
	$(PY) -m bench.region $(BENCH_ARGS)

# Lighthouse (pinned in tools/lighthouse, needs Node and /usr/bin/chromium)
# against gunicorn in production mode on a throwaway database; see docs/quality.md.
.PHONY: audit
audit: install
	$(PY) scripts/audit

# Full-page PNGs of home, an organization, a forum and a research resource at
# 1280 px and 390 px, from the demo data on a throwaway SQLite database; see
# docs/screenshots/README.md.
.PHONY: screenshots
screenshots: install
	$(PY) scripts/screenshots.py
