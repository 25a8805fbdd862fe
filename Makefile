# fromscratch.kubernetes: every entry point a newcomer needs.
#   make test     the whole test suite (what .ci/run runs)
#   make lab      a local cluster on systemd containers (bash lab/lab.sh up)
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
VENV ?= .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export FROMSCRATCH_MIRROR ?= /var/cache/fromscratch-kubernetes/mirror
SCENARIOS ?= etcd etcd-single control-plane runtime default multinode ha day2

.PHONY: test venv testbed mirror lint sanity units changelog integration molecule lab lab-destroy build bench

test: ## everything, in order, each stage timed (what .ci/run runs)
	bash tests/run-all.sh

venv: ## Python venv from the pinned requirements
	bash tests/venv.sh

testbed: ## podman, runc, debootstrap and the systemd host image
	bash tests/testbed/setup.sh

mirror: ## upstream-layout artifact mirror built from Debian packages
	bash tests/testbed/mirror.sh

lint: venv ## ansible-lint, production profile
	ansible-lint --profile production

sanity: venv ## ansible-test sanity on a copy laid out as ansible_collections/fromscratch/kubernetes
	bash tests/sanity.sh

units: venv ## pytest unit tests (no network)
	pytest -q tests/unit

changelog: venv ## check the changelog fragments (changelogs/fragments/; ansible-test sanity's changelog test)
	bash tests/sanity.sh --test changelog

integration: venv mirror ## download role against file:// and http:// mirrors on the controller
	pytest -q tests/integration

molecule: venv testbed mirror ## molecule scenarios: create, converge, idempotence, verify, destroy
	for s in $(SCENARIOS); do molecule test -s $$s; done

lab: venv testbed mirror ## local cluster on systemd containers
	bash lab/lab.sh up

lab-destroy: ## remove the lab containers and network
	bash lab/lab.sh down

build: venv ## collection tarball
	ansible-galaxy collection build --force

bench: ## 1-, 3- and 9-node labs: converge, re-runs over SSH and mitogen, controller CPU, floor (not a test)
	bash tests/bench.sh
