"""The upgrade_problems filter: upstream's version-skew policy, one sentence per refused step."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.fromscratch.kubernetes.plugins.filter.upgrade_problems import FilterModule, upgrade_problems

CP = ["cp1", "cp2", "cp3"]
NODES = CP + ["w1"]


def running(apiserver="1.34.12", kubelet="v1.34.12", etcd="3.5.35", **kubelets):
    versions = {host: kubelet for host in NODES}
    versions.update(kubelets)
    return {"kube-apiserver": {host: apiserver for host in CP}, "kubelet": versions,
            "etcd": {host: etcd for host in CP}}


def test_a_minor_upgrade_of_everything_may_run():
    assert upgrade_problems(running(), kubernetes="1.35.1", etcd="3.6.6",
                            control_plane_upgraded=CP, nodes_upgraded=NODES) == []


def test_a_patch_or_no_change_may_run():
    assert upgrade_problems(running(), kubernetes="1.34.12", etcd="3.5.35",
                            control_plane_upgraded=CP, nodes_upgraded=NODES) == []
    assert upgrade_problems(running(), control_plane_upgraded=CP, nodes_upgraded=NODES) == []


def test_a_downgrade_names_the_hosts_and_versions():
    assert upgrade_problems(running(apiserver="1.35.1", kubelet="v1.35.1"), kubernetes="1.34.12",
                            control_plane_upgraded=CP, nodes_upgraded=NODES) == [
        "Kubernetes 1.34.12 is older than the running 1.35.1 (kube-apiserver on cp1, cp2, cp3; "
        "kubelet on cp1, cp2, cp3, w1): downgrades are refused."]


def test_a_skipped_minor_release_names_the_next_one():
    assert upgrade_problems(running(), kubernetes="1.36.0", control_plane_upgraded=CP, nodes_upgraded=NODES) == [
        "Kubernetes 1.36.0 skips a minor release from the running 1.34.12 (kube-apiserver on cp1, cp2, cp3; "
        "kubelet on cp1, cp2, cp3, w1): upgrade one minor release at a time (1.35 first)."]


def test_a_kubelet_left_behind_a_minor_counts_as_a_skip():
    problems = upgrade_problems(running(w1="v1.33.7"), kubernetes="1.35.1",
                                control_plane_upgraded=CP, nodes_upgraded=NODES)
    assert problems == ["Kubernetes 1.35.1 skips a minor release from the running 1.33.7 (kubelet on w1): "
                        "upgrade one minor release at a time (1.34 first)."]


def test_etcd_skips_and_downgrades_are_refused():
    assert upgrade_problems(running(etcd="3.4.30"), etcd="3.6.6") == [
        "etcd 3.6.6 skips a minor release from the running 3.4.30 (etcd on cp1, cp2, cp3): "
        "upgrade one minor release at a time (3.5 first)."]
    assert upgrade_problems(running(etcd="3.6.6"), etcd="3.5.35") == [
        "etcd 3.5.35 is older than the running 3.6.6 (etcd on cp1, cp2, cp3): downgrades are refused."]


def test_nodes_before_the_control_plane_are_refused():
    # --tags nodes: the control plane is left on 1.34 while the kubelets would move to 1.35.
    problems = upgrade_problems(running(), kubernetes="1.35.1", control_plane_upgraded=[], nodes_upgraded=NODES)
    assert problems == [
        "The kubelet 1.35.1 on cp1, cp2, cp3, w1 would be newer than kube-apiserver 1.34.12 on cp1, cp2, cp3, which "
        "this run does not upgrade: upgrade the control plane first (run without the --limit or --tags that leave it "
        "out)."]


def test_nodes_with_part_of_the_control_plane_name_the_hosts_left_behind():
    # --limit cp1,w1: cp2 and cp3 keep 1.34 while w1's kubelet would move to 1.35.
    problems = upgrade_problems(running(), kubernetes="1.35.1", control_plane_upgraded=["cp1"], nodes_upgraded=["w1"])
    assert problems == [
        "The kubelet 1.35.1 on w1 would be newer than kube-apiserver 1.34.12 on cp2, cp3, which this run does not "
        "upgrade: upgrade the control plane first (run without the --limit or --tags that leave it out)."]


def test_nodes_after_the_control_plane_may_run_alone():
    # The control plane already runs 1.35; a later run upgrades only the nodes.
    versions = running(apiserver="1.35.1")
    assert upgrade_problems(versions, kubernetes="1.35.1", control_plane_upgraded=[], nodes_upgraded=["w1"]) == []


def test_a_node_left_out_may_lag_three_minors_not_four():
    three = running(apiserver="1.35.1", kubelet="v1.35.1", w1="v1.32.4")
    assert upgrade_problems(three, kubernetes="1.35.1", control_plane_upgraded=CP, nodes_upgraded=CP) == []
    four = running(apiserver="1.35.1", kubelet="v1.35.1", w1="v1.31.4")
    problems = upgrade_problems(four, kubernetes="1.36.0", control_plane_upgraded=CP, nodes_upgraded=CP)
    assert ("The kubelet 1.31.4 on w1, which this run does not upgrade, would be more than three minor releases "
            "older than kube-apiserver 1.36.0: upgrade it first.") in problems


def test_empty_versions_are_skipped():
    versions = running()
    versions["kubelet"]["w1"] = ""
    assert upgrade_problems(versions, kubernetes="1.35.1", control_plane_upgraded=CP, nodes_upgraded=NODES) == []


@pytest.mark.parametrize("versions, message", [
    ("nope", "expects a dict of running versions, got str"),
    ({"kubectl": {"cp1": "1.35.1"}}, "unknown component 'kubectl'"),
    ({"kubelet": {"w1": "latest"}}, "kubelet on w1 is not a release number like 1.35.1: 'latest'"),
])
def test_bad_input_is_a_sentence(versions, message):
    with pytest.raises(AnsibleFilterError, match=message):
        upgrade_problems(versions, kubernetes="1.35.1")


def test_the_filter_is_registered():
    assert FilterModule().filters()["upgrade_problems"] is upgrade_problems
