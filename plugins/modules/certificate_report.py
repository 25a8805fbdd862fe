#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fromscratch.kubernetes contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: certificate_report
short_description: Report the X.509 certificates in files and kubeconfigs, with days left
version_added: 0.1.0
description:
  - Reads every certificate in the given files and folders - PEM files and the base64 certificates
    embedded in kubeconfigs (C(client-certificate-data), C(certificate-authority-data)) - and
    returns, for each, its subject, issuer, serial, validity, subject alternative names, whether it
    is a CA and the days left until it expires.
  - Marks the certificates that expire within O(renew_before) days, so a playbook can renew them.
  - Reads only; never changes a file. Uses only the Python standard library on the managed host.
author:
  - fromscratch.kubernetes developers (@fromscratch)
options:
  paths:
    description:
      - Files and folders to read. A folder is searched recursively for files whose names match
        one of O(patterns). A path that does not exist is skipped and listed in RV(missing).
    type: list
    elements: path
    required: true
  patterns:
    description:
      - Shell patterns of the file names read inside the folders of O(paths).
    type: list
    elements: str
    default: ['*.crt', '*.pem', '*kubeconfig']
  renew_before:
    description:
      - Certificates with fewer days left than this are reported as due for renewal.
    type: int
    default: 30
attributes:
  check_mode:
    description: Reads only, so it runs the same in check mode.
    support: full
  diff_mode:
    description: Changes nothing, so there is no diff.
    support: none
"""

EXAMPLES = r"""
- name: Report the certificates of a control-plane host
  fromscratch.kubernetes.certificate_report:
    paths: [/etc/kubernetes, /etc/etcd/pki, /var/lib/kubelet]
    renew_before: 60
  register: certs

- name: Fail when a certificate expires within 60 days
  ansible.builtin.assert:
    that: certs.due | length == 0
    fail_msg: "{{ certs.due | map(attribute='path') | join(', ') }} expire within 60 days"
"""

RETURN = r"""
certificates:
  description: Every certificate found, sorted by days left (soonest first).
  returned: always
  type: list
  elements: dict
  contains:
    path: {description: The file it is in., type: str, sample: /etc/kubernetes/pki/apiserver.crt}
    source: {description: "C(pem), or the kubeconfig field it is embedded in.", type: str, sample: pem}
    index: {description: Its position among the certificates of that source in the file., type: int, sample: 0}
    subject: {description: Subject in RFC 4514 form., type: str, sample: "CN=kube-apiserver,OU=fromscratch.kubernetes"}
    common_name: {description: The subject's common name., type: str, sample: kube-apiserver}
    organizations: {description: The subject's organizations (Kubernetes groups)., type: list, elements: str, sample: ["system:nodes"]}
    issuer: {description: Issuer in RFC 4514 form., type: str, sample: "CN=kubernetes-ca"}
    serial: {description: Serial number in hexadecimal., type: str, sample: 3f2a9c}
    not_before: {description: Start of validity (UTC)., type: str, sample: "2026-11-23T10:00:00Z"}
    not_after: {description: End of validity (UTC)., type: str, sample: "2031-11-22T10:00:00Z"}
    days_left: {description: Whole days until it expires (negative once expired)., type: int, sample: 1825}
    expired: {description: Whether it has expired., type: bool, sample: false}
    sans: {description: Subject alternative names., type: list, elements: str, sample: ["DNS:kubernetes", "IP:10.32.0.1"]}
    is_ca: {description: Whether it is a CA certificate., type: bool, sample: false}
    due: {description: Whether it expires within renew_before days., type: bool, sample: false}
due:
  description: The certificates that expire within O(renew_before) days (a subset of RV(certificates)).
  returned: always
  type: list
  elements: dict
files:
  description: The files read.
  returned: always
  type: list
  elements: str
missing:
  description: The paths that do not exist.
  returned: always
  type: list
  elements: str
soonest_days_left:
  description: Days left of the certificate that expires first, or null when none was found.
  returned: always
  type: int
  sample: 1824
table:
  description: A readable table, one line per certificate (days left, expiry, subject, path).
  returned: always
  type: list
  elements: str
msg:
  description: One sentence summing up the report.
  returned: always
  type: str
  sample: "12 certificates in 9 files; the first expires in 1824 days; none within 30 days."
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fromscratch.kubernetes.plugins.module_utils.x509 import CertificateReport


def main():
    module = AnsibleModule(
        argument_spec={
            "paths": {"type": "list", "elements": "path", "required": True},
            "patterns": {"type": "list", "elements": "str", "default": ["*.crt", "*.pem", "*kubeconfig"]},
            "renew_before": {"type": "int", "default": 30},
        },
        supports_check_mode=True,
    )
    report = CertificateReport(module.params["paths"], module.params["patterns"], module.params["renew_before"])
    failed, result = report.run()
    if failed:
        module.fail_json(**result)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
