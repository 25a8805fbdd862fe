#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fromscratch.kubernetes contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: etcd_health
short_description: Report the health of an etcd cluster over mutual TLS
version_added: 0.1.0
description:
  - Queries every given etcd client endpoint through etcd's v3 JSON gateway (C(/health),
    C(/v3/maintenance/status), C(/v3/cluster/member/list), C(/v3/maintenance/alarm)) and returns
    per-endpoint status, the member list, raised alarms, the leader and an overall verdict.
  - Verifies the server certificate against O(ca_cert) and presents O(client_cert)/O(client_key),
    as etcd with C(--client-cert-auth) requires.
  - Uses only the Python standard library on the managed host.
  - The cluster is C(healthy) when every endpoint answers and says it is healthy, all of them agree
    on exactly one leader, no alarm is raised, no member is unstarted and, if O(expected_members) is
    set, the member count matches.
author:
  - fromscratch.kubernetes developers (@fromscratch)
extends_documentation_fragment:
  - fromscratch.kubernetes.health_check
options:
  endpoints:
    description:
      - etcd client URLs, for example C(https://10.0.0.2:2379). A missing scheme means C(https://).
      - Without O(client_cert), an etcd that enforces client certificates refuses the connection,
        and the module reports that refusal.
    type: list
    elements: str
    required: true
  expected_members:
    description:
      - Number of members the cluster must have to count as healthy.
    type: int
notes:
  - Member IDs are returned in hexadecimal, as C(etcdctl member list) prints them.
"""

EXAMPLES = r"""
- name: Wait until the three etcd members are healthy
  fromscratch.kubernetes.etcd_health:
    endpoints:
      - https://10.0.0.11:2379
      - https://10.0.0.12:2379
      - https://10.0.0.13:2379
    ca_cert: /etc/etcd/pki/ca.crt
    client_cert: /etc/etcd/pki/healthcheck-client.crt
    client_key: /etc/etcd/pki/healthcheck-client.key
    expected_members: 3
    wait: true
  register: etcd

- name: Show the leader
  ansible.builtin.debug:
    msg: "{{ etcd.leader }} leads {{ etcd.members | length }} members"

- name: Check that a connection without a client certificate is refused
  fromscratch.kubernetes.etcd_health:
    endpoints: [https://127.0.0.1:2379]
    ca_cert: /etc/etcd/pki/ca.crt
    fail_on_unhealthy: false
  register: anonymous
"""

RETURN = r"""
healthy:
  description: Overall verdict (see the description for what it requires).
  returned: always
  type: bool
  sample: true
leader:
  description: Name of the leader member, or null when there is no single leader.
  returned: always
  type: str
  sample: etcd1
leader_id:
  description: Hex ID of the leader member.
  returned: always
  type: str
  sample: 8e9e05c52164694d
cluster_id:
  description: Hex ID of the cluster.
  returned: always
  type: str
problems:
  description: One sentence per problem found; empty when healthy.
  returned: always
  type: list
  elements: str
endpoints:
  description: One entry per endpoint, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    endpoint:
      description: The URL queried.
      type: str
      returned: always
    reachable:
      description: Whether it answered at the HTTP level.
      type: bool
      returned: always
    healthy:
      description: Whether its /health said true.
      type: bool
      returned: always
    error:
      description: Why it is unreachable or unhealthy, as a sentence; null otherwise.
      type: str
      returned: always
    name:
      description: Member name.
      type: str
      returned: when reachable
    member_id:
      description: Hex member ID.
      type: str
      returned: when reachable
    version:
      description: etcd server version.
      type: str
      returned: when reachable
      sample: 3.4.23
    db_size:
      description: Backend database size in bytes.
      type: int
      returned: when reachable
    db_size_in_use:
      description: Bytes of the database in use (0 where etcd does not report it).
      type: int
      returned: when reachable
    raft_index:
      description: Raft index.
      type: int
      returned: when reachable
    raft_term:
      description: Raft term.
      type: int
      returned: when reachable
    raft_applied_index:
      description: Raft applied index.
      type: int
      returned: when reachable
    is_leader:
      description: Whether this member is the leader.
      type: bool
      returned: when reachable
    leader_id:
      description: The leader this member knows of.
      type: str
      returned: when reachable
members:
  description: The member list, as seen by the first endpoint that answered.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Hex member ID.
      type: str
      returned: always
    name:
      description: Member name (empty if never started).
      type: str
      returned: always
    peer_urls:
      description: Peer URLs.
      type: list
      elements: str
      returned: always
    client_urls:
      description: Client URLs.
      type: list
      elements: str
      returned: always
    is_learner:
      description: Whether it is a learner.
      type: bool
      returned: always
    started:
      description: Whether it has started.
      type: bool
      returned: always
alarms:
  description: Raised alarms.
  returned: always
  type: list
  elements: dict
  sample: [{member_id: 8e9e05c52164694d, alarm: NOSPACE}]
attempts:
  description: How many times the cluster was checked.
  returned: always
  type: int
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fromscratch.kubernetes.plugins.module_utils.etcd import EtcdHealth, wait_for_health
from ansible_collections.fromscratch.kubernetes.plugins.module_utils.tls_http import (
    TlsHttpClient,
    TlsHttpError,
    health_argument_spec,
)


def run(params, client_factory=TlsHttpClient):
    """Check the cluster; return (failed, result). Separate from main() for unit tests."""
    try:
        http = client_factory(
            ca_path=params["ca_cert"],
            cert_path=params["client_cert"],
            key_path=params["client_key"],
            timeout=params["timeout"],
        )
    except TlsHttpError as exc:
        return True, {"msg": str(exc), "healthy": False}
    health = EtcdHealth(params["endpoints"], http, expected_members=params["expected_members"])
    timeout = params["wait_timeout"] if params["wait"] else 0
    result, attempts = wait_for_health(health.check, timeout)
    result["attempts"] = attempts
    if result["healthy"]:
        result["msg"] = "etcd is healthy: %d members, leader %s" % (len(result["members"]), result["leader"])
        return False, result
    waited = " after %d attempts in %ss" % (attempts, params["wait_timeout"]) if params["wait"] else ""
    result["msg"] = "etcd is not healthy%s: %s" % (waited, " ".join(result["problems"]))
    return params["fail_on_unhealthy"], result


def main():
    module = AnsibleModule(
        argument_spec=health_argument_spec(
            endpoints=dict(type="list", elements="str", required=True),
            expected_members=dict(type="int"),
        ),
        required_together=[("client_cert", "client_key")],
        supports_check_mode=True,
    )
    if not module.params["endpoints"]:
        module.fail_json(msg="endpoints is empty: give at least one etcd client URL.")
    failed, result = run(module.params)
    if failed:
        module.fail_json(**result)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
