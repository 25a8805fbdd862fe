"""Error sentences and request handling of module_utils/tls_http.py (no network)."""

import errno
import io
import socket
import ssl
import urllib.error

import pytest

from ansible_collections.fromscratch.kubernetes.plugins.module_utils import tls_http

URL = "https://10.0.0.2:2379/health"


def verify_error():
    exc = ssl.SSLCertVerificationError(1, "certificate verify failed")
    exc.verify_message = "unable to get local issuer certificate"
    return exc


@pytest.mark.parametrize("exc,kind,sentence", [
    (urllib.error.URLError(verify_error()), "tls_verify",
     "TLS verification failed for https://10.0.0.2:2379/health: unable to get local issuer certificate"),
    (ssl.SSLError(1, "[SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] tlsv13 alert certificate required"), "tls_handshake",
     "TLS handshake with https://10.0.0.2:2379/health failed: [SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED]"),
    (urllib.error.URLError(ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")), "refused",
     "Connection refused by https://10.0.0.2:2379/health: nothing listens there"),
    (ConnectionResetError(errno.ECONNRESET, "Connection reset by peer"), "reset",
     "Connection reset by https://10.0.0.2:2379/health"),
    (urllib.error.URLError(socket.timeout("timed out")), "timeout",
     "Timed out after 3s talking to https://10.0.0.2:2379/health"),
    (TimeoutError("The read operation timed out"), "timeout", "Timed out after 3s"),
    (urllib.error.URLError(socket.gaierror(-2, "Name or service not known")), "dns",
     "Cannot resolve the host of https://10.0.0.2:2379/health: Name or service not known"),
    (urllib.error.URLError(OSError(errno.EHOSTUNREACH, "No route to host")), "unreachable", "No route to"),
    (urllib.error.URLError("something odd"), "error", "Request to https://10.0.0.2:2379/health failed: something odd"),
])
def test_transport_errors_become_sentences(exc, kind, sentence):
    err = tls_http.describe_error(URL, exc, 3)
    assert err.kind == kind
    assert str(err).startswith(sentence), str(err)
    assert err.url == URL


def test_missing_ca_bundle_is_a_sentence(tmp_path):
    with pytest.raises(tls_http.TlsHttpError) as info:
        tls_http.TlsHttpClient(ca_path=str(tmp_path / "nope.crt"))
    assert str(info.value).startswith("Cannot load the CA bundle %s" % (tmp_path / "nope.crt"))


def test_missing_client_certificate_is_a_sentence(tmp_path):
    with pytest.raises(tls_http.TlsHttpError) as info:
        tls_http.TlsHttpClient(cert_path=str(tmp_path / "c.crt"), key_path=str(tmp_path / "c.key"))
    assert "Cannot load the client certificate" in str(info.value)
    assert str(tmp_path / "c.key") in str(info.value)


class Opener:
    def __init__(self, outcome):
        self.outcome = outcome
        self.requests = []

    def open(self, req, timeout):
        self.requests.append((req, timeout))
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return self.outcome


class Answer(io.BytesIO):
    status = 200
    headers = {"Content-Type": "application/json"}


def client_with(outcome, **kwargs):
    client = tls_http.TlsHttpClient(**kwargs)
    client._opener = Opener(outcome)
    return client


def test_post_sends_json_and_reads_json():
    client = client_with(Answer(b'{"health": "true"}'), token="s3cret", timeout=2)
    resp = client.post_json(URL, {"action": "GET"})
    req, timeout = client._opener.requests[0]
    assert req.get_method() == "POST" and req.data == b'{"action": "GET"}'
    assert req.get_header("Content-type") == "application/json"
    assert req.get_header("Authorization") == "Bearer s3cret"
    assert timeout == 2
    assert resp.status == 200 and resp.json() == {"health": "true"}


def test_http_error_statuses_are_answers_not_exceptions():
    error = urllib.error.HTTPError(URL, 403, "Forbidden", {}, io.BytesIO(b'{"kind":"Status"}'))
    resp = client_with(error).get(URL)
    assert resp.status == 403 and resp.json() == {"kind": "Status"}


def test_transport_failure_raises_sentence():
    with pytest.raises(tls_http.TlsHttpError) as info:
        client_with(urllib.error.URLError(ConnectionRefusedError(errno.ECONNREFUSED, "refused"))).get(URL)
    assert info.value.kind == "refused"


def test_non_json_answer_is_a_sentence():
    resp = tls_http.HttpResponse(URL, 200, b"<html>")
    with pytest.raises(tls_http.TlsHttpError) as info:
        resp.json()
    assert str(info.value).startswith("The answer from %s is not JSON" % URL)
