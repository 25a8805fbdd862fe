"""Host state of a control-plane host, as the apiserver, controller_manager and scheduler roles leave it."""

import os

import pytest
import yaml

# The cluster role's defaults (the Kubernetes release the scenarios install).
with open(os.path.join(os.path.dirname(__file__), "..", "..", "..", "roles", "cluster", "defaults", "main.yml")) as f:
    VERSION = "v" + yaml.safe_load(f)["cluster_kubernetes_version"]

UNITS = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"]


@pytest.mark.parametrize("unit", UNITS)
def test_unit_enabled_and_running(host, unit):
    service = host.service(unit)
    assert service.is_enabled
    assert service.is_running
    assert "Restart=always" in host.file("/etc/systemd/system/%s.service" % unit).content_string


def test_apiserver_unit_is_ordered_after_etcd(host):
    unit = host.file("/etc/systemd/system/kube-apiserver.service").content_string
    assert "After=network-online.target etcd.service" in unit
    for flag in ("--authorization-mode=Node,RBAC", "--enable-admission-plugins=NodeRestriction",
                 "--encryption-provider-config=", "--kubelet-certificate-authority=", "--audit-log-maxage=",
                 "--service-account-issuer=", "--etcd-certfile="):
        assert flag in unit


@pytest.mark.parametrize("path", [
    "/etc/kubernetes/pki/apiserver.key", "/etc/kubernetes/pki/apiserver-kubelet-client.key",
    "/etc/kubernetes/pki/apiserver-etcd-client.key", "/etc/kubernetes/pki/front-proxy-client.key",
    "/etc/kubernetes/pki/sa.key", "/etc/kubernetes/pki/ca.key",
    "/etc/kubernetes/pki/controller-manager-server.key", "/etc/kubernetes/pki/scheduler-server.key",
    "/etc/kubernetes/encryption-config.yaml",
    "/etc/kubernetes/kube-controller-manager.kubeconfig", "/etc/kubernetes/kube-scheduler.kubeconfig",
])
def test_secrets_are_0600_root(host, path):
    secret = host.file(path)
    assert secret.exists
    assert secret.mode == 0o600
    assert secret.user == "root"


@pytest.mark.parametrize("path", ["/etc/kubernetes/admin.kubeconfig", "/etc/profile.d/kubectl.sh"])
def test_no_admin_kubeconfig_on_the_host_by_default(host, path):
    assert not host.file(path).exists


def test_audit_log_is_written(host):
    log = host.file("/var/log/kubernetes/audit.log")
    assert log.exists
    assert '"kind":"Event"' in log.content_string


@pytest.mark.parametrize("binary", ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl"])
def test_binaries_are_the_default_release(host, binary):
    assert VERSION in host.check_output("/usr/local/bin/%s --version 2>&1 || /usr/local/bin/%s version --client" % (binary, binary))
