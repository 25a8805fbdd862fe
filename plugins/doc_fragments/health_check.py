# -*- coding: utf-8 -*-
# Copyright: fromscratch.kubernetes contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options and attributes shared by the health modules (etcd_health, k8s_health)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  ca_cert:
    description:
      - CA bundle that signed the server certificate(s); the server is always verified against it.
    type: path
    required: true
  client_cert:
    description:
      - Client certificate to present.
    type: path
  client_key:
    description:
      - Private key of O(client_cert).
    type: path
  timeout:
    description:
      - Seconds to wait for each single request.
    type: float
    default: 5
  wait:
    description:
      - Repeat the check until it passes or O(wait_timeout) seconds have passed.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to keep trying when O(wait=true).
    type: int
    default: 120
  fail_on_unhealthy:
    description:
      - Fail, with a sentence naming each problem, when the check does not pass.
      - With V(false) the module only reports; assert on its return values yourself.
    type: bool
    default: true
attributes:
  check_mode:
    support: full
    description: The module only reads; it runs the same in check mode.
  diff_mode:
    support: none
    description: Nothing is changed, so there is nothing to show.
"""
