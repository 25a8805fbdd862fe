"""The files_to_copy filter: which controller files a host lacks or has with other content or attributes."""

import hashlib

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.fromscratch.kubernetes.plugins.filter.files_to_copy import FilterModule, files_to_copy


def _found(entries):
    return {"changed": False, "files": entries, "matched": len(entries)}


def _in_place(path, content, mode="0644", owner="root", group="root"):
    return {"path": path, "checksum": hashlib.sha1(content).hexdigest(), "mode": mode,
            "pw_name": owner, "gr_name": group}


@pytest.fixture
def pki(tmp_path):
    (tmp_path / "ca.crt").write_bytes(b"CA CERT\n")
    (tmp_path / "server.key").write_bytes(b"SERVER KEY\n")
    (tmp_path / "admin.kubeconfig").write_bytes(b"KUBECONFIG\n")
    return tmp_path


def test_nothing_to_copy_when_everything_matches(pki):
    found = _found([_in_place("/etc/pki/ca.crt", b"CA CERT\n"),
                    _in_place("/etc/pki/server.key", b"SERVER KEY\n", mode="0600", owner="etcd", group="etcd")])
    wanted = [{"src": "ca.crt", "dest": "ca.crt"},
              {"src": "server.key", "dest": "server.key", "owner": "etcd", "group": "etcd"}]
    assert files_to_copy(wanted, found, str(pki), "/etc/pki") == []


def test_missing_file_is_copied_with_its_attributes_filled_in(pki):
    todo = files_to_copy([{"src": "server.key", "dest": "server.key"}], _found([]), str(pki), "/etc/pki")
    assert todo == [{"src": str(pki / "server.key"), "dest": "/etc/pki/server.key",
                     "mode": "0600", "owner": "root", "group": "root"}]


def test_private_defaults_cover_keys_and_kubeconfigs(pki):
    todo = files_to_copy([{"src": "ca.crt", "dest": "/x/ca.crt"}, {"src": "admin.kubeconfig", "dest": "/x/admin.kubeconfig"}],
                         _found([]), str(pki))
    assert [t["mode"] for t in todo] == ["0644", "0600"]


@pytest.mark.parametrize("drift", [
    {"checksum": hashlib.sha1(b"OLD CA\n").hexdigest()},
    {"mode": "0666"},
    {"pw_name": "nobody"},
    {"gr_name": "staff"},
])
def test_content_mode_owner_or_group_drift_is_copied(pki, drift):
    entry = _in_place("/etc/pki/ca.crt", b"CA CERT\n")
    entry.update(drift)
    todo = files_to_copy([{"src": "ca.crt", "dest": "ca.crt"}], _found([entry]), str(pki), "/etc/pki")
    assert [t["dest"] for t in todo] == ["/etc/pki/ca.crt"]


def test_explicit_mode_is_compared_as_octal(pki):
    found = _found([_in_place("/etc/pki/ca.crt", b"CA CERT\n", mode="0640")])
    assert files_to_copy([{"src": "ca.crt", "dest": "ca.crt", "mode": "640"}], found, str(pki), "/etc/pki") == []


def test_unreadable_source_is_a_sentence(pki):
    with pytest.raises(AnsibleFilterError, match="cannot read .*missing.crt on the controller"):
        files_to_copy([{"src": "missing.crt", "dest": "/x"}], _found([_in_place("/x", b"")]), str(pki))


@pytest.mark.parametrize("files, found, message", [
    ("ca.crt", _found([]), "expects a list of files"),
    ([{"src": "ca.crt", "dest": "/x"}], {"stat": {}}, "registered result of ansible.builtin.find"),
    ([{"src": "ca.crt"}], _found([]), "every file needs src and dest"),
])
def test_bad_input_is_a_sentence(files, found, message):
    with pytest.raises(AnsibleFilterError, match=message):
        files_to_copy(files, found)


def test_registered_under_its_name():
    assert FilterModule().filters()["files_to_copy"] is files_to_copy


def test_big_files_keep_their_sha1_beside_them_until_they_change(tmp_path, monkeypatch):
    from ansible_collections.fromscratch.kubernetes.plugins.filter import files_to_copy as module

    monkeypatch.setattr(module, "CACHE_FROM_BYTES", 4)
    binary = tmp_path / "kubelet"
    binary.write_bytes(b"BINARY 1")
    found = _found([_in_place("/usr/local/bin/kubelet", b"BINARY 1", mode="0755")])
    wanted = [{"src": str(binary), "dest": "/usr/local/bin/kubelet", "mode": "0755"}]
    assert files_to_copy(wanted, found) == []
    cache = tmp_path / "kubelet.sha1"
    assert cache.read_text().split()[-1] == hashlib.sha1(b"BINARY 1").hexdigest()
    # The cached digest is what the next comparison uses ...
    cache.write_text(cache.read_text().rsplit(" ", 1)[0] + " " + "0" * 40 + "\n")
    assert len(files_to_copy(wanted, found)) == 1
    # ... until the file itself changes: then it is hashed again.
    binary.write_bytes(b"BINARY 2")
    todo = files_to_copy(wanted, _found([_in_place("/usr/local/bin/kubelet", b"BINARY 2", mode="0755")]))
    assert todo == []
    assert cache.read_text().split()[-1] == hashlib.sha1(b"BINARY 2").hexdigest()


def test_small_files_leave_no_cache(pki):
    files_to_copy([{"src": "ca.crt", "dest": "/x/ca.crt"}], _found([]), str(pki))
    assert not (pki / "ca.crt.sha1").exists()
