"""Fixtures for tests that run ansible-playbook on the controller against the test-bed mirror."""

import functools
import http.server
import json
import os
import subprocess
import sys
import threading

import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MIRROR = os.environ.get("FROMSCRATCH_MIRROR", "/var/cache/fromscratch-kubernetes/mirror")
# An etcd release of the mirror with no sha256 pinned in the catalogue: the test bed's other etcd,
# the one the day2 hosts start on.
with open(os.path.join(ROOT, "tests", "testbed", "group_vars", "testbed_etcd35.yml"), encoding="utf-8") as _group:
    ETCD_VERSION = yaml.safe_load(_group)["etcd_version"]
ETCD_TARBALL = os.path.join(MIRROR, "etcd", "v" + ETCD_VERSION, "etcd-v%s-linux-amd64.tar.gz" % ETCD_VERSION)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def etcd_tarball():
    if not os.path.exists(ETCD_TARBALL):
        pytest.fail("%s is missing: run `make mirror` first" % ETCD_TARBALL)
    return ETCD_TARBALL


@pytest.fixture
def http_mirror(etcd_tarball):
    """The mirror served over HTTP on a loopback port, for the duration of one test."""
    handler = functools.partial(QuietHandler, directory=MIRROR)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d" % server.server_address[1]
    server.shutdown()
    server.server_close()


# The preflight play reads the hosts, here this machine. On a cgroup v1 machine (this test bed's
# VM), Kubernetes 1.35 (the default) would refuse it as a node: the tests allow it, except the
# test of that refusal, which sets cluster_allow_cgroup_v1 itself.
CGROUP_V1 = not os.path.exists("/sys/fs/cgroup/cgroup.controllers")


def ansible_playbook(playbook, extra_vars, inventory, work_dir):
    """Run a playbook on this machine (local connection) with extra vars; return (rc, combined output)."""
    vars_file = os.path.join(str(work_dir), "vars.json")
    defaults = {"cluster_allow_cgroup_v1": True} if CGROUP_V1 else {}
    with open(vars_file, "w", encoding="utf-8") as handle:
        json.dump(dict(defaults, **dict(extra_vars, ansible_python_interpreter=sys.executable)), handle)
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0")
    proc = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", inventory, "-c", "local", playbook,
         "-e", "@%s" % vars_file],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300, check=False)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture
def run_playbook(tmp_path):
    """Run a playbook on localhost with extra vars; return (rc, combined output)."""
    def run(playbook, extra_vars, inventory="localhost,"):
        return ansible_playbook(playbook, extra_vars, inventory, tmp_path)
    return run


RENDER_PLAYBOOK = os.path.join(ROOT, "tests", "integration", "render_defaults.yml")
RENDER_INVENTORY = os.path.join(ROOT, "tests", "integration", "render_hosts.yml")


def render_defaults(work_dir, extra_vars=None, inventory=RENDER_INVENTORY):
    """What render_defaults.yml renders: {file: text, "versions": ..., "kubeconfigs": ...}."""
    out_file = os.path.join(str(work_dir), "rendered.json")
    rc, out = ansible_playbook(RENDER_PLAYBOOK, dict(extra_vars or {}, render_out=out_file), inventory, work_dir)
    assert rc == 0, out
    with open(out_file, encoding="utf-8") as handle:
        return json.load(handle)
