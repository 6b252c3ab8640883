# The two commands of the README: `make verify` (the main job) and `make test`.
# Each creates .venv with the pinned dependencies on first use (Python 3.11 or newer: numpy 2.4,
# matplotlib 3.11 and ipykernel 7.4 of the pins need it).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: verify verify-quick test lint bench mutate notebooks book lab browser experiments frequencies clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 > /dev/null
	touch $(STAMP)

verify: $(STAMP)
	$(BIN)/twolayer verify --report report --workers 2

verify-quick: $(STAMP)
	$(BIN)/twolayer verify --quick --report report

# Two workers, one file each at a time (a notebook's cells share one kernel); tests/conftest.py puts the longest
# file (the mutation run) first so that it does not start last.
test: lint browser
	$(BIN)/python -m pytest tests notebooks --nbval --nbval-current-env \
		--nbval-sanitize-with tests/sanitize.cfg -p no:randomly -n 2 --dist loadfile

# The book's browser test needs Chromium. In CI (CI set, running as root) Debian's package is installed here;
# elsewhere the test is skipped with its reason unless chromium is on the PATH (apt-get install chromium).
browser:
	@if [ -n "$$CI" ] && [ "$$(id -u)" = 0 ] && ! command -v chromium > /dev/null && command -v apt-get > /dev/null; then \
		echo "installing Debian's chromium for the book's browser test"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null; } \
			|| echo "chromium could not be installed: the browser test will say so and skip"; \
	fi

# Style and common bugs (configured in pyproject.toml); part of make test.
lint: $(STAMP)
	$(BIN)/ruff check .

# Inject the curated faults of tests/mutation.py and print the mutation score (also part of make test).
mutate: $(STAMP)
	$(BIN)/python tests/mutation.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# The full sweeps of claim C7 (gradient descent experiments) on a local Dask cluster of 2 workers, into
# data/experiments/*.csv (read by notebook 07 and by C7 in make verify), then [ZBZ] Example 1 by its own protocol
# (zbz_fig4.csv) and [OE] Fig. 4a by its own (oe_fig4a.csv: widths 3 and 9 so far). Resumes an interrupted sweep.
EXPERIMENTS := zbz_example1 oe_width3_d5 oe_width3_d5_bias
experiments: $(STAMP)
	mkdir -p data/experiments
	for s in $(EXPERIMENTS); do \
		/usr/bin/time -f "$$s: %e s" $(BIN)/twolayer experiment --setup $$s --workers 2 \
			--out data/experiments/$$s.csv || exit 1; \
	done
	/usr/bin/time -f "zbz_fig4: %e s" $(BIN)/twolayer experiment --protocol zbz-fig4 --workers 2 \
		--out data/experiments/zbz_fig4.csv
	/usr/bin/time -f "oe_fig4a width 3: %e s" $(BIN)/twolayer experiment --protocol oe-fig4a --widths 3 \
		--workers 2 --no-progress --out data/experiments/oe_fig4a.csv > /dev/null
	/usr/bin/time -f "oe_fig4a width 9: %e s" $(BIN)/twolayer experiment --protocol oe-fig4a --widths 9 \
		--samples 14,18,21,24,27,28,35,42,63 --workers 2 --no-progress --out data/experiments/oe_fig4a.csv > /dev/null

# The second-order decision at every built-in degenerate branch, n = r .. codim + 1, on 200 sample sets each, into
# data/second_order/frequencies.csv (read by C5 and notebook 05); resumes an interrupted run.
frequencies: $(STAMP)
	$(BIN)/python -m twolayer.tables --workers 2

# Re-execute the notebooks in place (stored outputs are what nbval compares).
notebooks: $(STAMP)
	$(BIN)/python tests/execute_notebooks.py notebooks/*.md

# The rendered book (theory, notebooks with stored outputs, latest report) in build/book/index.html.
# Uses the report of the last `make verify`; without one, makes the quick report first.
book: $(STAMP)
	test -f report/report.md || $(BIN)/twolayer verify --quick --report report
	$(BIN)/sphinx-build -q -b html -c book . build/book
	@echo "open build/book/book/index.html"

# JupyterLab in the same virtualenv (the lab extra), opened on the notebooks
lab: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,lab]'
	$(BIN)/jupyter lab notebooks

clean:
	rm -rf $(VENV) report build
