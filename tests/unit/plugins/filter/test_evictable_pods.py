"""The evictable_pods filter: the pods a drain must remove, as kubectl drain counts them."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.fromscratch.kubernetes.plugins.filter.evictable_pods import FilterModule, evictable_pods


def pod(name, owner=None, phase="Running", annotations=None):
    metadata = {"namespace": "default", "name": name}
    if owner:
        metadata["ownerReferences"] = [{"kind": owner, "name": "x"}]
    if annotations:
        metadata["annotations"] = annotations
    return {"metadata": metadata, "status": {"phase": phase}}


def test_replicaset_and_unmanaged_pods_are_evicted():
    assert evictable_pods([pod("web", "ReplicaSet"), pod("bare")]) == ["default/web", "default/bare"]


def test_daemonset_mirror_and_finished_pods_stay():
    pods = [pod("flannel", "DaemonSet"), pod("static", annotations={"kubernetes.io/config.mirror": "abc"}),
            pod("job", "Job", phase="Succeeded"), pod("crashed", phase="Failed")]
    assert evictable_pods(pods) == []


def test_a_pod_without_status_or_metadata_fields_is_counted():
    assert evictable_pods([{"metadata": {"name": "p", "namespace": "n"}}]) == ["n/p"]


@pytest.mark.parametrize("bad", [None, "pods", [1]])
def test_anything_but_a_list_of_pods_is_refused_with_a_sentence(bad):
    with pytest.raises(AnsibleFilterError, match="expects a list of Pod objects"):
        evictable_pods(bad)


def test_the_filter_is_registered():
    assert FilterModule().filters()["evictable_pods"] is evictable_pods
