"""Bad inventories fail in the preflight play with one message naming the bad value, before any
host or the controller's PKI folder is touched. Hosts are the controller itself (local connection)."""

import ipaddress
import os
import subprocess
import tarfile

import pytest
import yaml

from conftest import CGROUP_V1, MIRROR, ROOT

PREFLIGHT = os.path.join(ROOT, "playbooks", "preflight.yml")


def inventory(tmp_path, hosts, etcd, control_plane=(), workers=()):
    data = {"all": {"hosts": {name: dict(hv, ansible_connection="local") for name, hv in hosts.items()},
                    "children": {"etcd": {"hosts": {name: None for name in etcd}},
                                 "kube_control_plane": {"hosts": {name: None for name in control_plane}},
                                 "kube_node": {"hosts": {name: None for name in workers}}}}}
    path = tmp_path / "hosts.yml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


def flat(text):
    return " ".join(text.split())


def test_no_etcd_member_fails_before_anything(tmp_path, run_playbook):
    inv = inventory(tmp_path, {"node1": {"node_ip": "10.0.0.1"}}, [])
    rc, out = run_playbook(PREFLIGHT, {}, inventory=inv)
    assert rc != 0
    assert "The inventory group 'etcd' has no hosts: etcd needs at least one member (1, 3 or 5)." in flat(out), out
    assert not os.path.exists(tmp_path / "credentials")


def test_node_ip_that_is_not_an_ip_is_named(tmp_path, run_playbook):
    inv = inventory(tmp_path, {"etcd1": {"node_ip": "10.0.0.1"}, "etcd2": {"node_ip": "etcd-two.example"},
                               "etcd3": {"node_ip": "10.0.0.3"}}, ["etcd1", "etcd2", "etcd3"])
    rc, out = run_playbook(PREFLIGHT, {}, inventory=inv)
    assert rc != 0
    assert "node_ip must be an IP address; these hosts have something else: etcd2 -> 'etcd-two.example'." in flat(out), out


def test_even_member_count_warns_about_quorum(tmp_path, run_playbook):
    inv = inventory(tmp_path, {"etcd1": {"node_ip": "10.0.0.1"}, "etcd2": {"node_ip": "10.0.0.2"}}, ["etcd1", "etcd2"])
    rc, out = run_playbook(PREFLIGHT, {}, inventory=inv)
    assert rc == 0, out
    assert ("WARNING: 2 etcd members is an even number. Quorum needs 2 of them, so 2 members survive no more "
            "failures than 1 would; use 1, 3 or 5.") in flat(out), out


def test_bad_etcd_version_is_named(tmp_path, run_playbook):
    inv = inventory(tmp_path, {"etcd1": {"node_ip": "10.0.0.1"}}, ["etcd1"])
    rc, out = run_playbook(PREFLIGHT, {"etcd_version": "v3.5.27"}, inventory=inv)
    assert rc != 0
    assert "etcd_version 'v3.5.27' is not a 3.4+ release number like 3.5.27 (no leading v)." in flat(out), out


def test_service_range_overlapping_pod_range_is_named(tmp_path, run_playbook):
    inv = inventory(tmp_path, {"etcd1": {"node_ip": "10.0.0.1"}}, ["etcd1"])
    rc, out = run_playbook(PREFLIGHT, {"cluster_service_cidr": "10.200.0.0/24", "cluster_pod_cidr": "10.200.0.0/16"},
                           inventory=inv)
    assert rc != 0
    assert ("cluster_service_cidr 10.200.0.0/24 overlaps cluster_pod_cidr 10.200.0.0/16: ClusterIPs and pod IPs "
            "must come from separate ranges.") in flat(out), out


def test_node_address_inside_service_range_is_named(tmp_path, run_playbook):
    inv = inventory(tmp_path, {"etcd1": {"node_ip": "10.32.0.7"}}, ["etcd1"])
    rc, out = run_playbook(PREFLIGHT, {}, inventory=inv)
    assert rc != 0
    assert ("Node addresses clash with cluster ranges: etcd1 (10.32.0.7) is inside cluster_service_cidr "
            "10.32.0.0/24.") in flat(out), out


