# Copyright: fromscratch.kubernetes contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""upgrade_problems: the steps of an upgrade that upstream's version-skew policy refuses, as sentences."""

from __future__ import annotations

import re

from ansible.errors import AnsibleFilterError

_VERSION = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)")
# The components whose running versions the filter reads, and the release each belongs to.
_RELEASE = {"kube-apiserver": "Kubernetes", "kubelet": "Kubernetes", "etcd": "etcd"}


def _parse(version, what):
    match = _VERSION.match(str(version).strip())
    if not match:
        raise AnsibleFilterError("upgrade_problems: %s is not a release number like 1.35.1: %r" % (what, version))
    return tuple(int(part) for part in match.groups())


def _text(version):
    return "%d.%d.%d" % version


def _hosts(entries):
    """'kube-apiserver on a, b; kubelet on c' from [(component, host), ...] in their order."""
    by_component = {}
    for component, host in entries:
        by_component.setdefault(component, []).append(host)
    return "; ".join("%s on %s" % (component, ", ".join(hosts)) for component, hosts in by_component.items())


def upgrade_problems(running, kubernetes="", etcd="", control_plane_upgraded=None, nodes_upgraded=None):
    """One sentence per step the version-skew policy refuses; an empty list when the upgrade may run.

    running: {'kube-apiserver': {host: version}, 'kubelet': {node: version}, 'etcd': {host: version}}
    (what is running now; an empty version is skipped). kubernetes, etcd: the target releases ('' for
    no change). control_plane_upgraded, nodes_upgraded: the hosts whose apiserver / kubelet this run
    upgrades (a run limited with --limit or --tags leaves others as they are).
    """
    if not isinstance(running, dict):
        raise AnsibleFilterError("upgrade_problems: expects a dict of running versions, got %s" % type(running).__name__)
    targets = {"Kubernetes": kubernetes or "", "etcd": etcd or ""}
    targets = {name: _parse(value, name + " target") for name, value in targets.items() if value}
    control_plane_upgraded = set(control_plane_upgraded or [])
    nodes_upgraded = set(nodes_upgraded or [])
    versions = {}  # component -> [(host, version)]
    for component, hosts in running.items():
        if component not in _RELEASE:
            raise AnsibleFilterError("upgrade_problems: unknown component %r (known: %s)" % (component, ", ".join(_RELEASE)))
        versions[component] = [(host, _parse(version, "%s on %s" % (component, host)))
                               for host, version in sorted((hosts or {}).items()) if version]

    # 1. No downgrade, no skipped minor release: for every apiserver (those the run leaves as they are
    # must be within one minor release of the others), every etcd member, every kubelet the run upgrades.
    steps = {}  # (release, running version, kind) -> [(component, host)]
    for component, entries in versions.items():
        target = targets.get(_RELEASE[component])
        if target is None:
            continue
        for host, version in entries:
            if component == "kubelet" and host not in nodes_upgraded:
                continue  # left as it is: rule 3
            if target < version:
                steps.setdefault((_RELEASE[component], version, "down"), []).append((component, host))
            elif target[0] != version[0] or target[1] > version[1] + 1:
                steps.setdefault((_RELEASE[component], version, "skip"), []).append((component, host))
    problems = []
    for (release, version, kind), where in sorted(steps.items()):
        target = _text(targets[release])
        if kind == "down":
            problems.append("%s %s is older than the running %s (%s): downgrades are refused."
                            % (release, target, _text(version), _hosts(where)))
        else:
            problems.append("%s %s skips a minor release from the running %s (%s): upgrade one minor release at a "
                            "time (%d.%d first)." % (release, target, _text(version), _hosts(where),
                                                     version[0], version[1] + 1))
    target = targets.get("Kubernetes")
    if target is None:
        return problems

    # 2. Control plane before nodes: no kubelet newer than an apiserver this run leaves as it is.
    upgraded_nodes = sorted(host for host, _version in versions.get("kubelet", []) if host in nodes_upgraded)
    behind = {}  # apiserver version -> the hosts this run leaves on it
    for host, version in versions.get("kube-apiserver", []):
        if host not in control_plane_upgraded and upgraded_nodes and version[:2] < target[:2]:
            behind.setdefault(version, []).append(host)
    for version, hosts in sorted(behind.items()):
        problems.append("The kubelet %s on %s would be newer than kube-apiserver %s on %s, which this run does not "
                        "upgrade: upgrade the control plane first (run without the --limit or --tags that leave "
                        "it out)." % (_text(target), ", ".join(upgraded_nodes), _text(version), ", ".join(hosts)))

    # 3. A kubelet this run leaves as it is may be at most three minor releases older than the apiservers.
    if control_plane_upgraded:
        for host, version in versions.get("kubelet", []):
            if host not in nodes_upgraded and version[0] == target[0] and target[1] - version[1] > 3:
                problems.append("The kubelet %s on %s, which this run does not upgrade, would be more than three minor "
                                "releases older than kube-apiserver %s: upgrade it first."
                                % (_text(version), host, _text(target)))
    return problems


class FilterModule:
    """Ansible filters of fromscratch.kubernetes: upgrade_problems."""

    def filters(self):
        return {"upgrade_problems": upgrade_problems}
