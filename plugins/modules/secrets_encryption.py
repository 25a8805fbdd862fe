#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fromscratch.kubernetes contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: secrets_encryption
short_description: Report which encryption key protects each Secret in etcd, and move Secrets to the write key
version_added: 0.1.0
description:
  - Reads every Secret's raw value from etcd (its v3 JSON gateway, C(/v3/kv/range) under
    C(/registry/secrets/)) and reports the key each is stored under, as the apiserver names it
    in the value (C(k8s:enc:<provider>:v1:<key name>:...)); C(identity) for a Secret stored in
    plain text.
  - With O(key), every Secret must be stored under that key; the module fails, naming the Secrets
    that are not, otherwise.
  - With O(rewrite=true), the Secrets not stored under O(key) are first read and written back
    unchanged through the Kubernetes API, so that the apiserver stores them under its write key;
    only those are written, so a second run changes nothing.
  - Uses only the Python standard library; run it where the etcd client URLs and the API answer
    (the controller, with the certificates of the PKI folder).
author:
  - fromscratch.kubernetes developers (@fromscratch)
options:
  etcd_endpoints:
    description:
      - etcd client URLs, for example C(https://10.0.0.2:2379); the first that answers is read.
    type: list
    elements: str
    required: true
  etcd_ca_cert:
    description:
      - CA that signed the etcd server certificates.
    type: path
    required: true
  etcd_client_cert:
    description:
      - Client certificate etcd accepts (the apiserver's etcd client certificate can read Secrets).
    type: path
    required: true
  etcd_client_key:
    description:
      - Private key of O(etcd_client_cert).
    type: path
    required: true
  key:
    description:
      - The key every Secret must be stored under, as C(<provider>:<key name>), for example
        C(secretbox:key2).
    type: str
  rewrite:
    description:
      - Write the Secrets not stored under O(key) again through the API at O(api_url) first.
      - Every apiserver must already write with O(key); the module fails when a Secret written
        again is still not under it.
    type: bool
    default: false
  api_url:
    description:
      - The Kubernetes API, for example C(https://10.0.0.2:6443). Required with O(rewrite=true).
    type: str
  api_ca_cert:
    description:
      - CA that signed the apiserver's serving certificate.
    type: path
  api_client_cert:
    description:
      - Client certificate allowed to read and update every Secret.
    type: path
  api_client_key:
    description:
      - Private key of O(api_client_cert).
    type: path
  timeout:
    description:
      - Seconds to wait for each single request.
    type: float
    default: 10
attributes:
  check_mode:
    support: full
    description: In check mode the Secrets that would be written again are reported, none is written.
  diff_mode:
    support: none
    description: Secrets are written back unchanged; there is nothing to show.
"""

EXAMPLES = r"""
- name: Move every Secret to the write key secretbox:key2
  fromscratch.kubernetes.secrets_encryption:
    etcd_endpoints: [https://10.0.0.11:2379, https://10.0.0.12:2379]
    etcd_ca_cert: pki/etcd/ca.crt
    etcd_client_cert: pki/etcd/apiserver-etcd-client.crt
    etcd_client_key: pki/etcd/apiserver-etcd-client.key
    key: secretbox:key2
    rewrite: true
    api_url: https://10.0.0.11:6443
    api_ca_cert: pki/ca.crt
    api_client_cert: pki/admin.crt
    api_client_key: pki/admin.key
  delegate_to: localhost

- name: Report the keys, read-only
  fromscratch.kubernetes.secrets_encryption:
    etcd_endpoints: [https://10.0.0.11:2379]
    etcd_ca_cert: pki/etcd/ca.crt
    etcd_client_cert: pki/etcd/apiserver-etcd-client.crt
    etcd_client_key: pki/etcd/apiserver-etcd-client.key
  register: stored
  delegate_to: localhost
"""

RETURN = r"""
secrets:
  description: How many Secrets etcd holds.
  returned: success
  type: int
  sample: 12
keys:
  description: How many Secrets are stored under each key (C(<provider>:<key name>), or C(identity)).
  returned: success
  type: dict
  sample: {"secretbox:key2": 12}
not_under_key:
  description: The Secrets (C(<namespace>/<name>)) not stored under O(key) after the run.
  returned: success
  type: list
  elements: str
rewritten:
  description: The Secrets written again (in check mode, those that would be).
  returned: success
  type: list
  elements: str
key:
  description: O(key), as given.
  returned: success
  type: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.fromscratch.kubernetes.plugins.module_utils.secrets_encryption import (
    EtcdSecrets,
    SecretsEncryption,
    SecretWriter,
)
from ansible_collections.fromscratch.kubernetes.plugins.module_utils.tls_http import TlsHttpClient, TlsHttpError


def run(params, check_mode=False, client_factory=TlsHttpClient):
    """Return (failed, result). Separate from main() for unit tests."""
    try:
        etcd_http = client_factory(ca_path=params["etcd_ca_cert"], cert_path=params["etcd_client_cert"],
                                   key_path=params["etcd_client_key"], timeout=params["timeout"])
        writer = None
        if params["rewrite"]:
            api_http = client_factory(ca_path=params["api_ca_cert"], cert_path=params["api_client_cert"],
                                      key_path=params["api_client_key"], timeout=params["timeout"])
            writer = SecretWriter(params["api_url"], api_http)
        return SecretsEncryption(EtcdSecrets(params["etcd_endpoints"], etcd_http), writer, params["key"]).run(
            rewrite=params["rewrite"], check_mode=check_mode)
    except TlsHttpError as exc:
        return True, {"msg": str(exc)}


def main():
    module = AnsibleModule(
        argument_spec=dict(
            etcd_endpoints=dict(type="list", elements="str", required=True),
            etcd_ca_cert=dict(type="path", required=True),
            etcd_client_cert=dict(type="path", required=True),
            etcd_client_key=dict(type="path", required=True, no_log=False),
            key=dict(type="str", no_log=False),
            rewrite=dict(type="bool", default=False),
            api_url=dict(type="str"),
            api_ca_cert=dict(type="path"),
            api_client_cert=dict(type="path"),
            api_client_key=dict(type="path", no_log=False),
            timeout=dict(type="float", default=10),
        ),
        required_if=[("rewrite", True, ("key", "api_url", "api_ca_cert", "api_client_cert", "api_client_key"))],
        supports_check_mode=True,
    )
    if not module.params["etcd_endpoints"]:
        module.fail_json(msg="etcd_endpoints is empty: give at least one etcd client URL.")
    failed, result = run(module.params, check_mode=module.check_mode)
    if failed:
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
