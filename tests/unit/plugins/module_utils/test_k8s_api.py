"""module_utils/k8s_api.py and the k8s_health module, against recorded answers (no network)."""

import json

import pytest

from ansible_collections.fromscratch.kubernetes.plugins.module_utils import k8s_api
from ansible_collections.fromscratch.kubernetes.plugins.module_utils.tls_http import HttpResponse, TlsHttpError
from ansible_collections.fromscratch.kubernetes.plugins.modules import k8s_health

API = "https://10.0.0.2:6443"
READYZ_OK = "[+]ping ok\n[+]log ok\n[+]etcd ok\n[+]poststarthook/rbac/bootstrap-roles ok\nreadyz check passed\n"
READYZ_ETCD_DOWN = "[+]ping ok\n[-]etcd failed: reason withheld\n[+]log ok\nreadyz check failed\n"
VERSION = {"major": "1", "minor": "20", "gitVersion": "v1.20.2", "platform": "linux/amd64", "goVersion": "go1.19.8"}


class Http:
    def __init__(self, routes):
        self.routes = routes

    def get(self, url):
        answer = self.routes.get(url, (404, "404 page not found"))
        if isinstance(answer, Exception):
            raise answer
        status, body = answer
        return HttpResponse(url, status, (body if isinstance(body, str) else json.dumps(body)).encode())


def api_routes(readyz=(200, READYZ_OK)):
    return {API + "/livez?verbose": (200, READYZ_OK.replace("readyz", "livez")),
            API + "/readyz?verbose": readyz, API + "/version": (200, VERSION)}


def test_verbose_lines_become_checks():
    checks = k8s_api.parse_verbose(READYZ_ETCD_DOWN)
    assert checks == [{"name": "ping", "ok": True, "detail": "ok"},
                      {"name": "etcd", "ok": False, "detail": "failed: reason withheld"},
                      {"name": "log", "ok": True, "detail": "ok"}]


def test_healthy_apiserver():
    result = k8s_api.HealthEndpoint(API, Http(api_routes()), "admin").check()
    assert result["healthy"] and result["live"] and result["ready"]
    assert result["endpoint_used"] == ["/livez", "/readyz"]
    assert [c["name"] for c in result["checks"]["readyz"]] == ["ping", "log", "etcd", "poststarthook/rbac/bootstrap-roles"]
    assert result["version"]["git_version"] == "v1.20.2"


def test_failed_etcd_check_is_named():
    result = k8s_api.HealthEndpoint(API, Http(api_routes(readyz=(500, READYZ_ETCD_DOWN))), "admin").check()
    assert result["live"] and not result["ready"] and not result["healthy"]
    assert result["failed_checks"] == ["readyz/etcd"]


def test_server_without_livez_and_readyz_falls_back_to_healthz():
    url = "https://127.0.0.1:10257"
    result = k8s_api.HealthEndpoint(url, Http({url + "/healthz?verbose": (200, "[+]leaderElection ok\nhealthz check passed\n"),
                                               url + "/version": (403, "forbidden")}), "anonymous").check()
    assert result["healthy"]
    assert result["endpoint_used"] == ["/healthz"]
    assert result["version"] is None


@pytest.mark.parametrize("status,start", [
    (401, "https://10.0.0.2:6443/livez?verbose answered 401 Unauthorized: the server did not accept the client certificate /c.crt"),
    (403, "https://10.0.0.2:6443/livez?verbose answered 403 Forbidden: the client certificate /c.crt is not allowed"),
])
def test_denials_name_the_identity(status, start):
    routes = api_routes()
    routes[API + "/livez?verbose"] = (status, '{"kind":"Status"}')
    result = k8s_api.HealthEndpoint(API, Http(routes), "the client certificate /c.crt").check()
    assert not result["healthy"]
    assert result["error"].startswith(start), result["error"]


def test_transport_error_is_kept_as_sentence():
    routes = {API + "/livez?verbose": TlsHttpError("Connection refused by https://10.0.0.2:6443/livez?verbose: nothing listens there")}
    result = k8s_api.HealthEndpoint(API, Http(routes), "admin").check()
    assert not result["reachable"]
    assert result["error"].startswith("Connection refused by")


PARAMS = {"url": API, "ca_cert": "/ca.crt", "client_cert": "/c.crt", "client_key": "/c.key", "token": None,
          "timeout": 5.0, "wait": False, "wait_timeout": 120, "fail_on_unhealthy": True}


def test_module_reports_version_when_healthy():
    failed, result = k8s_health.run(dict(PARAMS), client_factory=lambda **kw: Http(api_routes()))
    assert not failed
    assert result["msg"] == "https://10.0.0.2:6443 is live and ready (v1.20.2)"


def test_module_fails_naming_failed_checks():
    def factory(**kwargs):
        return Http(api_routes(readyz=(500, READYZ_ETCD_DOWN)))
    failed, result = k8s_health.run(dict(PARAMS), client_factory=factory)
    assert failed
    assert result["msg"] == "https://10.0.0.2:6443 is not healthy: failed checks: readyz/etcd"


def test_module_identity_sentences():
    assert k8s_health.identity_of(dict(PARAMS)) == "the client certificate /c.crt"
    assert k8s_health.identity_of(dict(PARAMS, client_cert=None, token="t")) == "the bearer token given"
    assert k8s_health.identity_of(dict(PARAMS, client_cert=None)) == "an anonymous request"
