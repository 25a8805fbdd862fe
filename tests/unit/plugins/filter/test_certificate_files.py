"""The certificate_files filter: the controller's certificates, keys and kubeconfigs as host_files entries."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.fromscratch.kubernetes.plugins.filter.files_to_copy import FilterModule, ca_trust, certificate_files


@pytest.fixture
def pki(tmp_path):
    (tmp_path / "ca.crt").write_text("CA CERT\n")
    (tmp_path / "server.key").write_text("SERVER KEY\n")
    (tmp_path / "kubeconfigs").mkdir()
    (tmp_path / "kubeconfigs" / "admin.kubeconfig").write_text("KUBECONFIG\n")
    return tmp_path


def test_entries_carry_the_content_and_private_files_are_0600(pki):
    wanted = [{"src": "ca.crt", "dest": "ca.crt"},
              {"src": "server.key", "dest": "server.key", "owner": "etcd", "group": "etcd"},
              {"src": "kubeconfigs/admin.kubeconfig", "dest": "/etc/kubernetes/admin.kubeconfig"}]
    assert certificate_files(wanted, str(pki), "/etc/pki") == [
        {"path": "/etc/pki/ca.crt", "content": "CA CERT\n", "mode": "0644", "owner": "root", "group": "root"},
        {"path": "/etc/pki/server.key", "content": "SERVER KEY\n", "mode": "0600", "owner": "etcd", "group": "etcd"},
        {"path": "/etc/kubernetes/admin.kubeconfig", "content": "KUBECONFIG\n", "mode": "0600",
         "owner": "root", "group": "root"},
    ]


def test_an_explicit_mode_wins(pki):
    assert certificate_files([{"src": "server.key", "dest": "k", "mode": "0640"}], str(pki), "/x")[0]["mode"] == "0640"


def test_a_trusted_ca_is_the_rotation_bundle_while_there_is_one(pki):
    wanted = [{"src": "ca.crt", "dest": "ca.crt", "trust": True}, {"src": "ca.crt", "dest": "signer.crt"}]
    assert [entry["content"] for entry in certificate_files(wanted, str(pki), "/etc/x")] == ["CA CERT\n"] * 2
    (pki / "ca-trust.crt").write_text("OLD\nCA CERT\n")
    # The trusted copy is the bundle; the signer stays the one CA certificate.
    rotating = certificate_files(wanted, str(pki), "/etc/x")
    assert [entry["content"] for entry in rotating] == ["OLD\nCA CERT\n", "CA CERT\n"]
    assert all("trust" not in entry for entry in rotating)
    assert ca_trust(str(pki / "ca.crt")) == str(pki / "ca-trust.crt")
    assert ca_trust(str(pki / "etcd" / "ca.crt")) == str(pki / "etcd" / "ca.crt")
    with pytest.raises(AnsibleFilterError, match="path of a CA certificate"):
        ca_trust(None)


def test_a_missing_file_is_a_sentence(pki):
    with pytest.raises(AnsibleFilterError, match="cannot read .*missing.crt on the controller"):
        certificate_files([{"src": "missing.crt", "dest": "/x"}], str(pki))


@pytest.mark.parametrize("files, message", [
    ("ca.crt", "expects a list of files"),
    ([{"src": "ca.crt"}], "every file needs src and dest"),
])
def test_bad_input_is_a_sentence(files, message):
    with pytest.raises(AnsibleFilterError, match=message):
        certificate_files(files)


def test_registered_under_their_names():
    filters = FilterModule().filters()
    assert filters["certificate_files"] is certificate_files
    assert filters["ca_trust"] is ca_trust


def test_a_file_named_kubeconfig_is_private_and_a_home_folder_is_expanded(pki, monkeypatch):
    monkeypatch.setenv("HOME", str(pki))
    entry = certificate_files([{"src": "~/kubeconfigs/admin.kubeconfig", "dest": "kubeconfig"}], "", "/var/lib/kube-proxy")[0]
    assert entry["path"] == "/var/lib/kube-proxy/kubeconfig" and entry["mode"] == "0600"
    assert entry["content"] == "KUBECONFIG\n"
