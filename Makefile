# `make test` and `make serve` work from a fresh clone: each creates .venv when
# missing and installs the project with its extras first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

SAM_VENV := .tools/sam
SAM      := $(SAM_VENV)/bin/sam
SAM_ENV  := AWS_DEFAULT_REGION=us-east-1 SAM_CLI_TELEMETRY=0

.PHONY: install lint typecheck test test-py313 test-min-versions ci serve bench docs check-template scan-template clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,local]'
	@touch $(STAMP)

install: $(STAMP)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy sessions_core sessions_client handlers sessions_cli examples

test: lint typecheck
	$(BIN)/pytest

# The suite again on python3.13, the Lambda runtime (pyenv provides it on our machines).
PY313      ?= python3.13
VENV313    := .venv313
STAMP313   := $(VENV313)/.installed-stamp
PY313_ENV  := PYENV_VERSION=$(shell pyenv versions --bare 2>/dev/null | grep -m1 '^3\.13' || echo system)

$(STAMP313): pyproject.toml
	@test -x $(VENV313)/bin/python || $(PY313_ENV) $(PY313) -m venv $(VENV313)
	$(VENV313)/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev,local]'
	@touch $(STAMP313)

test-py313:
	@if $(PY313_ENV) $(PY313) -c 'import sys' 2>/dev/null; then \
		$(MAKE) --no-print-directory $(STAMP313) && $(VENV313)/bin/pytest -q -p no:cacheprovider; \
	else echo "test-py313: no python3.13 on this machine; skipped"; fi

# The unit and contract tests with every runtime dependency at the lowest version
# pyproject.toml admits (tests/min_versions/constraints.py pins them): a floor below
# what the code calls fails here, not in a service that pins an older release.
VENVMIN   := .venv-min
STAMPMIN  := $(VENVMIN)/.installed-stamp

$(STAMPMIN): pyproject.toml tests/min_versions/constraints.py
	@test -x $(VENVMIN)/bin/python || $(PYTHON) -m venv $(VENVMIN)
	$(PYTHON) -m tests.min_versions.constraints > $(VENVMIN)/constraints.txt
	@echo "test-min-versions: installing at the floors: $$(tr '\n' ' ' < $(VENVMIN)/constraints.txt)"
	$(VENVMIN)/bin/python -m pip install --quiet --disable-pip-version-check \
		-c $(VENVMIN)/constraints.txt -e '.[dev,local]'
	@touch $(STAMPMIN)

# cfn-lint is a dev tool: at the pydantic floor pip picks an older release with other
# rules; `make check-template` lints the template with the current one.
test-min-versions: $(STAMPMIN)
	$(VENVMIN)/bin/pytest -q -p no:cacheprovider tests/unit tests/contract \
		--deselect tests/contract/test_template.py::test_template_passes_cfn_lint

# Everything CI runs: lint, types, tests on 3.11 and 3.13 and at the dependency floors,
# the template checks.
ci: test test-py313 test-min-versions check-template

# Only what serving needs (the `local` extra), with a line per step; PORT is honoured.
SERVE_STAMP := $(VENV)/.installed-local
PORT ?= 3000

$(SERVE_STAMP): pyproject.toml
	@test -x $(BIN)/python || { echo "serve 1/3: creating .venv"; $(PYTHON) -m venv $(VENV); }
	@echo "serve 2/3: installing what serving needs (pip install -e '.[local]', about 30 s the first time)"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[local]'
	@touch $(SERVE_STAMP)

serve: $(SERVE_STAMP)
	@echo "serve 3/3: starting sessions serve --demo on port $(PORT)"
	@$(BIN)/sessions serve --demo --port $(PORT)

# Rewrites every command output and reference table shown in README.md and docs/ from
# a real run (tests/integration/test_docs_current.py fails when one is stale).
docs: install
	$(BIN)/python -m tests.harness.doc_blocks

# Benchmarks: prints the table and writes bench/results.json (about half a minute).
bench: install
	$(BIN)/python -m bench

# aws-sam-cli lives in its own venv so its pins never touch the project's.
$(SAM):
	@test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --disable-pip-version-check aws-sam-cli

