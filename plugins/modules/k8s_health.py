#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fromscratch.kubernetes contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: k8s_health
short_description: Report the health of a Kubernetes API server or control-plane component
version_added: 0.1.0
description:
  - Reads C(/livez?verbose) and C(/readyz?verbose) of a kube-apiserver (or of kube-scheduler's
    secure port, 10259) and returns every named check with pass or fail, overall live and ready,
    and C(/version).
  - Falls back to C(/healthz?verbose) where C(/livez) or C(/readyz) do not exist, which is how the
    secure port of kube-controller-manager (10257) answers.
  - Verifies the server certificate against O(ca_cert); authenticates with O(client_cert) and
    O(client_key), or O(token), or not at all.
  - Uses only the Python standard library on the managed host.
author:
  - fromscratch.kubernetes developers (@fromscratch)
extends_documentation_fragment:
  - fromscratch.kubernetes.health_check
options:
  url:
    description:
      - Base URL of the server, for example C(https://10.0.0.2:6443) or C(https://127.0.0.1:10257).
    type: str
    required: true
  token:
    description:
      - Bearer token, for example a service-account token.
    type: str
"""

EXAMPLES = r"""
- name: Wait until kube-apiserver is ready
  fromscratch.kubernetes.k8s_health:
    url: https://127.0.0.1:6443
    ca_cert: /etc/kubernetes/pki/ca.crt
    client_cert: /etc/kubernetes/pki/apiserver-kubelet-client.crt
    client_key: /etc/kubernetes/pki/apiserver-kubelet-client.key
    wait: true
  register: api

- name: The etcd check of the apiserver passes
  ansible.builtin.assert:
    that: api.checks.readyz | selectattr('name', 'equalto', 'etcd') | map(attribute='ok') | first

- name: Check the controller-manager's secure port
  fromscratch.kubernetes.k8s_health:
    url: https://127.0.0.1:10257
    ca_cert: /etc/kubernetes/pki/ca.crt
"""

RETURN = r"""
healthy:
  description: Live and ready.
  returned: always
  type: bool
live:
  description: C(/livez) (or C(/healthz)) answered 200.
  returned: always
  type: bool
ready:
  description: C(/readyz) (or C(/healthz)) answered 200.
  returned: always
  type: bool
reachable:
  description: The server answered at the HTTP level.
  returned: always
  type: bool
checks:
  description: Named checks per endpoint (C(livez), C(readyz) or C(healthz)), in the order the server lists them.
  returned: always
  type: dict
  sample: {readyz: [{name: etcd, ok: true, detail: ok}]}
failed_checks:
  description: C(endpoint/check) names that failed.
  returned: always
  type: list
  elements: str
endpoint_used:
  description: Paths that were read.
  returned: always
  type: list
  elements: str
  sample: [/livez, /readyz]
version:
  description: C(/version) of the server (C(git_version), C(major), C(minor), C(platform), C(go_version)), or null.
  returned: always
  type: dict
error:
  description: Why the server could not be checked, as a sentence; null otherwise.
  returned: always
  type: str
attempts:
  description: How many times the server was checked.
  returned: always
  type: int
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fromscratch.kubernetes.plugins.module_utils.etcd import wait_for_health
from ansible_collections.fromscratch.kubernetes.plugins.module_utils.k8s_api import HealthEndpoint
from ansible_collections.fromscratch.kubernetes.plugins.module_utils.tls_http import (
    TlsHttpClient,
    TlsHttpError,
    health_argument_spec,
)


def identity_of(params):
    if params["client_cert"]:
        return "the client certificate %s" % params["client_cert"]
    if params["token"]:
        return "the bearer token given"
    return "an anonymous request"


def run(params, client_factory=TlsHttpClient):
    """Check the server; return (failed, result)."""
    try:
        http = client_factory(ca_path=params["ca_cert"], cert_path=params["client_cert"],
                              key_path=params["client_key"], timeout=params["timeout"], token=params["token"])
    except TlsHttpError as exc:
        return True, {"msg": str(exc), "healthy": False}
    endpoint = HealthEndpoint(params["url"], http, identity_of(params))
    result, attempts = wait_for_health(endpoint.check, params["wait_timeout"] if params["wait"] else 0)
    result["attempts"] = attempts
    if result["healthy"]:
        version = (result["version"] or {}).get("git_version") or "unknown version"
        result["msg"] = "%s is live and ready (%s)" % (params["url"], version)
        return False, result
    if result["error"]:
        reason = result["error"]
    else:
        reason = "failed checks: %s" % (", ".join(result["failed_checks"]) or "none named, but not ready")
    waited = " after %d attempts in %ss" % (attempts, params["wait_timeout"]) if params["wait"] else ""
    result["msg"] = "%s is not healthy%s: %s" % (params["url"], waited, reason)
    return params["fail_on_unhealthy"], result


def main():
    module = AnsibleModule(
        argument_spec=health_argument_spec(
            url=dict(type="str", required=True),
            token=dict(type="str", no_log=True),
        ),
        required_together=[("client_cert", "client_key")],
        mutually_exclusive=[("client_cert", "token")],
        supports_check_mode=True,
    )
    failed, result = run(module.params)
    if failed:
        module.fail_json(**result)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
