"""Host state of an etcd member, as the etcd role leaves it."""

import os

import pytest
import yaml

# The etcd role's defaults (the release the scenarios install).
with open(os.path.join(os.path.dirname(__file__), "..", "..", "..", "roles", "etcd", "defaults", "main.yml")) as f:
    SETTINGS = yaml.safe_load(f)


def test_etcd_unit_enabled_and_running(host):
    service = host.service("etcd")
    assert service.is_enabled
    assert service.is_running


def test_unit_is_notify_and_restarts(host):
    unit = host.file("/etc/systemd/system/etcd.service").content_string
    assert "Type=notify" in unit
    assert "Restart=always" in unit
    assert "--client-cert-auth=true" in unit
    assert "--peer-client-cert-auth=true" in unit


def test_runs_as_etcd_user(host):
    assert host.user("etcd").shell == "/usr/sbin/nologin"
    procs = host.process.filter(comm="etcd")
    assert procs, "no etcd process"
    assert all(p.user == "etcd" for p in procs)


def test_data_dir_is_private(host):
    data = host.file("/var/lib/etcd")
    assert data.is_directory
    assert data.user == "etcd"
    assert data.mode == 0o700


@pytest.mark.parametrize("name,owner", [
    ("server.key", "etcd"),
    ("peer.key", "etcd"),
    ("healthcheck-client.key", "root"),
])
def test_private_keys_are_0600(host, name, owner):
    key = host.file("/etc/etcd/pki/" + name)
    assert key.exists
    assert key.mode == 0o600
    assert key.user == owner


def test_no_ca_key_on_the_host(host):
    assert not host.file("/etc/etcd/pki/ca.key").exists


def test_listens_on_node_ip_and_loopback_only_with_tls(host):
    addresses = host.interface("eth0").addresses
    node_ip = next(a for a in addresses if ":" not in a)
    assert host.socket("tcp://%s:2379" % node_ip).is_listening
    assert host.socket("tcp://127.0.0.1:2379").is_listening
    assert host.socket("tcp://%s:2380" % node_ip).is_listening
    assert not host.socket("tcp://0.0.0.0:2379").is_listening


def test_binaries_are_the_requested_release(host):
    out = host.check_output("/usr/local/bin/etcd --version")
    assert "etcd Version: %s" % SETTINGS["etcd_version"] in out