# checkov, the IaC scanner, pinned and in its own venv like sam. Every finding is either
# fixed or skipped inline in template.yaml with `checkov:skip=<id>:<reason>`.
CHECKOV_VENV := .tools/checkov
CHECKOV      := $(CHECKOV_VENV)/bin/checkov

$(CHECKOV):
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check checkov==3.3.30

# --skip-download: no call to the vendor's platform (guidelines), which CI cannot reach.
scan-template: $(CHECKOV)
	$(CHECKOV) -f template.yaml --framework cloudformation --skip-download --compact --quiet

check-template: install $(SAM) scan-template
	$(BIN)/cfn-lint template.yaml
	$(SAM_ENV) $(SAM) validate --lint --template template.yaml
	$(SAM_ENV) $(SAM) build --build-in-source --template template.yaml --build-dir .aws-sam/build
	$(BIN)/python -m tests.artifact_check .aws-sam/build

# `sam build` (BuildMethod: makefile) calls these: the artifact holds handlers/,
# sessions_core/ and manylinux aarch64 wheels for python3.13 (no Docker needed), and
# their bytecode for the runtime's Python: Lambda's /var/task is read-only, so an
# artifact without it compiles every module on every cold start. The runtime is read
# from template.yaml; hash-based pycs (unchecked), since a zip's timestamps are not
# to be trusted.
define COMPILE_ARTIFACT
	find "$(ARTIFACTS_DIR)" -name __pycache__ -prune -exec rm -rf {} +
	@$(RUNTIME_ENV) python$(RUNTIME_PY) -c 'import sys' 2>/dev/null || { echo "build: python$(RUNTIME_PY) (the template's Runtime) is needed to compile the artifact's bytecode: install it (pyenv install $(RUNTIME_PY), or apt-get install python$(RUNTIME_PY))" >&2; exit 1; }
	$(RUNTIME_ENV) python$(RUNTIME_PY) -m compileall -q -j 0 --invalidation-mode unchecked-hash "$(ARTIFACTS_DIR)" >/dev/null
endef
RUNTIME_PY := $(shell sed -n 's/^ *Runtime: python\(3\.[0-9]*\)$$/\1/p' template.yaml | head -1)
RUNTIME_ENV := PYENV_VERSION=$(shell pyenv versions --bare 2>/dev/null | grep -m1 '^$(RUNTIME_PY)' || echo system)
# The bench builds for this machine's platform (x86_64) to run the artifact here.
LAMBDA_PLATFORM ?= manylinux2014_aarch64
LAMBDA_PIP := $(PYTHON) -m pip install --quiet --disable-pip-version-check \
	--target "$(ARTIFACTS_DIR)" --platform $(LAMBDA_PLATFORM) --implementation cp \
	--python-version $(RUNTIME_PY) --only-binary=:all: --upgrade

build-ApiFunction:
	mkdir -p "$(ARTIFACTS_DIR)"
	cp -R handlers sessions_core "$(ARTIFACTS_DIR)/"
	$(LAMBDA_PIP) -r requirements/lambda-api.txt
	$(COMPILE_ARTIFACT)

# Erasure creates no session: no user-agent parser either.
build-CleanupFunction build-EventsFunction build-EraseFunction build-FeedCompactorFunction:
	mkdir -p "$(ARTIFACTS_DIR)"
	cp -R handlers sessions_core "$(ARTIFACTS_DIR)/"
	$(LAMBDA_PIP) -r requirements/lambda-cleanup.txt
	$(COMPILE_ARTIFACT)

build-DemoLoginFunction:
	mkdir -p "$(ARTIFACTS_DIR)/clients"
	cp -R handlers sessions_core examples "$(ARTIFACTS_DIR)/"
	cp -R clients/js "$(ARTIFACTS_DIR)/clients/"
	$(LAMBDA_PIP) -r requirements/lambda-api.txt
	$(COMPILE_ARTIFACT)

build-AuthorizerFunction:
	mkdir -p "$(ARTIFACTS_DIR)"
	cp -R handlers sessions_core "$(ARTIFACTS_DIR)/"
	$(LAMBDA_PIP) -r requirements/lambda-authorizer.txt
	$(COMPILE_ARTIFACT)

clean:
	rm -rf $(VENV) $(VENV313) $(VENVMIN) .tools .aws-sam .mypy_cache .pytest_cache .ruff_cache
