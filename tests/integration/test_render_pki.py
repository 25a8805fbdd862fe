"""The API endpoint of every node and every kubeconfig: one control-plane host, several (the local
balancer on every node), or an external endpoint; and the apiserver certificate naming them all."""

import pytest
import yaml

from conftest import render_defaults


def render(tmp_path, control_planes, extra_vars=None):
    hosts = {"cp%d" % i: {"node_ip": "10.0.0.%d" % i} for i in range(1, control_planes + 1)}
    hosts["worker1"] = {"node_ip": "10.0.0.21"}
    data = {"all": {"hosts": {name: dict(hv, ansible_connection="local") for name, hv in hosts.items()},
                    "children": {"etcd": {"hosts": {"cp1": None}},
                                 "kube_control_plane": {"hosts": {name: None for name in hosts if name != "worker1"}},
                                 "kube_node": {"hosts": {"worker1": None}}}}}
    (tmp_path / "hosts.yml").write_text(yaml.safe_dump(data))
    rendered = render_defaults(tmp_path, extra_vars, inventory=str(tmp_path / "hosts.yml"))
    certificates = yaml.safe_load(rendered["certificates"])
    sans = next(cert for cert in certificates if cert["path"] == "apiserver")["sans"]
    servers = {kubeconfig["name"]: kubeconfig["server"] for kubeconfig in rendered["kubeconfigs"]}
    return sans, servers


def test_one_control_plane_host_is_every_node_s_endpoint(tmp_path):
    sans, servers = render(tmp_path, 1)
    assert {"DNS:cp1", "IP:10.0.0.1", "IP:127.0.0.1", "IP:10.32.0.1"} <= set(sans)
    assert servers["kubelet-worker1"] == servers["kube-proxy"] == servers["admin"] == "https://10.0.0.1:6443"
    assert servers["kube-scheduler"] == servers["kube-controller-manager"] == "https://127.0.0.1:6443"


def test_three_control_plane_hosts_make_every_node_use_its_local_balancer(tmp_path):
    sans, servers = render(tmp_path, 3)
    assert {"DNS:cp1", "DNS:cp2", "DNS:cp3", "IP:10.0.0.1", "IP:10.0.0.2", "IP:10.0.0.3", "IP:127.0.0.1"} <= set(sans)
    for name in ["kubelet-cp1", "kubelet-cp2", "kubelet-worker1", "kube-proxy", "flannel"]:
        assert servers[name] == "https://127.0.0.1:6444", name
    assert servers["admin"] == "https://10.0.0.1:6443"


@pytest.mark.parametrize("endpoint, san", [("https://api.example.org:6443", "DNS:api.example.org"),
                                           ("https://192.0.2.100", "IP:192.0.2.100")])
def test_an_external_endpoint_is_used_everywhere_and_named_in_the_certificate(tmp_path, endpoint, san):
    sans, servers = render(tmp_path, 3, {"cluster_apiserver_external_endpoint": endpoint})
    assert san in sans and "DNS:cp3" in sans
    for name in ["admin", "kubelet-cp1", "kubelet-worker1", "kube-proxy", "flannel"]:
        assert servers[name] == endpoint, name
    assert servers["kube-scheduler"] == "https://127.0.0.1:6443"


def test_a_virtual_ip_is_the_admin_kubeconfig_s_endpoint_and_named_in_the_certificate(tmp_path):
    sans, servers = render(tmp_path, 3, {"cluster_apiserver_vip": "10.0.0.10"})
    assert "IP:10.0.0.10" in sans and "IP:10.0.0.1" in sans
    assert servers["admin"] == "https://10.0.0.10:6443"
    # The nodes keep their local balancer.
    for name in ["kubelet-cp1", "kubelet-worker1", "kube-proxy", "flannel"]:
        assert servers[name] == "https://127.0.0.1:6444", name
    assert servers["admin-local"] == servers["kube-scheduler"] == "https://127.0.0.1:6443"


def test_an_ipv6_virtual_ip_is_bracketed_in_the_url(tmp_path):
    sans, servers = render(tmp_path, 3, {"cluster_apiserver_vip": "fd00::10"})
    assert "IP:fd00::10" in sans
    assert servers["admin"] == "https://[fd00::10]:6443"
