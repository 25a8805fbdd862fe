# Copyright: fromscratch.kubernetes contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""evictable_pods: the pods a drain must remove from a node, as kubectl drain counts them."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

_MIRROR = "kubernetes.io/config.mirror"


def _evictable(pod):
    metadata = pod.get("metadata") or {}
    if _MIRROR in (metadata.get("annotations") or {}):
        return False  # a static pod's mirror: the kubelet runs it, the API cannot remove it
    if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
        return False  # finished: nothing runs
    return not any(owner.get("kind") == "DaemonSet" for owner in metadata.get("ownerReferences") or [])


def evictable_pods(pods):
    """The names (namespace/name) of the pods in `pods` (Pod objects as the API returns them) that a drain
    evicts: every pod but a DaemonSet's, a static pod's mirror, or one that has finished."""
    if not isinstance(pods, list) or not all(isinstance(pod, dict) for pod in pods):
        raise AnsibleFilterError("evictable_pods: expects a list of Pod objects, got %r" % (pods,))
    return ["%s/%s" % ((pod.get("metadata") or {}).get("namespace", ""), (pod.get("metadata") or {}).get("name", ""))
            for pod in pods if _evictable(pod)]


class FilterModule:
    """Ansible filters of fromscratch.kubernetes: evictable_pods."""

    def filters(self):
        return {"evictable_pods": evictable_pods}
