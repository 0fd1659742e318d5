# The two commands: `make report` and `make test`. Both bootstrap .venv from the pinned lock.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JOBS   ?= 2

.DEFAULT_GOAL := help
.PHONY: help report test lint format check venv lab clean lock chromium

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=23.2"
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name tallies --display-name "Python (tallies)" >/dev/null
	@# relative: git runs the filter from the top of each working tree, so every checkout or
	@# worktree sharing this git config uses its own .venv
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git config filter.nbstripout.clean "$(BIN)/nbstripout"; \
		git config filter.nbstripout.smudge cat; \
	fi
	@touch $(STAMP)

venv: $(STAMP) ## create .venv and install the pinned dependencies and the project

lab: $(STAMP) ## open JupyterLab on notebooks/ with the project's kernel, "Python (tallies)"
	$(BIN)/jupyter lab notebooks/

report: $(STAMP) ## check the evidence table and render the default report suite into reports/
	$(BIN)/tallies data check
	$(BIN)/tallies report --suite reports/suite.yml --jobs $(JOBS)

# Lint what the project tracks in git: a researcher's own scratch files never stop the tests.
LINTED = $$(git ls-files '*.py' 2>/dev/null | grep . || echo .)

lint: $(STAMP) ## ruff lint and format check of the project's tracked files
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

format: $(STAMP) ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: $(STAMP) ## validate and audit the shipped evidence table
	$(BIN)/tallies data check

test: lint chromium ## lint, then the whole test suite (notebooks and browser included)
	$(BIN)/python -m pytest -n $(JOBS)

# The browser tests drive Debian's Chromium. Installed here when missing and we are root; else
# make stops with how to install it (the tests never skip for want of it).
chromium: ## install Debian's chromium for the browser tests when it is missing (as root)
	@command -v chromium >/dev/null 2>&1 || [ -n "$$TALLIES_CHROMIUM" ] || \
	if [ "$$(id -u)" = 0 ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	else \
		echo "make test needs Chromium for the browser tests: sudo apt-get install -y chromium" >&2; \
		exit 1; \
	fi

lock: ## re-pin requirements.lock from pyproject.toml (needs the registry)
	rm -rf .lockenv && $(PYTHON) -m venv .lockenv
	.lockenv/bin/python -m pip install --quiet ".[dev]"
	.lockenv/bin/python -m pip install --quiet setuptools wheel && .lockenv/bin/python -m pip freeze --all --exclude pip --exclude analysis | sort -f > requirements.lock
	rm -rf .lockenv

clean: ## remove generated reports and the cache (keeps .venv)
	rm -rf reports/*/ reports/index.html data/processed