def test_node_name_that_is_not_dns_1123_is_named(tmp_path, run_playbook):
    inv = inventory(tmp_path, {"Node_1": {"node_ip": "10.0.0.1"}}, ["Node_1"], control_plane=["Node_1"])
    rc, out = run_playbook(PREFLIGHT, {}, inventory=inv)
    assert rc != 0
    assert "These inventory names cannot be Kubernetes node names: Node_1." in flat(out), out


def test_pod_range_too_small_for_the_nodes(tmp_path, run_playbook):
    hosts = {"node%d" % i: {"node_ip": "10.0.0.%d" % i} for i in range(1, 4)}
    inv = inventory(tmp_path, hosts, ["node1"], control_plane=list(hosts))
    rc, out = run_playbook(PREFLIGHT, {"cluster_pod_cidr": "10.200.0.0/23"}, inventory=inv)
    assert rc != 0
    assert ("cluster_pod_cidr 10.200.0.0/23 holds 2 node slices of /24, but the inventory has 3 nodes: use a larger "
            "cluster_pod_cidr or a longer cluster_node_cidr_mask.") in flat(out), out


def test_workers_without_control_plane(tmp_path, run_playbook):
    inv = inventory(tmp_path, {"etcd1": {"node_ip": "10.0.0.1"}, "worker1": {"node_ip": "10.0.0.2"}},
                    ["etcd1"], workers=["worker1"])
    rc, out = run_playbook(PREFLIGHT, {}, inventory=inv)
    assert rc != 0
    assert ("The inventory has workers in 'kube_node' (worker1) but no host in 'kube_control_plane': their kubelet "
            "and kube-proxy need an API to join.") in flat(out), out


def test_two_hosts_with_the_same_address(tmp_path, run_playbook):
    inv = inventory(tmp_path, {"cp1": {"node_ip": "10.0.0.1"}, "worker1": {"node_ip": "10.0.0.1"}},
                    ["cp1"], control_plane=["cp1"], workers=["worker1"])
    rc, out = run_playbook(PREFLIGHT, {}, inventory=inv)
    assert rc != 0
    assert "Hosts share an address: 10.0.0.1 is cp1 and worker1. Every host needs its own node_ip." in flat(out), out


@pytest.mark.parametrize("endpoint", ["http://api.example.org:6443", "api.example.org:6443", "https://:6443",
                                      "https://api.example.org:6443/k8s"])
def test_external_endpoint_that_is_not_an_https_url_is_named(tmp_path, run_playbook, endpoint):
    inv = inventory(tmp_path, {"cp1": {"node_ip": "10.0.0.1"}}, ["cp1"], control_plane=["cp1"])
    rc, out = run_playbook(PREFLIGHT, {"cluster_apiserver_external_endpoint": endpoint}, inventory=inv)
    assert rc != 0
    assert ("cluster_apiserver_external_endpoint '%s' is not an https URL of a host (and port): write it as "
            "https://<name or address>[:port], e.g. https://api.example.org:6443." % endpoint) in flat(out), out


@pytest.mark.parametrize("vip, extra, message", [
    ("api.example.org", {}, "cluster_apiserver_vip 'api.example.org' is not an IP address: give a free address on "
                            "the control-plane hosts' network, e.g. 192.0.2.10."),
    ("10.0.0.10", {"cluster_apiserver_external_endpoint": "https://api.example.org:6443"},
     "cluster_apiserver_vip '10.0.0.10' and cluster_apiserver_external_endpoint 'https://api.example.org:6443' are "
     "both set: the external endpoint already is the way to the API; set one of them."),
    ("10.0.0.2", {}, "cluster_apiserver_vip '10.0.0.2' is the address of cp2: the virtual IP must be a free "
                     "address that no host has."),
])
def test_a_virtual_ip_that_cannot_work_is_named(tmp_path, run_playbook, vip, extra, message):
    hosts = {"cp%d" % i: {"node_ip": "10.0.0.%d" % i} for i in range(1, 4)}
    inv = inventory(tmp_path, hosts, list(hosts), control_plane=list(hosts))
    rc, out = run_playbook(PREFLIGHT, dict(extra, cluster_apiserver_vip=vip), inventory=inv)
    assert rc != 0
    assert message in flat(out), out
    assert not os.path.exists(tmp_path / "credentials")


