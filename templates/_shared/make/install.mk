# Dependencies: requirements*.in name what the project uses; requirements*.txt are the locks
# compiled from them (every package, transitive ones included, with the hashes of its files).
# `make install` makes .venv hold exactly the dev lock with uv (https://docs.astral.sh/uv/),
# which takes seconds; uv is used from PATH, or put into .venv with pip the first time.
# Without make or uv, the same lock with pip (slower, same result):
#   python3 -m venv .venv
#   .venv/bin/pip install --no-deps --require-hashes -r requirements-dev.txt
VENV_PYTHON ?= python3
UV ?= $(or $(shell command -v uv 2>/dev/null),$(BIN)/uv)
# Bytecode: Python keeps it for each module a run imports, so the first `make test` compiles
# what it uses (about 2 s) rather than a sync compiling the whole lock (5-7 s). Where
# PYTHONDONTWRITEBYTECODE is set (many containers and CI machines), nothing would ever be
# kept, so there uv compiles everything once, at the sync.
SYNC := $(strip pip sync --quiet --require-hashes \
	$(if $(PYTHONDONTWRITEBYTECODE),--compile-bytecode))
# --universal keeps the platform markers, so one lock serves Linux, macOS and Windows alike.
LOCK := pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock"

install: ## make .venv hold exactly the locked dependencies, dev tools included (uv)
	@if [ ! -x "$(UV)" ]; then \
		echo "uv is not on PATH: installing the locked uv into $(VENV) with pip first."; \
		$(VENV_PYTHON) -m venv $(VENV) && $(BIN)/python -m pip install --quiet \
			--disable-pip-version-check "$$(grep -m1 '^uv==' requirements-dev.txt | cut -d' ' -f1)"; \
	fi
	$(UV) venv --quiet --allow-existing --python $(VENV_PYTHON) $(VENV)
	$(UV) $(SYNC) --python $(BIN)/python requirements-dev.txt

lock: ## recompile requirements*.txt after editing requirements*.in, then: make install test
	$(UV) $(LOCK) requirements.in --output-file requirements.txt
	$(UV) $(LOCK) requirements-dev.in --constraint requirements.txt \
		--output-file requirements-dev.txt
	@# The audit tool has an environment of its own (CI's audit job), so a lock of its own,
	@# with the dev lock's versions of the packages they share.
	$(UV) $(LOCK) requirements-audit.in --constraint requirements-dev.txt \
		--output-file requirements-audit.txt
{%- if with_deploy %}
	@# So do the deploy checks (make lint-deploy), which share nothing with the app: their lock
	@# is constrained by no other, and is the same in every project.
	$(UV) $(LOCK) requirements-deploy.in --output-file requirements-deploy.txt
{%- endif %}
