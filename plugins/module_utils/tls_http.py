# -*- coding: utf-8 -*-
# Copyright: fromscratch.kubernetes contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTPS client for the health modules: mutual TLS with CA verification, Python standard library only.

Every failure becomes a ``TlsHttpError`` whose message is one sentence naming the URL and what
went wrong (refused, TLS verification, handshake, timeout, name resolution), so modules can pass
it to ``fail_json`` unchanged instead of a traceback.
"""

from __future__ import annotations

import errno
import json
import socket
import ssl
import urllib.error
import urllib.request


class TlsHttpError(Exception):
    """A request failed; ``str(error)`` is a sentence fit for a user."""

    def __init__(self, message, url=None, kind="error"):
        super().__init__(message)
        self.url = url
        self.kind = kind


class HttpResponse:
    """Status, headers and body of an answered request (any status, 4xx and 5xx included)."""

    def __init__(self, url, status, body, headers=None):
        self.url = url
        self.status = status
        self.body = body
        self.headers = headers or {}

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        try:
            return json.loads(self.text)
        except ValueError as exc:
            raise TlsHttpError(
                "The answer from %s is not JSON (%s): %s" % (self.url, exc, self.text[:200]),
                url=self.url,
                kind="protocol",
            )


def _reason(exc):
    """The most specific human text an exception carries."""
    for attr in ("verify_message", "reason", "strerror"):
        value = getattr(exc, attr, None)
        if value and not isinstance(value, BaseException):
            return str(value)
    text = str(exc)
    return text or exc.__class__.__name__


def describe_error(url, exc, timeout):
    """Map a transport exception to a ``TlsHttpError`` with a one-sentence message."""
    inner = exc.reason if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError) else exc
    if isinstance(inner, ssl.SSLCertVerificationError):
        return TlsHttpError("TLS verification failed for %s: %s" % (url, _reason(inner)), url, "tls_verify")
    if isinstance(inner, ssl.SSLError):
        return TlsHttpError(
            "TLS handshake with %s failed: %s (does the server require a client certificate this "
            "request did not present, or one signed by another CA?)" % (url, _reason(inner)),
            url,
            "tls_handshake",
        )
    if isinstance(inner, ConnectionRefusedError) or getattr(inner, "errno", None) == errno.ECONNREFUSED:
        return TlsHttpError("Connection refused by %s: nothing listens there" % url, url, "refused")
    if isinstance(inner, ConnectionResetError):
        return TlsHttpError(
            "Connection reset by %s: the server closed it (often a TLS client-certificate rejection)" % url,
            url,
            "reset",
        )
    if isinstance(inner, (socket.timeout, TimeoutError)):
        return TlsHttpError("Timed out after %ss talking to %s" % (timeout, url), url, "timeout")
    if isinstance(inner, socket.gaierror):
        return TlsHttpError("Cannot resolve the host of %s: %s" % (url, _reason(inner)), url, "dns")
    if isinstance(inner, OSError) and getattr(inner, "errno", None) in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return TlsHttpError("No route to %s: %s" % (url, _reason(inner)), url, "unreachable")
    return TlsHttpError("Request to %s failed: %s" % (url, _reason(inner)), url, "error")


class TlsHttpClient:
    """Sends requests with one TLS identity; reusable across URLs."""

    def __init__(self, ca_path=None, cert_path=None, key_path=None, timeout=5.0, token=None):
        self.ca_path = ca_path
        self.cert_path = cert_path
        self.key_path = key_path
        self.timeout = timeout
        self.token = token
        self._context = self._make_context()
        # No proxies: health checks talk to cluster addresses directly.
        self._opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPSHandler(context=self._context),
        )

    def _make_context(self):
        try:
            context = ssl.create_default_context(cafile=self.ca_path)
        except (OSError, ssl.SSLError) as exc:
            raise TlsHttpError("Cannot load the CA bundle %s: %s" % (self.ca_path, _reason(exc)), kind="config")
        if self.cert_path:
            try:
                context.load_cert_chain(self.cert_path, self.key_path)
            except (OSError, ssl.SSLError) as exc:
                raise TlsHttpError(
                    "Cannot load the client certificate %s with key %s: %s"
                    % (self.cert_path, self.key_path or self.cert_path, _reason(exc)),
                    kind="config",
                )
        return context

    def request(self, method, url, payload=None, headers=None):
        """Send one request; return an ``HttpResponse`` for every HTTP answer, raise ``TlsHttpError`` otherwise."""
        data = None
        all_headers = {"Accept": "application/json"}
        if payload is not None:
            data = json.dumps(payload).encode("utf-8")
            all_headers["Content-Type"] = "application/json"
        if self.token:
            all_headers["Authorization"] = "Bearer %s" % self.token
        all_headers.update(headers or {})
        req = urllib.request.Request(url, data=data, headers=all_headers, method=method)
        try:
            with self._opener.open(req, timeout=self.timeout) as resp:
                return HttpResponse(url, resp.status, resp.read(), dict(resp.headers))
        except urllib.error.HTTPError as exc:
            body = exc.read() if exc.fp is not None else b""
            return HttpResponse(url, exc.code, body, dict(exc.headers or {}))
        except (urllib.error.URLError, OSError, ssl.SSLError) as exc:
            raise describe_error(url, exc, self.timeout)

    def get(self, url):
        return self.request("GET", url)

    def post_json(self, url, payload):
        return self.request("POST", url, payload=payload)


def health_argument_spec(**extra):
    """argument_spec options every health module shares (documented in the health_check doc
    fragment), plus the module's own."""
    spec = dict(
        ca_cert=dict(type="path", required=True),
        client_cert=dict(type="path"),
        client_key=dict(type="path", no_log=False),
        timeout=dict(type="float", default=5),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=120),
        fail_on_unhealthy=dict(type="bool", default=True),
    )
    spec.update(extra)
    return spec