def default_network():
    """This machine's default-route interface, address and network (IPv4), as the facts read them."""
    route = subprocess.run(["ip", "-o", "-4", "route", "show", "default"], capture_output=True, text=True, check=True)
    if not route.stdout.split():
        pytest.skip("this machine has no IPv4 default route")
    dev = route.stdout.split()[route.stdout.split().index("dev") + 1]
    addr = subprocess.run(["ip", "-o", "-4", "address", "show", "dev", dev, "scope", "global"],
                          capture_output=True, text=True, check=True)
    return dev, ipaddress.ip_interface(addr.stdout.split()[3])


def test_a_range_that_overlaps_a_node_s_network_is_named(tmp_path, run_playbook):
    dev, iface = default_network()
    if iface.network.prefixlen > 24:
        pytest.skip("the default network %s is too small to hold a pod range of /25" % iface.network)
    # A /25 of the node's own network that does not hold the node's address.
    pod_range = next(net for net in iface.network.subnets(new_prefix=25) if iface.ip not in net)
    # No node_ip: the node's address is its default route's (the facts), on this machine.
    inv = inventory(tmp_path, {"node1": {}}, ["node1"], control_plane=["node1"])
    rc, out = run_playbook(PREFLIGHT, {"cluster_pod_cidr": str(pod_range), "cluster_node_cidr_mask": 25}, inventory=inv)
    assert rc != 0
    assert ("node1's network %s (%s) overlaps cluster_pod_cidr %s: pods and nodes could not reach that network's "
            "other hosts. Choose ranges outside the nodes' networks." % (iface.network, dev, pod_range)) in flat(out), out


def test_two_control_plane_hosts_with_an_etcd_member_each_warn_about_quorum(tmp_path, run_playbook):
    hosts = {"cp1": {"node_ip": "10.0.0.1"}, "cp2": {"node_ip": "10.0.0.2"}}
    inv = inventory(tmp_path, hosts, ["cp1", "cp2"], control_plane=["cp1", "cp2"])
    rc, out = run_playbook(PREFLIGHT, {}, inventory=inv)
    assert rc == 0, out
    assert ("WARNING: the 2 control-plane hosts (cp1, cp2) are also the only 2 etcd members. etcd needs 2 of 2 "
            "for quorum, so losing either host stops etcd and with it the API on both") in flat(out), out


def test_three_control_plane_hosts_do_not_warn(tmp_path, run_playbook):
    hosts = {"cp%d" % i: {"node_ip": "10.0.0.%d" % i} for i in range(1, 4)}
    inv = inventory(tmp_path, hosts, list(hosts), control_plane=list(hosts))
    rc, out = run_playbook(PREFLIGHT, {}, inventory=inv)
    assert rc == 0, out
    assert "WARNING" not in out, out


def test_unknown_network_plugin_lists_the_choices(tmp_path, run_playbook):
    inv = inventory(tmp_path, {"node1": {"node_ip": "10.0.0.1"}}, ["node1"], control_plane=["node1"])
    rc, out = run_playbook(PREFLIGHT, {"cluster_network_plugin": "calico"}, inventory=inv)
    assert rc != 0
    assert ("cluster_network_plugin 'calico' is not a network plugin this collection installs; choose one of: "
            "flannel, routes.") in flat(out), out


