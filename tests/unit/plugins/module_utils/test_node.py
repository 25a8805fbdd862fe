"""module_utils/node.py: what a host offers a node, read from a folder laid out like / ."""

import pytest

from ansible_collections.fromscratch.kubernetes.plugins.module_utils.node import RESOLVED_UPSTREAM, NodeFacts


def host(tmp_path, files):
    for path, text in files.items():
        target = tmp_path / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return NodeFacts(str(tmp_path))


BASE = {"/proc/sys/kernel/osrelease": "6.1.0-27-amd64\n", "/proc/swaps": "Filename\tType\tSize\tUsed\tPriority\n",
        "/etc/resolv.conf": "search lan\nnameserver 192.168.1.1\n"}


def test_modules_loaded_built_in_by_listing_by_proof_and_absent(tmp_path):
    facts = host(tmp_path, dict(BASE, **{
        "/sys/module/overlay/refcnt": "1\n",
        "/lib/modules/6.1.0-27-amd64/modules.builtin": "kernel/net/bridge/br_netfilter.ko\n",
        "/proc/filesystems": "nodev\tsysfs\n"}))
    report = facts.report(["overlay", "br_netfilter", "ip_vs"], [])
    assert report["module_dir"] == "/lib/modules/6.1.0-27-amd64"
    assert report["modules"] == [{"name": "overlay", "active": True, "how": "loaded"},
                                 {"name": "br_netfilter", "active": True, "how": "built in"},
                                 {"name": "ip_vs", "active": False, "how": "absent"}]


def test_built_in_modules_proven_by_what_they_provide_without_lib_modules(tmp_path):
    facts = host(tmp_path, dict(BASE, **{"/proc/filesystems": "nodev\tsysfs\nnodev\toverlay\n",
                                         "/proc/sys/net/bridge/bridge-nf-call-iptables": "1\n"}))
    report = facts.report(["overlay", "br_netfilter"], ["net.bridge.bridge-nf-call-iptables", "net.ipv4.ip_forward"])
    assert report["module_dir"] is None
    assert [m["how"] for m in report["modules"]] == ["built in (/proc/filesystems)",
                                                     "built in (/proc/sys/net/bridge/bridge-nf-call-iptables)"]
    assert report["sysctls"] == {"net.bridge.bridge-nf-call-iptables": "1", "net.ipv4.ip_forward": None}


@pytest.mark.parametrize("files, version", [({"/sys/fs/cgroup/cgroup.controllers": "cpu io memory\n"}, 2),
                                            ({"/sys/fs/cgroup/cpu/tasks": ""}, 1)])
def test_cgroup_version(tmp_path, files, version):
    assert host(tmp_path, dict(BASE, **files)).cgroup_version() == version


def test_active_swap_is_listed(tmp_path):
    facts = host(tmp_path, dict(BASE, **{"/proc/swaps": "Filename\tType\tSize\tUsed\tPriority\n"
                                                        "/swap.img  file  2097148  0  -2\n"}))
    assert facts.swaps() == ["/swap.img"]


def test_pods_get_the_host_resolv_conf_when_it_names_real_servers(tmp_path):
    assert host(tmp_path, BASE).pod_resolv_conf() == ("/etc/resolv.conf", None)


def test_pods_get_systemd_resolved_upstream_list_behind_its_stub(tmp_path):
    facts = host(tmp_path, dict(BASE, **{"/etc/resolv.conf": "nameserver 127.0.0.53\noptions edns0\n",
                                         RESOLVED_UPSTREAM: "nameserver 10.0.0.2\n"}))
    assert facts.pod_resolv_conf() == (RESOLVED_UPSTREAM, None)


def test_a_host_with_only_a_loopback_resolver_is_a_problem_named(tmp_path):
    path, problem = host(tmp_path, dict(BASE, **{"/etc/resolv.conf": "nameserver 127.0.0.1\n"})).pod_resolv_conf()
    assert path == "/etc/resolv.conf"
    assert problem.startswith("/etc/resolv.conf names only a local resolver (127.0.0.1)")
