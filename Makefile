# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-quick reliability bench bench-attribution bench-scoring bench-ingest lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

run: $(STAMP)  ## the demo: generate -> ingest -> headline KPIs by channel -> HTML report
	$(BIN)/leadpilot demo -w demo-workspace --leads 20000 --seed 42
	@echo
	@# The report of the demo's seeded quarter (leads doubled, revenue fell), in French.
	@echo "The report (HTML, self-contained: open it in a browser):"
	@$(BIN)/leadpilot report -w demo-workspace --period 2025-Q2 --lang fr \
		--out demo-workspace/reports/leadpilot-report-2025-Q2-fr.html
	@echo
	@echo "leadpilot is installed in $(VENV). To call it: . $(VENV)/bin/activate && leadpilot --help"
	@echo "(or $(BIN)/leadpilot ...); try: leadpilot funnel -w demo-workspace --by channel"

# The suite runs on $(WORKERS) processes (pytest-xdist), one test file per process at a time
# so that a file's shared fixtures are built once; WORKERS=0 runs it in this process.
WORKERS ?= 2
# Bytecode caches (the assertion-rewritten test modules and the rewritten packages of the
# pytest plugins among them): some machines switch them off, which makes every test
# process rewrite and compile about 470 modules again (collection 6.6 -> 4.0 s a process)
unexport PYTHONDONTWRITEBYTECODE
test: $(STAMP)  ## the whole suite (DuckDB, PostgreSQL, Spark local, browsers), in parallel
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports --no-cache  # the layers of ARCHITECTURE.md (.importlinter)
	@# schemathesis gives its cases one test id (under xdist only one would run): the service
	@# fuzzing runs in a process of its own, beside the suite rather than after it (8.7 ->
	@# 8.2 min when measured); its report follows the suite's
	@fuzzlog=$$(mktemp); \
	$(BIN)/python -m pytest -p no:xdist tests/api/test_fuzz.py > $$fuzzlog 2>&1 & fuzz=$$!; \
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadfile --ignore=tests/api/test_fuzz.py; \
	suite=$$?; wait $$fuzz; fuzzed=$$?; \
	echo "--- tests/api/test_fuzz.py (run beside the suite)"; cat $$fuzzlog; rm -f $$fuzzlog; \
	if [ $$fuzzed -gt 128 ]; then echo; echo "the fuzzing process was killed by signal" \
		"$$((fuzzed - 128)) (a 9 without a word: most likely the out-of-memory killer, see" \
		"dmesg)"; fi; \
	test $$suite -eq 0 && test $$fuzzed -eq 0

# The quick loop while coding: DuckDB only, without the slow tests (Spark, PostgreSQL,
# fuzzing, kills, the long property tests); make test runs everything.
test-quick: $(STAMP)
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadfile -m "not slow" -k "not postgres and not spark" \
		--ignore=tests/api/test_fuzz.py

# The long run of tests/reliability (make test runs it bounded: 3 kills, 10 examples):
# more kills of an ingest, larger workspaces, more Hypothesis examples; figures at the end.
KILLS    ?= 20
LEADS    ?= 10000
EXAMPLES ?= 200
reliability: $(STAMP)  ## crash safety, concurrency, fuzzing at length; prints the figures
	LEADPILOT_RELIABILITY_KILLS=$(KILLS) LEADPILOT_RELIABILITY_LEADS=$(LEADS) \
	LEADPILOT_RELIABILITY_EXAMPLES=$(EXAMPLES) \
		$(BIN)/python -m pytest -q -p no:randomly -p no:cacheprovider tests/reliability

bench: $(STAMP)  ## benchmarks at 1,000,000 leads; figures go to bench/RESULTS.md
	$(BIN)/python bench/run.py

bench-attribution: $(STAMP)  ## attribution at 1,000,000 journeys vs SQL floor and ChannelAttribution
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	$(BIN)/python bench/attribution.py

bench-scoring: $(STAMP)  ## rules vs hand-written SQL and model apply at 1,000,000 leads
	$(BIN)/python bench/scoring.py

bench-ingest: $(STAMP)  ## the fixed cost of a small ingest (DuckDB, PostgreSQL, Spark) vs before and a SQL floor
	$(BIN)/python bench/ingest_small.py --spark

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

clean:
	rm -rf $(VENV) demo-workspace bench/data bench/work bench/attribution-* .pytest_cache
