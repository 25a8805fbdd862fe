"""The etcd_health module: verdict, failure and its sentences (run() with fakes, main() for real)."""

import ssl

from ansible_collections.fromscratch.kubernetes.plugins.modules import etcd_health
from ansible_collections.fromscratch.kubernetes.plugins.module_utils.tls_http import TlsHttpError

from conftest import COLLECTIONS
from fakes import EPS, FakeHttp, healthy_cluster, run_module_file

PARAMS = {"endpoints": list(EPS.values()), "ca_cert": "/ca.crt", "client_cert": "/c.crt", "client_key": "/c.key",
          "timeout": 5.0, "expected_members": 3, "wait": False, "wait_timeout": 120, "fail_on_unhealthy": True}


def factory(routes):
    return lambda **kwargs: FakeHttp(routes)


def test_healthy_cluster_passes_with_summary():
    failed, result = etcd_health.run(dict(PARAMS), client_factory=factory(healthy_cluster()))
    assert not failed
    assert result["msg"] == "etcd is healthy: 3 members, leader etcd2"
    assert result["attempts"] == 1


def test_unhealthy_cluster_fails_with_each_problem():
    routes = healthy_cluster()
    routes[EPS["etcd1"] + "/health"] = TlsHttpError("Connection refused by https://10.0.0.11:2379: nothing listens there")
    failed, result = etcd_health.run(dict(PARAMS), client_factory=factory(routes))
    assert failed
    assert result["msg"].startswith("etcd is not healthy: Connection refused by https://10.0.0.11:2379")
    assert result["endpoints"][0]["reachable"] is False


def test_report_only_does_not_fail():
    routes = healthy_cluster()
    routes[EPS["etcd1"] + "/health"] = TlsHttpError("Timed out")
    failed, result = etcd_health.run(dict(PARAMS, fail_on_unhealthy=False), client_factory=factory(routes))
    assert not failed and not result["healthy"]


def test_bad_client_identity_fails_before_any_request():
    def broken(**kwargs):
        raise TlsHttpError("Cannot load the client certificate /c.crt with key /c.key: No such file or directory")
    failed, result = etcd_health.run(dict(PARAMS), client_factory=broken)
    assert failed and result["msg"].startswith("Cannot load the client certificate /c.crt")


def run_module(args, tmp_path):
    """Run the module file as Ansible would, with its arguments in a file."""
    return run_module_file(etcd_health.__file__, args, tmp_path, COLLECTIONS)


def test_main_refused_port_fails_with_sentence_not_traceback(tmp_path):
    ca = tmp_path / "ca.crt"
    ca.write_text(open(ssl_cafile()).read())
    # Port 1 on loopback: nothing listens there, the kernel refuses at once.
    result, proc = run_module({"endpoints": ["https://127.0.0.1:1"], "ca_cert": str(ca), "timeout": 2}, tmp_path)
    assert result["failed"] is True
    assert result["msg"] == ("etcd is not healthy: Connection refused by https://127.0.0.1:1/health: nothing "
                             "listens there. No endpoint answered, so the member list and alarms are unknown.")
    assert "Traceback" not in proc.stdout + proc.stderr


def test_main_rejects_half_an_identity(tmp_path):
    result = run_module({"endpoints": ["https://127.0.0.1:1"], "ca_cert": "/x", "client_cert": "/c.crt"}, tmp_path)[0]
    assert result["failed"] is True
    assert "parameters are required together: client_cert, client_key" in result["msg"]


def test_main_missing_ca_is_a_sentence(tmp_path):
    result = run_module({"endpoints": ["https://127.0.0.1:1"], "ca_cert": str(tmp_path / "none.crt")}, tmp_path)[0]
    assert result["failed"] is True
    assert result["msg"].startswith("Cannot load the CA bundle %s" % (tmp_path / "none.crt"))


def ssl_cafile():
    path = ssl.get_default_verify_paths().cafile or "/etc/ssl/certs/ca-certificates.crt"
    return path
