"""Every artifact a role asks the download role for is in its catalogue (download_artifacts, the
one list of artifacts: the argument spec no longer repeats it as choices, which had fallen behind
and refused flannel and its CNI plugin, so the default pod network could not install)."""

import os

import yaml

from conftest import ROOT

ROLE = os.path.join(ROOT, "roles", "download")


def load(*parts):
    with open(os.path.join(ROLE, *parts), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def test_every_role_that_downloads_asks_for_a_catalogued_artifact():
    catalogue = set(load("defaults", "main.yml")["download_artifacts"])
    roles = os.path.join(ROLE, "..")
    asked = {}
    for role in sorted(os.listdir(roles)):
        tasks = os.path.join(roles, role, "tasks", "main.yml")
        if not os.path.exists(tasks):
            continue
        with open(tasks, encoding="utf-8") as handle:
            for task in yaml.safe_load(handle) or []:
                artifact = (task.get("vars") or {}).get("download_artifact")
                if artifact and "{{" not in artifact:
                    asked.setdefault(role, set()).add(artifact)
    assert asked, "no role asks the download role for an artifact"
    assert {role: names - catalogue for role, names in asked.items() if names - catalogue} == {}


# The default release of each downloaded component (role, variable) and the artifacts of the
# catalogue it names: the catalogue pins upstream's sha256 of the default, for every architecture it
# lists, so a default cannot move without its sums (kubespray's "versions from the checksum table").
# The control-plane binaries and kube-proxy have no published sums to pin (see the catalogue).
DEFAULTS = [
    ("cluster", "cluster_kubernetes_version", ["kubelet", "kubectl"]),
    ("etcd", "etcd_version", ["etcd"]),
    ("containerd", "containerd_version", ["containerd"]),
    ("containerd", "containerd_crictl_version", ["crictl"]),
    ("runc", "runc_version", ["runc"]),
    ("cni", "cni_version", ["cni-plugins"]),
    ("flannel", "flannel_version", ["flannel"]),
]


def test_every_default_release_has_its_sums_pinned():
    catalogue = load("defaults", "main.yml")["download_artifacts"]
    missing = []
    for role, variable, artifacts in DEFAULTS:
        with open(os.path.join(ROLE, "..", role, "defaults", "main.yml"), encoding="utf-8") as handle:
            version = yaml.safe_load(handle)[variable]
        for artifact in artifacts:
            for arch in ("amd64", "arm64"):
                if version not in catalogue[artifact]["checksums"].get(arch, {}):
                    missing.append("%s %s (%s, %s/%s)" % (artifact, version, arch, role, variable))
    assert missing == []
