"""The flannel role's files, rendered with its defaults, checked against the flannel documentation:
net-conf.json (Documentation/configuration.md: Network, SubnetLen, EnableIPv4, Backend.Type and the
vxlan backend's VNI/Port), Kubernetes the Hard Way's CNI conflist (cbr0, flannel delegate with hairpinMode and
isDefaultGateway, portmap with portMappings) or, without the flannel CNI plugin, the bridge conflist
it would delegate to, the flanneld unit, and its RBAC (upstream's rights). flanneld itself runs in the
molecule scenarios (multinode's verify)."""

import ipaddress
import json
import os
import shlex

import pytest
import yaml

from conftest import ROOT

PLAYBOOK = os.path.join(ROOT, "tests", "integration", "flannel_render.yml")
NET_CONF_KEYS = {"Network", "SubnetLen", "SubnetMin", "SubnetMax", "EnableIPv4", "EnableIPv6", "IPv6Network",
                 "IPv6SubnetLen", "Backend"}
BACKENDS = {"vxlan": {"Type", "VNI", "Port", "GBP", "DirectRouting", "MTU", "MacPrefix"}, "host-gw": {"Type"}}


def render(tmp_path, run_playbook, **extra):
    hosts = {"node1": {"node_ip": "10.0.0.11", "ansible_connection": "local"},
             "node2": {"node_ip": "10.0.0.12", "ansible_connection": "local"}}
    inv = {"all": {"hosts": hosts, "children": {"etcd": {"hosts": {"node1": None}},
                                                "kube_control_plane": {"hosts": {"node1": None}},
                                                "kube_node": {"hosts": {"node2": None}}}}}
    (tmp_path / "hosts.yml").write_text(yaml.safe_dump(inv))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    rc, out = run_playbook(PLAYBOOK, dict(extra, flannel_render_dir=str(out_dir)), inventory=str(tmp_path / "hosts.yml"))
    assert rc == 0, out
    return {name: (out_dir / name).read_text() for name in os.listdir(out_dir)}


def exec_start_flags(unit):
    lines = unit.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("ExecStart="))
    command = ""
    for line in lines[start:]:
        command += line.rstrip("\\").strip() + " "
        if not line.endswith("\\"):
            break
    argv = shlex.split(command[len("ExecStart="):])
    return argv[0], argv[1:]


def test_net_conf_follows_the_flannel_schema(tmp_path, run_playbook):
    conf = json.loads(render(tmp_path, run_playbook)["net-conf.json"])
    assert set(conf) <= NET_CONF_KEYS
    assert ipaddress.ip_network(conf["Network"]) == ipaddress.ip_network("10.200.0.0/16")
    assert isinstance(conf["SubnetLen"], int) and 16 < conf["SubnetLen"] <= 30 and conf["SubnetLen"] == 24
    assert conf["EnableIPv4"] is True
    assert conf["Backend"]["Type"] == "vxlan"
    assert set(conf["Backend"]) <= BACKENDS["vxlan"]
    assert conf["Backend"]["VNI"] == 1 and conf["Backend"]["Port"] == 8472


def test_host_gw_backend_has_no_vxlan_keys(tmp_path, run_playbook):
    conf = json.loads(render(tmp_path, run_playbook, flannel_backend="host-gw")["net-conf.json"])
    assert conf["Backend"] == {"Type": "host-gw"}


def test_conflist_is_seed_004s(tmp_path, run_playbook):
    conflist = json.loads(render(tmp_path, run_playbook)["10-flannel.conflist"])
    assert conflist["name"] == "cbr0" and conflist["cniVersion"] == "0.3.1"
    flannel, portmap = conflist["plugins"]
    assert flannel["type"] == "flannel"
    assert flannel["delegate"] == {"hairpinMode": True, "isDefaultGateway": True}
    assert flannel["subnetFile"] == "/run/flannel/subnet.env"
    assert portmap == {"type": "portmap", "capabilities": {"portMappings": True}}


def test_conflist_without_the_flannel_plugin_is_what_it_would_delegate(tmp_path, run_playbook):
    # What the flannel CNI plugin hands the bridge plugin (flannel-io/cni-plugin flannel_linux.go):
    # the leased subnet for host-local, the route to the whole network, the lease's MTU, no
    # masquerade where flanneld masquerades, hairpin and the default gateway from Kubernetes the Hard Way's delegate.
    lease = {"FLANNEL_NETWORK": "10.200.0.0/16", "FLANNEL_SUBNET": "10.200.3.1/24", "FLANNEL_MTU": "1450",
             "FLANNEL_IPMASQ": "true"}
    conflist = json.loads(render(tmp_path, run_playbook, flannel_cni_plugin_install=False,
                                 flannel_lease=lease)["10-flannel.conflist"])
    assert conflist["name"] == "cbr0" and conflist["cniVersion"] == "0.3.1"
    bridge, portmap = conflist["plugins"]
    assert bridge == {"type": "bridge", "bridge": "cni0", "mtu": 1450, "isGateway": True, "isDefaultGateway": True,
                      "hairpinMode": True, "ipMasq": False,
                      "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.200.3.0/24"}]],
                               "routes": [{"dst": "10.200.0.0/16"}]}}
    assert portmap == {"type": "portmap", "capabilities": {"portMappings": True}}


def test_unit_for_the_kube_subnet_manager(tmp_path, run_playbook):
    unit = render(tmp_path, run_playbook)["flanneld.service"]
    assert "Before=containerd.service kubelet.service" in unit
    assert "Environment=NODE_NAME=node1" in unit
    assert "Restart=always" in unit and "WantedBy=multi-user.target" in unit
    binary, flags = exec_start_flags(unit)
    assert binary == "/usr/local/bin/flanneld"
    assert flags == ["--kube-subnet-mgr", "--kubeconfig-file=/etc/flannel/flannel.kubeconfig",
                     "--net-config-path=/etc/flannel/net-conf.json", "--iface=10.0.0.11",
                     "--subnet-file=/run/flannel/subnet.env", "--ip-masq"]


@pytest.mark.parametrize("kind", ["ClusterRole", "ClusterRoleBinding"])
def test_rbac_names_the_flannel_user(tmp_path, run_playbook, kind):
    docs = [d for d in yaml.safe_load_all(render(tmp_path, run_playbook)["flannel-rbac.yaml"]) if d]
    doc = next(d for d in docs if d["kind"] == kind)
    if kind == "ClusterRole":
        rules = {(r["resources"][0], v) for r in doc["rules"] for v in r["verbs"]}
        # upstream's kube-flannel.yml, less `get pods` (flanneld runs as a unit, not in a pod)
        assert rules == {("nodes", "get"), ("nodes", "list"), ("nodes", "watch"), ("nodes/status", "patch")}
    else:
        assert doc["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "flannel"}]