# Cluster-wide values a component would refuse later, or that would silently break the cluster:
# each is refused in the preflight play with one message naming it.
BAD_CLUSTER_VALUES = {
    "service range with host bits": (
        {"cluster_service_cidr": "10.32.0.5/24"},
        "cluster_service_cidr 10.32.0.5/24 has host bits set: did you mean 10.32.0.0/24?"),
    "pod range with host bits": (
        {"cluster_pod_cidr": "10.200.7.0/16"},
        "cluster_pod_cidr 10.200.7.0/16 has host bits set: did you mean 10.200.0.0/16?"),
    "ranges of two IP families": (
        {"cluster_service_cidr": "fd00:32::/112"},
        "cluster_service_cidr fd00:32::/112 and cluster_pod_cidr 10.200.0.0/16 are of different IP families; "
        "a single-stack cluster takes both from one family."),
    "service range larger than the apiserver accepts": (
        {"cluster_service_cidr": "10.0.0.0/11"},
        "cluster_service_cidr 10.0.0.0/11 is larger than kube-apiserver accepts: at most 2^20 addresses "
        "(/12 for IPv4, /108 for IPv6)."),
    "service range without a tenth address": (
        {"cluster_service_cidr": "10.32.0.0/29"},
        "cluster_service_cidr 10.32.0.0/29 has no tenth address for the DNS Service: use a larger range "
        "(at least /28) or set cluster_dns_ip."),
    "DNS address outside the service range": (
        {"cluster_dns_ip": "10.96.0.10"},
        "cluster_dns_ip '10.96.0.10' must be an address inside cluster_service_cidr 10.32.0.0/24, other than its "
        "network address, its first address (the `kubernetes` Service's) and its last: it is the kube-dns "
        "Service's ClusterIP and every pod's nameserver."),
    "DNS address on the kubernetes Service": (
        {"cluster_dns_ip": "10.32.0.1"},
        "cluster_dns_ip '10.32.0.1' must be an address inside cluster_service_cidr 10.32.0.0/24"),
    "DNS address that is not an address": (
        {"cluster_dns_ip": "kube-dns"},
        "cluster_dns_ip 'kube-dns' must be an address inside cluster_service_cidr 10.32.0.0/24"),
    "node mask shorter than the pod range's": (
        {"cluster_node_cidr_mask": 12},
        "cluster_node_cidr_mask '12' is out of bounds for cluster_pod_cidr 10.200.0.0/16: it must lie between the "
        "range's own mask /16 and /32"),
    "node mask longer than an address": (
        {"cluster_pod_cidr": "10.200.0.0/24", "cluster_node_cidr_mask": 40},
        "cluster_node_cidr_mask '40' is out of bounds for cluster_pod_cidr 10.200.0.0/24: it must lie between the "
        "range's own mask /24 and /32"),
    "node mask more than 16 bits longer": (
        {"cluster_pod_cidr": "10.0.0.0/8", "cluster_node_cidr_mask": 25},
        "cluster_node_cidr_mask '25' is out of bounds for cluster_pod_cidr 10.0.0.0/8: it must lie between the "
        "range's own mask /8 and /24 (kube-controller-manager refuses node masks more than 16 bits longer"),
    "node mask without room for pods": (
        {"cluster_node_cidr_mask": 31},
        "cluster_node_cidr_mask /31 gives each node 0 pod addresses, but node1 may run 110 pods"),
    "node mask too long for the kubelet's pods": (
        {"cluster_node_cidr_mask": 26},
        "cluster_node_cidr_mask /26 gives each node 61 pod addresses, but node1 may run 110 pods (kubelet maxPods: "
        "kubelet_max_pods): use a shorter cluster_node_cidr_mask or a lower kubelet_max_pods (or maxPods in "
        "kubelet_extra_config)."),
    "node mask too long for the pods set in kubelet_extra_config": (
        {"cluster_node_cidr_mask": 25, "kubelet_extra_config": {"maxPods": 250}},
        "cluster_node_cidr_mask /25 gives each node 125 pod addresses, but node1 may run 250 pods"),
    "etcd's client port on the API's port": (
        {"cluster_etcd_client_port": 6443},
        "node1: cluster_apiserver_port and cluster_etcd_client_port are the same port 6443. Give each component of a host "
        "its own port."),
    "scheduler's port on the kubelet's": (
        {"cluster_scheduler_port": 10250},
        "node1: cluster_scheduler_port and kubelet_port are the same port 10250."),
    "a port beyond the last": (
        {"kube_proxy_metrics_port": 70000},
        "node1: kube_proxy_metrics_port '70000' is not a TCP port (1-65535)."),
    "etcd's peer port inside the node port range": (
        {"etcd_peer_port": 30080},
        "node1: etcd_peer_port 30080 is inside cluster_node_port_range 30000-32767, whose ports kube-proxy hands "
        "to Services on every node."),
    "apiserver SANs that are neither DNS names nor addresses": (
        {"cluster_apiserver_extra_sans": ["DNS:api.example.org", "api.example.org", "IP:10.0.0.300", "DNS:-bad-.example",
                                          "IP:192.0.2.10", "DNS:*.apps.example.org"]},
        "cluster_apiserver_extra_sans has entries that are neither DNS:<name> nor IP:<address>: 'api.example.org', "
        "'IP:10.0.0.300', 'DNS:-bad-.example'. Write each as DNS:api.example.org or IP:192.0.2.10."),
    "node port range that is not a range": (
        {"cluster_node_port_range": "30000:32767"},
        "cluster_node_port_range '30000:32767' must be two ports FIRST-LAST between 1 and 65535"),
    "node port range beyond the last port": (
        {"cluster_node_port_range": "30000-70000"},
        "cluster_node_port_range '30000-70000' must be two ports FIRST-LAST between 1 and 65535"),
    "API port inside the node port range": (
        {"cluster_apiserver_port": 30443},
        "cluster_node_port_range '30000-32767' must be two ports FIRST-LAST between 1 and 65535, and "
        "cluster_apiserver_port '30443' a port outside it"),
    "Kubernetes release upstream no longer maintains": (
        {"cluster_kubernetes_version": "1.32.9"},
        "Kubernetes 1.32.9 is older than 1.33, the oldest release upstream still maintains and this collection "
        "installs; choose 1.33 or newer."),
    "Kubernetes version with a leading v": (
        {"cluster_kubernetes_version": "v1.35.1"},
        "cluster_kubernetes_version 'v1.35.1' is not a Kubernetes release number like 1.35.1 (no leading v)."),
    "administrators' group that cannot be revoked": (
        {"cluster_admins_group": "system:masters"},
        "cluster_admins_group 'system:masters' must be a group of its own"),
    "cluster domain with capitals and a trailing dot": (
        {"cluster_domain": "Cluster.Local."},
        "cluster_domain 'Cluster.Local.' is not a DNS domain"),
}


