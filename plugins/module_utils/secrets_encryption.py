# -*- coding: utf-8 -*-
# Copyright: fromscratch.kubernetes contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which key each Secret is stored under in etcd, and rewriting Secrets through the API.

The apiserver stores an encrypted Secret as ``k8s:enc:<provider>:v1:<key name>:<ciphertext>``
(identity, the plain protobuf, begins ``k8s\\x00``). Reading the raw values from etcd is the only way
to see which key protects each one; a Secret written again through the API is stored under the
apiserver's current write key (the first key of the first provider of its encryption
configuration). Python standard library only.
"""

from __future__ import annotations

import base64
import urllib.parse

from ansible_collections.fromscratch.kubernetes.plugins.module_utils.etcd import normalize_endpoint
from ansible_collections.fromscratch.kubernetes.plugins.module_utils.tls_http import TlsHttpError

ENCRYPTED = b"k8s:enc:"
IDENTITY = "identity"


def key_of(value):
    """``<provider>:<key name>`` of a stored Secret, or ``identity`` for one stored in plain text."""
    if not value.startswith(ENCRYPTED):
        return IDENTITY
    parts = value[len(ENCRYPTED):].split(b":", 3)
    if len(parts) < 3:
        return IDENTITY
    return "%s:%s" % (parts[0].decode("ascii", "replace"), parts[2].decode("ascii", "replace"))


def prefix_end(prefix):
    """etcd's range_end for every key that begins with ``prefix`` (its last byte plus one)."""
    end = bytearray(prefix)
    end[-1] += 1
    return bytes(end)


def b64(data):
    return base64.b64encode(data).decode("ascii")


class EtcdSecrets:
    """The Secrets under ``prefix`` in etcd (read through its v3 JSON gateway), by key."""

    def __init__(self, endpoints, http, prefix="/registry/secrets/", page=500):
        self.endpoints = [normalize_endpoint(e) for e in endpoints]
        self.http = http
        self.prefix = prefix.encode("utf-8")
        self.page = page

    def _range(self, start):
        payload = {"key": b64(start), "range_end": b64(prefix_end(self.prefix)), "limit": self.page}
        errors = []
        for endpoint in self.endpoints:
            try:
                resp = self.http.post_json(endpoint + "/v3/kv/range", payload)
            except TlsHttpError as exc:
                errors.append(str(exc))
                continue
            if resp.status != 200:
                errors.append("%s/v3/kv/range answered HTTP %s: %s" % (endpoint, resp.status, resp.text.strip()[:200]))
                continue
            return resp.json()
        raise TlsHttpError("No etcd endpoint answered the read of %s: %s" % (
            self.prefix.decode("utf-8"), " ".join(errors)), kind="etcd")

    def read(self):
        """{"<namespace>/<name>": "<provider>:<key name>" or "identity"} of every Secret."""
        found = {}
        start = self.prefix
        while True:
            data = self._range(start)
            kvs = data.get("kvs") or []
            for kv in kvs:
                key = base64.b64decode(kv["key"])
                found[key[len(self.prefix):].decode("utf-8", "replace")] = key_of(base64.b64decode(kv.get("value", "")))
            if not data.get("more") or not kvs:
                return found
            start = base64.b64decode(kvs[-1]["key"]) + b"\x00"


def count_by_key(stored):
    counts = {}
    for key in stored.values():
        counts[key] = counts.get(key, 0) + 1
    return counts


class SecretWriter:
    """Writes Secrets back unchanged through the API (GET, then PUT of what was read)."""

    def __init__(self, api_url, http):
        self.api_url = api_url.rstrip("/")
        self.http = http

    def _url(self, name):
        namespace, _sep, secret = name.partition("/")
        return "%s/api/v1/namespaces/%s/secrets/%s" % (
            self.api_url, urllib.parse.quote(namespace, safe=""), urllib.parse.quote(secret, safe=""))

    def rewrite(self, name, attempts=3):
        """Write one Secret again; False when it was deleted meanwhile. A conflict (written by
        someone else since it was read) reads it again."""
        url = self._url(name)
        for _attempt in range(attempts):
            resp = self.http.get(url)
            if resp.status == 404:
                return False
            if resp.status != 200:
                raise TlsHttpError("Reading Secret %s from %s answered HTTP %s: %s"
                                   % (name, url, resp.status, resp.text.strip()[:200]), url=url, kind="http")
            resp = self.http.request("PUT", url, payload=resp.json())
            if resp.status == 200:
                return True
            if resp.status == 404:
                return False
            if resp.status != 409:
                raise TlsHttpError("Writing Secret %s to %s answered HTTP %s: %s"
                                   % (name, url, resp.status, resp.text.strip()[:200]), url=url, kind="http")
        raise TlsHttpError("Secret %s changed under every one of %d attempts to write it again" % (name, attempts),
                           url=url, kind="conflict")


class SecretsEncryption:
    """Report the key every Secret is stored under; with a writer, rewrite those not under ``key``."""

    def __init__(self, etcd, writer=None, key=None):
        self.etcd = etcd
        self.writer = writer
        self.key = key

    def not_under_key(self, stored):
        return sorted(name for name, key in stored.items() if self.key and key != self.key)

    def run(self, rewrite=False, check_mode=False):
        """Return (failed, result)."""
        stored = self.etcd.read()
        result = {"changed": False, "rewritten": [], "key": self.key}
        if rewrite and check_mode:
            result["rewritten"] = self.not_under_key(stored)
            result["changed"] = bool(result["rewritten"])
        elif rewrite and self.not_under_key(stored):
            result["rewritten"] = [name for name in self.not_under_key(stored) if self.writer.rewrite(name)]
            result["changed"] = bool(result["rewritten"])
            stored = self.etcd.read()
        left = self.not_under_key(stored)
        result.update(secrets=len(stored), keys=count_by_key(stored), not_under_key=left)
        result["msg"] = "%d Secrets, stored under %s" % (
            len(stored), ", ".join("%s (%d)" % item for item in sorted(result["keys"].items())) or "no key")
        if left and not (rewrite and check_mode):
            result["msg"] = "%d of %d Secrets are not stored under %s: %s" % (
                len(left), len(stored), self.key, ", ".join("%s (%s)" % (n, stored[n]) for n in left[:10]))
            if rewrite:
                result["msg"] += "; written again, they stayed where they were (is %s every apiserver's write key?)" % self.key
            return True, result
        return False, result
