"""The secrets_encryption module: which key each Secret is under (raw etcd values), and moving the
Secrets that are not under the write key (run() with an in-memory etcd and API)."""

import base64
import json

from ansible_collections.fromscratch.kubernetes.plugins.module_utils.secrets_encryption import key_of, prefix_end
from ansible_collections.fromscratch.kubernetes.plugins.module_utils.tls_http import HttpResponse, TlsHttpError
from ansible_collections.fromscratch.kubernetes.plugins.modules import secrets_encryption

ETCD = "https://10.0.0.11:2379"
API = "https://10.0.0.11:6443"
PARAMS = {"etcd_endpoints": [ETCD], "etcd_ca_cert": "/e/ca.crt", "etcd_client_cert": "/e/c.crt",
          "etcd_client_key": "/e/c.key", "key": "secretbox:key2", "rewrite": False, "api_url": API,
          "api_ca_cert": "/ca.crt", "api_client_cert": "/admin.crt", "api_client_key": "/admin.key", "timeout": 10.0}


class Cluster:
    """etcd's /v3/kv/range over a dict of raw values, and an API whose PUT stores under `writer`."""

    def __init__(self, stored, writer="secretbox:key2", page=2, conflicts=0):
        self.stored = dict(stored)  # "ns/name" -> raw value (bytes)
        self.writer = writer
        self.page = page
        self.conflicts = conflicts
        self.puts = []

    def value(self, key):
        provider, name = key.split(":")
        return b"k8s:enc:%s:v1:%s:\x00\xffciphertext" % (provider.encode(), name.encode())

    def post_json(self, url, payload):
        assert url == ETCD + "/v3/kv/range"
        start = base64.b64decode(payload["key"])
        end = base64.b64decode(payload["range_end"])
        assert end == prefix_end(b"/registry/secrets/")
        keys = sorted(k for k in ("/registry/secrets/" + n for n in self.stored) if start <= k.encode() < end)
        page = keys[:payload["limit"] if payload["limit"] < self.page else self.page]
        kvs = [{"key": base64.b64encode(k.encode()).decode(),
                "value": base64.b64encode(self.stored[k[len("/registry/secrets/"):]]).decode()} for k in page]
        body = {"kvs": kvs, "count": str(len(keys))}
        if len(keys) > len(page):
            body["more"] = True
        return HttpResponse(url, 200, json.dumps(body).encode())

    def get(self, url):
        name = url[len(API + "/api/v1/namespaces/"):].replace("/secrets/", "/")
        if name not in self.stored:
            return HttpResponse(url, 404, b'{"kind":"Status","code":404}')
        return HttpResponse(url, 200, json.dumps({"metadata": {"name": name}}).encode())

    def request(self, method, url, payload=None):
        assert method == "PUT"
        name = url[len(API + "/api/v1/namespaces/"):].replace("/secrets/", "/")
        self.puts.append(name)
        if self.conflicts:
            self.conflicts -= 1
            return HttpResponse(url, 409, b'{"kind":"Status","code":409}')
        self.stored[name] = self.value(self.writer)
        return HttpResponse(url, 200, json.dumps(payload).encode())


def run(cluster, check_mode=False, **params):
    return secrets_encryption.run(dict(PARAMS, **params), check_mode=check_mode, client_factory=lambda **kw: cluster)


def test_key_of_names_provider_and_key_or_identity():
    assert key_of(b"k8s:enc:aescbc:v1:key1:\x01\x02") == "aescbc:key1"
    assert key_of(b"k8s:enc:secretbox:v1:key2:") == "secretbox:key2"
    assert key_of(b"k8s\x00\n\x0c\n\x02v1\x12\x06Secret") == "identity"


def test_report_counts_every_secret_across_pages_by_key():
    cluster = Cluster({})
    cluster.stored = {"default/a": cluster.value("aescbc:key1"), "default/b": cluster.value("secretbox:key2"),
                      "kube-system/c": b"k8s\x00plain", "kube-system/d": cluster.value("secretbox:key2"),
                      "x/e": cluster.value("secretbox:key2")}
    failed, result = run(cluster, key=None)
    assert not failed
    assert result["secrets"] == 5
    assert result["keys"] == {"aescbc:key1": 1, "secretbox:key2": 3, "identity": 1}
    assert result["msg"] == "5 Secrets, stored under aescbc:key1 (1), identity (1), secretbox:key2 (3)"


def test_a_secret_under_another_key_fails_naming_it():
    cluster = Cluster({})
    cluster.stored = {"default/a": cluster.value("aescbc:key1"), "default/b": cluster.value("secretbox:key2")}
    failed, result = run(cluster)
    assert failed
    assert result["not_under_key"] == ["default/a"]
    assert result["msg"] == "1 of 2 Secrets are not stored under secretbox:key2: default/a (aescbc:key1)"


def test_rewrite_moves_only_the_secrets_not_under_the_key_and_a_second_run_changes_nothing():
    cluster = Cluster({})
    cluster.stored = {"default/a": cluster.value("aescbc:key1"), "default/b": cluster.value("secretbox:key2"),
                      "kube-system/c": b"k8s\x00plain"}
    failed, result = run(cluster, rewrite=True)
    assert not failed and result["changed"]
    assert result["rewritten"] == ["default/a", "kube-system/c"]
    assert cluster.puts == ["default/a", "kube-system/c"]
    assert result["keys"] == {"secretbox:key2": 3} and result["not_under_key"] == []
    failed, result = run(cluster, rewrite=True)
    assert not failed and not result["changed"] and cluster.puts == ["default/a", "kube-system/c"]


def test_check_mode_reports_what_it_would_write_and_writes_nothing():
    cluster = Cluster({})
    cluster.stored = {"default/a": cluster.value("aescbc:key1")}
    failed, result = run(cluster, check_mode=True, rewrite=True)
    assert not failed and result["changed"] and result["rewritten"] == ["default/a"]
    assert cluster.puts == []


def test_a_conflict_reads_the_secret_again():
    cluster = Cluster({}, conflicts=1)
    cluster.stored = {"default/a": cluster.value("aescbc:key1")}
    failed, result = run(cluster, rewrite=True)
    assert not failed and cluster.puts == ["default/a", "default/a"]


def test_an_apiserver_that_still_writes_the_old_key_fails_with_a_sentence():
    cluster = Cluster({}, writer="aescbc:key1")
    cluster.stored = {"default/a": cluster.value("aescbc:key1")}
    failed, result = run(cluster, rewrite=True)
    assert failed
    assert result["msg"] == ("1 of 1 Secrets are not stored under secretbox:key2: default/a (aescbc:key1); written "
                             "again, they stayed where they were (is secretbox:key2 every apiserver's write key?)")


def test_etcd_unreachable_fails_with_a_sentence():
    class Down:
        def post_json(self, url, payload):
            raise TlsHttpError("Connection refused by %s: nothing listens there" % ETCD)
    failed, result = secrets_encryption.run(dict(PARAMS), client_factory=lambda **kw: Down())
    assert failed
    assert result["msg"] == ("No etcd endpoint answered the read of /registry/secrets/: Connection refused by "
                             "https://10.0.0.11:2379: nothing listens there")
