"""Fixtures for tests that run ansible-playbook on the controller against the test-bed mirror."""

import functools
import http.server
import json
import os
import subprocess
import sys
import threading

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MIRROR = os.environ.get("FROMSCRATCH_MIRROR", "/var/cache/fromscratch-kubernetes/mirror")
ETCD_VERSION = "3.4.23"
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


@pytest.fixture
def run_playbook(tmp_path):
    """Run a playbook on localhost with extra vars; return (rc, combined output)."""
    def run(playbook, extra_vars, inventory="localhost,"):
        vars_file = tmp_path / "vars.json"
        defaults = {"cluster_allow_cgroup_v1": True} if CGROUP_V1 else {}
        vars_file.write_text(json.dumps(dict(defaults, **dict(extra_vars, ansible_python_interpreter=sys.executable))))
        env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1",
                   ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0")
        proc = subprocess.run(
            [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", inventory, "-c", "local", playbook,
             "-e", "@%s" % vars_file],
            capture_output=True, text=True, env=env, cwd=ROOT, timeout=300, check=False)
        return proc.returncode, proc.stdout + proc.stderr
    return run
