"""No playbook or role reaches the API through an admin kubeconfig on a host: they call it from the
controller (cluster_admin_kubeconfig), and only the apiserver role writes (or removes) the host copy
that cluster_admin_kubeconfig_on_hosts asks for."""

import pathlib

from conftest import ROOT as CONFTEST_ROOT

ROOT = pathlib.Path(CONFTEST_ROOT)
HOST_COPY = "/etc/kubernetes/admin.kubeconfig"


def _yaml_files():
    """The tasks: every playbook and the roles' tasks and handlers."""
    yield from sorted((ROOT / "playbooks").rglob("*.yml"))
    for folder in ("tasks", "handlers"):
        yield from sorted(ROOT.glob("roles/*/%s/*.yml" % folder))
    yield ROOT / "site.yml"


def test_no_task_names_the_host_copy():
    naming = [str(path.relative_to(ROOT)) for path in _yaml_files() if HOST_COPY in path.read_text()]
    assert naming == []


def test_no_playbook_runs_kubectl_on_a_host():
    running = [str(path.relative_to(ROOT)) for path in _yaml_files()
               if any(line.strip().startswith(("argv: [kubectl", "- kubectl", "cmd: kubectl"))
                      for line in path.read_text().splitlines())]
    assert running == []
