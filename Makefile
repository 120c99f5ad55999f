# The two commands of the README: `make run` and `make test`. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEV := DEBUG=true

.PHONY: run test test-deep lint pytest migrate data messages bench load load-pair clean

$(VENV)/.base: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.dev: $(VENV)/.base
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

migrate: $(VENV)/.base
	$(DEV) $(PY) manage.py migrate --noinput

data: migrate
	$(DEV) $(PY) manage.py load_gazetteer
	$(DEV) $(PY) manage.py load_demo_data

run: data
	@echo
	@echo "To log in at http://127.0.0.1:8000/admin/ create your own editor account first (in another terminal):"
	@echo "    DEBUG=true $(PY) manage.py create_login YOUR-NAME --role editor"
	@echo
	$(DEV) $(PY) manage.py runserver 127.0.0.1:8000

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# pytest exits 5 when it collects no test: that is a failure here, never a silent pass.
# Tests run with production settings (DEBUG off) but plain HTTP and a throwaway key.
TEST_ENV := SECRET_KEY=test-only-not-secret SECURE_SSL_REDIRECT=false
pytest: $(VENV)/.dev
	$(TEST_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

test: lint pytest

# As `make test`, with the property tests at their full count of examples (the deep Hypothesis profile in
# tests/conftest.py; `make test` tries 30 of each).
test-deep: export HYPOTHESIS_PROFILE := deep
test-deep: lint pytest

# Page times at 1,000 and 100,000 centres and their ratio (DESIGN.md section 8), on SQLite, and on PostgreSQL too
# when DATABASE_URL names it; tables also written to bench/results/. Takes several minutes.
bench: $(VENV)/.dev
	$(TEST_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(PY) bench/run.py $(BENCH_ARGS)

# The public pages under load: gunicorn on a loopback port, 16 simulated visitors for 30 s at 100,000 centres.
load: $(VENV)/.dev
	$(PY) bench/load.py $(LOAD_ARGS)

# Two gunicorn instances sharing one PostgreSQL (DATABASE_URL) and one Redis (REDIS_URL), both required: an edit
# through one is on the other's pages at once, and concurrent edits through both are refused, never lost. Under a
# minute; the same as `make load LOAD_ARGS=--two-instances`.
load-pair: $(VENV)/.dev
	$(PY) bench/load.py --two-instances $(LOAD_ARGS)

# Rebuilds the translation catalogues after strings change (needs GNU gettext); the .mo files are committed.
messages: $(VENV)/.dev
	$(DEV) $(PY) manage.py makemessages --no-obsolete -l ru -l kk -l en -l ky -l uz -l tg --ignore='.venv/*' --ignore='staticfiles/*'
	$(DEV) $(PY) manage.py compilemessages --ignore='.venv/*'

clean:
	rm -rf $(VENV) staticfiles
