"""The apiserver's admission configuration: EventRateLimit and the Pod Security defaults (its
configuration API v1)."""

import yaml

from conftest import render_defaults


def render(tmp_path, version):
    return yaml.safe_load(render_defaults(tmp_path, {"cluster_kubernetes_version": version})["admission-config.yaml"])


def test_kubernetes_1_35_gets_pod_security_defaults_and_event_rate_limit(tmp_path):
    config = render(tmp_path, "1.35.1")
    assert config["apiVersion"] == "apiserver.config.k8s.io/v1" and config["kind"] == "AdmissionConfiguration"
    plugins = {plugin["name"]: plugin["configuration"] for plugin in config["plugins"]}
    assert plugins["PodSecurity"]["apiVersion"] == "pod-security.admission.config.k8s.io/v1"
    assert plugins["PodSecurity"]["defaults"] == {"enforce": "baseline", "enforce-version": "latest",
                                                  "audit": "restricted", "audit-version": "latest",
                                                  "warn": "restricted", "warn-version": "latest"}
    assert plugins["PodSecurity"]["exemptions"]["namespaces"] == ["kube-system"]
    assert plugins["EventRateLimit"]["limits"][0] == {"type": "Server", "qps": 50, "burst": 100}