@pytest.mark.parametrize("case", sorted(BAD_CLUSTER_VALUES))
def test_bad_cluster_value_is_named(tmp_path, run_playbook, case):
    extra_vars, message = BAD_CLUSTER_VALUES[case]
    inv = inventory(tmp_path, {"node1": {"node_ip": "10.0.0.1"}}, ["node1"], control_plane=["node1"])
    rc, out = run_playbook(PREFLIGHT, extra_vars, inventory=inv)
    assert rc != 0
    assert message in flat(out), out
    assert out.count("[ERROR]: Task failed") == 1 and " failed=1 " in flat(out), out
    assert not os.path.exists(tmp_path / "credentials")


def test_a_longer_node_mask_passes_with_fewer_pods_per_node(tmp_path, run_playbook):
    inv = inventory(tmp_path, {"node1": {"node_ip": "10.0.0.1"}}, ["node1"], control_plane=["node1"])
    rc, out = run_playbook(PREFLIGHT, {"cluster_node_cidr_mask": 26, "kubelet_max_pods": 61}, inventory=inv)
    assert rc == 0, out
    assert "Check that each node's slice of the pod range holds the pods its kubelet may run" in out, out


def installed_etcd(tmp_path, version):
    """A folder holding the real etcd binary of `version` from the test-bed mirror, as cluster_bin_dir."""
    tarball = os.path.join(MIRROR, "etcd", "v" + version, "etcd-v%s-linux-amd64.tar.gz" % version)
    if not os.path.exists(tarball):
        pytest.fail("%s is missing: run `make mirror` first" % tarball)
    folder = tmp_path / ("etcd-" + version)
    folder.mkdir()
    with tarfile.open(tarball) as archive:
        member = archive.getmember("etcd-v%s-linux-amd64/etcd" % version)
        member.name = "etcd"
        archive.extract(member, folder)
    return str(folder)


# The installed etcd is a real binary of the mirror (3.5.35, 3.6.6 and the server of 3.5.23, built
# from their modules; tests/testbed/mirror.sh).
@pytest.mark.parametrize("installed, target, message", [
    ("3.5.23", "3.6.6", "etcd1 runs etcd 3.5.23: upgrade it to 3.5.26 or later before 3.6.6."),
    ("3.5.35", "3.7.0", "etcd1 runs etcd 3.5.35: 3.7.0 skips 3.6; upgrade one minor release at a time."),
    ("3.6.6", "3.5.35", "etcd1 runs etcd 3.6.6: going back to 3.5.35 is a downgrade across minor releases, "
                        "which etcd does not support."),
    ("3.5.35", "3.6.6", None),
    ("3.6.6", "3.6.7", None),
])
def test_etcd_upgrade_steps(tmp_path, run_playbook, installed, target, message):
    inv = inventory(tmp_path, {"etcd1": {"node_ip": "10.0.0.1", "cluster_bin_dir": installed_etcd(tmp_path, installed)}},
                    ["etcd1"])
    rc, out = run_playbook(PREFLIGHT, {"etcd_version": target}, inventory=inv)
    if message is None:
        assert rc == 0, out
    else:
        assert rc != 0
        assert message in flat(out), out


