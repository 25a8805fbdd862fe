# -*- coding: utf-8 -*-
# Copyright: fromscratch.kubernetes contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Health of a Kubernetes API server (``/livez``, ``/readyz``, ``/version``) or of a component's
secure port (controller-manager 10257, scheduler 10259), through ``TlsHttpClient``; ``/healthz`` where
a server has no ``/livez`` and ``/readyz`` (the controller-manager's port).

``?verbose`` answers list one check per line: ``[+]etcd ok`` or ``[-]etcd failed: reason withheld``.
"""

from __future__ import annotations

import re

from ansible_collections.fromscratch.kubernetes.plugins.module_utils.tls_http import TlsHttpError

CHECK_LINE = re.compile(r"^\[(?P<sign>[+-])\](?P<name>\S+)\s+(?P<rest>.*)$")


def parse_verbose(text):
    """Checks of a ``?verbose`` answer: [{name, ok, detail}] in the order listed."""
    checks = []
    for line in text.splitlines():
        match = CHECK_LINE.match(line.strip())
        if match:
            rest = match.group("rest").strip()
            checks.append({
                "name": match.group("name"),
                "ok": match.group("sign") == "+",
                "detail": rest,
            })
    return checks


def describe_denial(status, identity, url, body):
    """401 and 403 as sentences that name the identity used."""
    if status == 401:
        return ("%s answered 401 Unauthorized: the server did not accept %s (wrong CA for the client "
                "certificate, an expired certificate, or a bad token)." % (url, identity))
    return "%s answered 403 Forbidden: %s is not allowed to read it (%s)." % (url, identity, body.strip()[:200])


class HealthEndpoint:
    """One server; ``check()`` reads its health endpoints and returns structured data."""

    def __init__(self, base_url, http, identity, endpoints=("livez", "readyz")):
        self.base_url = base_url.rstrip("/")
        self.http = http
        self.identity = identity
        self.endpoints = endpoints

    def _read(self, path):
        url = "%s/%s?verbose" % (self.base_url, path)
        resp = self.http.get(url)
        if resp.status in (401, 403):
            raise TlsHttpError(describe_denial(resp.status, self.identity, url, resp.text), url=url, kind="denied")
        if resp.status == 404:
            return None
        if resp.status not in (200, 500, 503):
            raise TlsHttpError("%s answered HTTP %s: %s" % (url, resp.status, resp.text.strip()[:200]), url=url,
                               kind="http")
        checks = parse_verbose(resp.text)
        return {"ok": resp.status == 200, "checks": checks, "failed": [c["name"] for c in checks if not c["ok"]]}

    def version(self):
        resp = self.http.get(self.base_url + "/version")
        if resp.status != 200:
            return None
        data = resp.json()
        return {
            "git_version": data.get("gitVersion"),
            "major": data.get("major"),
            "minor": data.get("minor"),
            "platform": data.get("platform"),
            "go_version": data.get("goVersion"),
        }

    def check(self):
        result = {"url": self.base_url, "reachable": False, "live": False, "ready": False, "healthy": False,
                  "checks": {}, "failed_checks": [], "version": None, "endpoint_used": [], "error": None}
        try:
            answers = {}
            for path in self.endpoints:
                answers[path] = self._read(path)
            result["reachable"] = True
            if any(answer is None for answer in answers.values()):
                # Servers without livez/readyz (the controller-manager's port) answer /healthz only.
                answers = {"healthz": self._read("healthz")}
                if answers["healthz"] is None:
                    raise TlsHttpError("%s has none of /livez, /readyz, /healthz." % self.base_url, kind="http")
            for path, answer in answers.items():
                result["endpoint_used"].append("/" + path)
                result["checks"][path] = answer["checks"]
                result["failed_checks"].extend("%s/%s" % (path, name) for name in answer["failed"])
            ok = dict((path, answer["ok"]) for path, answer in answers.items())
            result["live"] = ok.get("livez", ok.get("healthz", False))
            result["ready"] = ok.get("readyz", ok.get("healthz", False))
            result["healthy"] = result["live"] and result["ready"]
            result["version"] = self.version()
        except TlsHttpError as exc:
            result["error"] = str(exc)
        return result
