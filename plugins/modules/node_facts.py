#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fromscratch.kubernetes contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: node_facts
short_description: Read what a host offers a Kubernetes node
version_added: 0.1.0
description:
  - Reads, without changing anything, the kernel modules a node needs (loaded, built in, or absent),
    sysctls, the cgroup version, active swap, and which resolv.conf pods should get.
  - A built-in module leaves no C(/sys/module) entry unless it has parameters, so C(overlay) and
    C(br_netfilter) also count as present when what they provide is there (C(overlay) in
    C(/proc/filesystems), C(/proc/sys/net/bridge/bridge-nf-call-iptables)).
  - When C(/etc/resolv.conf) names a loopback resolver (systemd-resolved's 127.0.0.53 stub) and
    C(/run/systemd/resolve/resolv.conf) lists upstream servers, pods should get the latter (as kubeadm
    does); otherwise CoreDNS, which forwards to the node's resolvers, would forward to itself.
  - Uses only the Python standard library on the managed host.
author:
  - fromscratch.kubernetes developers (@fromscratch)
options:
  modules:
    description: Kernel modules to report.
    type: list
    elements: str
    default: [overlay, br_netfilter]
  sysctls:
    description: Sysctls to report, in dotted form.
    type: list
    elements: str
    default: [net.bridge.bridge-nf-call-iptables, net.bridge.bridge-nf-call-ip6tables, net.ipv4.ip_forward]
notes:
  - Supports check mode; it never changes anything.
"""

EXAMPLES = r"""
- name: Read the node's facts
  fromscratch.kubernetes.node_facts:
  register: node

- name: Refuse a host with swap on
  ansible.builtin.assert:
    that: node.swaps | length == 0
    fail_msg: "Swap is on: {{ node.swaps | join(', ') }}"
"""

RETURN = r"""
kernel_release:
  description: The running kernel's release.
  returned: always
  type: str
  sample: 6.1.0-27-amd64
module_dir:
  description: C(/lib/modules/<release>) when the kernel has loadable modules on this host, else null.
  returned: always
  type: str
modules:
  description: Each requested module, whether it is active and how (C(loaded), C(built in), C(absent)).
  returned: always
  type: list
  elements: dict
  sample: [{name: br_netfilter, active: true, how: "built in (/proc/sys/net/bridge/bridge-nf-call-iptables)"}]
sysctls:
  description: Current value of each requested sysctl, or null where the kernel has no such key.
  returned: always
  type: dict
  sample: {net.ipv4.ip_forward: "1"}
cgroup_version:
  description: 2 on a unified cgroup v2 hierarchy, 1 on cgroup v1 or hybrid.
  returned: always
  type: int
swaps:
  description: Active swap devices or files.
  returned: always
  type: list
  elements: str
pod_resolv_conf:
  description: The resolv.conf pods (and CoreDNS) should get.
  returned: always
  type: str
  sample: /run/systemd/resolve/resolv.conf
pod_resolv_conf_problem:
  description: Why no resolv.conf on the host is fit for pods, as a sentence; null when one is.
  returned: always
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fromscratch.kubernetes.plugins.module_utils.node import NodeFacts


def main():
    module = AnsibleModule(
        argument_spec=dict(
            modules=dict(type="list", elements="str", default=["overlay", "br_netfilter"]),
            sysctls=dict(type="list", elements="str", default=[
                "net.bridge.bridge-nf-call-iptables", "net.bridge.bridge-nf-call-ip6tables", "net.ipv4.ip_forward"]),
        ),
        supports_check_mode=True,
    )
    module.exit_json(changed=False, **NodeFacts().report(module.params["modules"], module.params["sysctls"]))


if __name__ == "__main__":
    main()