@pytest.mark.skipif(not CGROUP_V1, reason="this machine runs cgroup v2; the refusal needs a cgroup v1 node")
def test_cgroup_v1_node_is_refused_for_kubernetes_1_35(tmp_path, run_playbook):
    inv = inventory(tmp_path, {"node1": {"node_ip": "10.0.0.1"}}, ["node1"], control_plane=["node1"])
    rc, out = run_playbook(PREFLIGHT, {"cluster_kubernetes_version": "1.35.1", "cluster_allow_cgroup_v1": False},
                           inventory=inv)
    assert rc != 0
    assert ("node1 runs cgroup v1, which kubelet 1.35.1 refuses (from 1.35): boot it with cgroup v2 "
            "(systemd.unified_cgroup_hierarchy=1), or set cluster_allow_cgroup_v1: true") in flat(out), out
    rc, out = run_playbook(PREFLIGHT, {"cluster_kubernetes_version": "1.34.3", "cluster_allow_cgroup_v1": False},
                           inventory=inv)
    assert rc == 0, out


@pytest.mark.parametrize("name", sorted(os.listdir(os.path.join(ROOT, "inventories"))))
def test_example_inventories_pass_the_preflight_checks(run_playbook, name):
    rc, out = run_playbook(PREFLIGHT, {}, inventory=os.path.join(ROOT, "inventories", name, "hosts.yml"))
    assert rc == 0, out
    assert "failed=0" in out


def _with_down_host(tmp_path, down, etcd, control_plane, workers):
    """An inventory of local hosts plus `down`, an SSH host whose port refuses connections."""
    inv = yaml.safe_load(open(inventory(tmp_path, {"cp1": {"node_ip": "10.0.0.1"}, "w1": {"node_ip": "10.0.0.2"},
                                                   down: {"node_ip": "10.0.0.9"}}, etcd, control_plane, workers)))
    inv["all"]["hosts"][down] = {"node_ip": "10.0.0.9", "ansible_connection": "ssh", "ansible_host": "127.0.0.1",
                                 "ansible_port": 9, "ansible_ssh_common_args": "-o ConnectTimeout=3"}
    path = tmp_path / "hosts.yml"
    path.write_text(yaml.safe_dump(inv))
    return str(path)


def test_a_control_plane_host_that_does_not_answer_stops_the_run(tmp_path, run_playbook):
    inv = _with_down_host(tmp_path, "cp2", ["cp1", "cp2"], ["cp1", "cp2"], ["w1"])
    rc, out = run_playbook(PREFLIGHT, {}, inventory=inv)
    assert rc != 0
    assert ("cp2 (etcd member, control-plane host) did not answer; nothing was changed. etcd's quorum and the "
            "version-skew policy need every etcd member and control-plane host in a run") in flat(out), out


def test_a_worker_that_does_not_answer_is_skipped_and_named(tmp_path, run_playbook):
    inv = _with_down_host(tmp_path, "w2", ["cp1"], ["cp1"], ["w1", "w2"])
    rc, out = run_playbook(PREFLIGHT, {}, inventory=inv)
    # 4: a host was unreachable; the others passed every check.
    assert rc == 4, out
    assert ("Skipped in this run: w2 did not answer (unreachable). The other hosts go on; run the playbook again "
            "once it is back.") in flat(out), out
    assert "failed=1" not in out, out


def test_a_worker_that_does_not_answer_needs_its_node_ip(tmp_path, run_playbook):
    inv = yaml.safe_load(open(_with_down_host(tmp_path, "w2", ["cp1"], ["cp1"], ["w1", "w2"])))
    del inv["all"]["hosts"]["w2"]["node_ip"]
    (tmp_path / "hosts.yml").write_text(yaml.safe_dump(inv))
    rc, out = run_playbook(PREFLIGHT, {}, inventory=str(tmp_path / "hosts.yml"))
    assert rc != 0
    assert "w2 did not answer and has no node_ip in the inventory: the others need its address" in flat(out), out
