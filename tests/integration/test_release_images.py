"""The default CoreDNS and pause images follow the Kubernetes release as kubeadm pairs them."""

import json
import os
import re

import pytest

from conftest import ROOT

PLAYBOOK = os.path.join(ROOT, "tests", "integration", "release_images.yml")


@pytest.mark.parametrize("version, coredns, pause", [
    ("1.33.7", "registry.k8s.io/coredns/coredns:v1.12.0", "registry.k8s.io/pause:3.10"),
    ("1.34.12", "registry.k8s.io/coredns/coredns:v1.12.1", "registry.k8s.io/pause:3.10.1"),
    ("1.35.1", "registry.k8s.io/coredns/coredns:v1.13.1", "registry.k8s.io/pause:3.10.1"),
    # A release newer than the table gets its newest row.
    ("1.39.0", "registry.k8s.io/coredns/coredns:v1.13.1", "registry.k8s.io/pause:3.10.1"),
])
def test_default_images_follow_the_kubernetes_release(run_playbook, version, coredns, pause):
    rc, out = run_playbook(PLAYBOOK, {"cluster_kubernetes_version": version})
    assert rc == 0, out
    images = json.loads(re.search(r"IMAGES (\{.*\})", out).group(1))
    assert images == {"coredns": coredns, "pause": pause}
