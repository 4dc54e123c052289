# Dispute Playbook. `make serve` runs the staff and lessons pages; `make test` runs every check;
# `make team` runs the team server (JupyterHub: sign-in, roles, a server per person).
# Both do all set-up on a fresh machine (virtualenv, packages; system packages when root).
VENV    ?= .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
HOST    ?= 127.0.0.1
PORT    ?= 8866
VOILA_ARGS ?=
# Preheated kernels per page (config/jupyter/voila.py): pages ready before anyone asks.
POOL    ?= staff=2,lessons=1
# configurable-http-proxy (npm), the proxy in front of JupyterHub; pinned, installed under var/
CHP_VERSION := 4.6.3
CHP         := var/node/node_modules/.bin/configurable-http-proxy
# axe-core (npm), the accessibility checker the browser tests inject into the pages; pinned
AXE_VERSION := 4.14.1
AXE         := var/node/node_modules/axe-core/axe.min.js
export JUPYTER_PLATFORM_DIRS := 1
export JUPYTER_CONFIG_DIR    := $(CURDIR)/config/jupyter
export JUPYTER_PATH          := $(CURDIR)/share/jupyter
export JUPYTER_RUNTIME_DIR   := $(CURDIR)/var/jupyter/runtime
export JUPYTER_DATA_DIR      := $(CURDIR)/var/jupyter/data
export IPYTHONDIR            := $(CURDIR)/var/ipython

.PHONY: setup system team-setup team bench-team lint check test test-fast test-browser serve train lab bench map clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	# jupyter-events asks for jsonschema[format-nongpl], which brings rfc3987-syntax: it builds
	# an IRI grammar when imported, about 1 s of CPU at every Voila, hub and pytest start.
	# Nothing here checks IRIs (jsonschema skips that format without it; pip check is clean).
	$(PY) -m pip uninstall -q -y rfc3987-syntax
	touch $(STAMP)

setup: $(STAMP)

# Debian packages the browser and PostgreSQL tests use (Chromium, PostgreSQL). Needs root;
# without it the script says what to install and those tests skip locally.
system:
	bash scripts/install-system-deps.sh

# The team server's proxy, from npm (Node.js comes with `make system`).
$(CHP):
	mkdir -p var/node
	npm install --prefix var/node --no-audit --no-fund --silent \
	  configurable-http-proxy@$(CHP_VERSION)

# The browser tests' accessibility checker, from npm, under var/node like the proxy.
$(AXE):
	mkdir -p var/node
	npm install --prefix var/node --no-audit --no-fund --silent axe-core@$(AXE_VERSION)

team-setup: setup system $(CHP) $(AXE)

# JupyterHub on http://127.0.0.1:8000 from deploy/jupyterhub_config.py (settings: TEAM_* in
# that file). The first admin signs up as `admin`, then approves people at /hub/authorize and
# puts them in the staff / lead / analyst / trainer groups at /hub/admin.
team: team-setup
	mkdir -p var
	PYTHONPATH=$(CURDIR) $(VENV)/bin/jupyterhub -f deploy/jupyterhub_config.py

lint: setup
	$(VENV)/bin/ruff check playbook tests bench scripts deploy
	$(VENV)/bin/ruff format --check playbook tests bench scripts deploy

check: setup
	$(PY) -m playbook check

test: setup system team-setup lint check
	bash scripts/with-test-postgres.sh $(PY) -m pytest
	PLAYBOOK_VAR_DIR=$$(mktemp -d) $(PY) -m pytest -p no:cacheprovider --nbval-lax \
	  --nbval-current-env notebooks/

test-fast: setup
	$(PY) -m pytest -m "not browser"

test-browser: setup system team-setup
	$(PY) -m pytest -m browser

# The served pages are the notebooks in notebooks/pages/ (nothing else there is served); the
# root address lands on the staff page (?lang= and ?case= kept).
serve: setup
	mkdir -p var
	@echo "staff page:   http://$(HOST):$(PORT)/ (= /voila/render/staff.ipynb)"
	@echo "lessons page: http://$(HOST):$(PORT)/voila/render/lessons.ipynb"
	PLAYBOOK_POOL=$(POOL) VOILA_APP_IP=$(HOST) \
	  $(VENV)/bin/voila --Voila.ip=$(HOST) --port=$(PORT) $(VOILA_ARGS) notebooks/pages/

# Training sessions: trainees join with a session code; trainers open ?view=trainer.
train: setup
	mkdir -p var
	PLAYBOOK_POOL=training=1 VOILA_APP_IP=$(HOST) \
	  $(VENV)/bin/voila --Voila.ip=$(HOST) --port=$(PORT) $(VOILA_ARGS) notebooks/training/training.ipynb

# The scenario map shown in README.md (tests/scenarios/test_diagram.py fails when it is stale).
map: setup
	$(PY) -m playbook diagram unfulfilled-order --lang en --out docs/map-unfulfilled-order.svg

lab: setup
	$(VENV)/bin/jupyter lab notebooks/

# Benchmarks print figures and ratios against a baseline measured in the same run.
bench: setup system
	$(PY) bench/bench_store.py
	$(PY) bench/bench_page.py
	$(PY) bench/bench_load.py
	$(PY) bench/bench_orders.py
	$(PY) bench/bench_amazon_orders.py
	$(PY) bench/bench_lessons.py
	$(PY) bench/bench_training.py
	$(PY) bench/bench_packet.py

# 20 people signed in to a real team hub walk a case at once (slow: a few minutes).
bench-team: team-setup
	$(PY) bench/bench_team.py

clean:
	rm -rf var/jupyter var/ipython .pytest_cache
