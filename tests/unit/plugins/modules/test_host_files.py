"""The host_files module: folders and files converged in one run (HostFiles directly, main() for real)."""

import grp
import os
import pwd
import stat

import pytest

from ansible_collections.fromscratch.kubernetes.plugins.modules import host_files
from ansible_collections.fromscratch.kubernetes.plugins.module_utils import host_files as host_files_utils
from ansible_collections.fromscratch.kubernetes.plugins.module_utils.host_files import HostFiles

from conftest import COLLECTIONS
from fakes import run_module_file


def names():
    """The current user's and group's names (tests may run as root or not); a number when nameless."""
    try:
        owner = pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        owner = str(os.getuid())
    try:
        group = grp.getgrgid(os.getgid()).gr_name
    except KeyError:
        group = str(os.getgid())
    return owner, group


OWNER, GROUP = names()


def folder(path, mode="0755"):
    return {"path": str(path), "mode": mode, "owner": OWNER, "group": GROUP}


def text_file(path, content, mode="0644"):
    return {"path": str(path), "content": content, "mode": mode, "owner": OWNER, "group": GROUP}


def mode_of(path):
    return stat.S_IMODE(os.stat(str(path)).st_mode)


def converge(directories=(), files=(), check_mode=False):
    return HostFiles(directories, files).run(check_mode)


def test_creates_folders_with_parents_then_files(tmp_path):
    etc, logs = tmp_path / "etc" / "kubernetes", tmp_path / "var" / "log" / "kubernetes"
    policy, unit = etc / "audit-policy.yaml", tmp_path / "etc" / "kube-apiserver.service"
    failed, result = converge([folder(etc), folder(logs, "0750")],
                              [text_file(policy, "kind: Policy\n", "0640"), text_file(unit, "[Unit]\n")])
    assert not failed
    assert result["changed"] is True
    created = [str(tmp_path / "etc"), str(etc), str(tmp_path / "var"), str(tmp_path / "var" / "log"), str(logs)]
    assert result["changed_directories"] == created
    assert result["changed_files"] == [str(policy), str(unit)]
    assert result["changed_paths"] == created + [str(policy), str(unit)]
    assert result["changes"][-1] == {"path": str(unit), "type": "file", "differs": ["missing"]}
    # Parents made on the way get the entry's mode, as mkdir -p would make them with it.
    assert [mode_of(path) for path in created] == [0o755, 0o755, 0o750, 0o750, 0o750]
    assert policy.read_bytes() == b"kind: Policy\n" and mode_of(policy) == 0o640
    assert mode_of(unit) == 0o644
    assert [name for name in os.listdir(str(etc)) if name.endswith(".tmp")] == []


def test_second_run_changes_nothing(tmp_path):
    entries = ([folder(tmp_path / "a" / "b", "0700")], [text_file(tmp_path / "a" / "b" / "c.conf", "x = 1\n", "0600")])
    assert converge(*entries)[1]["changed"] is True
    failed, result = converge(*entries)
    assert not failed
    assert result == {"changed": False, "changed_paths": [], "changed_directories": [], "changed_files": [],
                      "changes": []}


def test_changed_content_is_rewritten_and_only_that_file_reported(tmp_path):
    same, other = tmp_path / "same.conf", tmp_path / "other.conf"
    converge([], [text_file(same, "a\n"), text_file(other, "b\n", "0600")])
    failed, result = converge([], [text_file(same, "a\n"), text_file(other, "b2\n", "0600")])
    assert not failed
    assert result["changed_files"] == [str(other)] and result["changed_directories"] == []
    assert result["changes"] == [{"path": str(other), "type": "file", "differs": ["content"]}]
    assert other.read_bytes() == b"b2\n" and mode_of(other) == 0o600


def test_same_length_different_bytes_counts_as_changed(tmp_path):
    target = tmp_path / "token"
    converge([], [text_file(target, "abc")])
    assert converge([], [text_file(target, "abd")])[1]["changed_files"] == [str(target)]
    assert target.read_bytes() == b"abd"


def test_mode_only_change_is_made_in_place(tmp_path):
    target, sub = tmp_path / "unit.service", tmp_path / "sub"
    converge([folder(sub)], [text_file(target, "[Service]\n")])
    inode = os.stat(str(target)).st_ino
    os.chmod(str(target), 0o600)
    os.chmod(str(sub), 0o700)
    failed, result = converge([folder(sub)], [text_file(target, "[Service]\n")])
    assert not failed
    assert result["changes"] == [{"path": str(sub), "type": "directory", "differs": ["mode"]},
                                 {"path": str(target), "type": "file", "differs": ["mode"]}]
    assert mode_of(target) == 0o644 and mode_of(sub) == 0o755
    assert os.stat(str(target)).st_ino == inode


def test_check_mode_reports_and_writes_nothing(tmp_path):
    existing = tmp_path / "existing.conf"
    existing.write_bytes(b"old\n")
    os.chmod(str(existing), 0o644)
    new_dir = tmp_path / "new" / "dir"
    entries = ([folder(new_dir)], [text_file(new_dir / "f", "x"), text_file(existing, "new\n")])
    failed, result = converge(*entries, check_mode=True)
    assert not failed
    assert result["changed"] is True
    assert result["changed_directories"] == [str(tmp_path / "new"), str(new_dir)]
    assert result["changed_files"] == [str(new_dir / "f"), str(existing)]
    assert result["changes"][-1]["differs"] == ["content"]
    assert not (tmp_path / "new").exists()
    assert existing.read_bytes() == b"old\n"


def test_missing_folder_of_a_file_is_a_sentence(tmp_path):
    target = tmp_path / "nowhere" / "kubeconfig"
    failed, result = converge([], [text_file(target, "apiVersion: v1\n")])
    assert failed and result["changed"] is False
    assert result["msg"] == ("Cannot write %s: its folder %s does not exist; create it first (list it under "
                             "directories)." % (target, tmp_path / "nowhere"))


def test_file_path_that_is_a_folder_is_a_sentence(tmp_path):
    (tmp_path / "kubelet.conf").mkdir()
    failed, result = converge([], [text_file(tmp_path / "kubelet.conf", "x")])
    assert failed
    assert result["msg"] == "%s is a directory; it cannot be written as a file." % (tmp_path / "kubelet.conf")


def test_folder_path_that_is_a_file_is_a_sentence(tmp_path):
    (tmp_path / "plain").write_text("x")
    failed, result = converge([folder(tmp_path / "plain")])
    assert failed and result["msg"] == "%s exists and is not a directory." % (tmp_path / "plain")
    failed, result = converge([folder(tmp_path / "plain" / "below")])
    assert failed and result["msg"] == ("Cannot create the directory %s: %s exists and is not a directory."
                                        % (tmp_path / "plain" / "below", tmp_path / "plain"))


def test_unknown_owner_fails_before_any_change(tmp_path):
    first = tmp_path / "first"
    bad = dict(text_file(first / "f", "x"), owner="no-such-user-hf")
    failed, result = converge([folder(first)], [bad])
    assert failed
    assert result["msg"] == "This host has no user named no-such-user-hf (owner of %s); nothing was changed." % (
        first / "f")
    assert result["changed"] is False
    assert not first.exists()


def test_unknown_group_is_named_too(tmp_path):
    failed, result = converge([dict(folder(tmp_path / "d"), group="no-such-group-hf")])
    assert failed and "no group named no-such-group-hf (group of %s)" % (tmp_path / "d") in result["msg"]


def test_modes_that_are_not_four_octal_digits_are_refused(tmp_path):
    for mode in ("420", "0o644", "0899", "u=rw"):
        failed, result = converge([], [text_file(tmp_path / "f", "x", mode)])
        assert failed
        assert result["msg"].startswith("The mode %r of %s is not four octal digits" % (mode, tmp_path / "f"))
    assert not (tmp_path / "f").exists()


def test_bytes_are_exact_utf8_without_a_newline_added(tmp_path):
    files = {"none": "no newline", "two": "two\n\n", "empty": "", "utf8": "caf\u00e9 \u2713\r\n"}
    converge([], [text_file(tmp_path / name, text) for name, text in files.items()])
    for name, text in files.items():
        assert (tmp_path / name).read_bytes() == text.encode("utf-8")
    assert converge([], [text_file(tmp_path / name, text) for name, text in files.items()])[1]["changed"] is False


def test_a_symlink_is_replaced_and_its_target_left_alone(tmp_path):
    real, link = tmp_path / "real", tmp_path / "link"
    real.write_bytes(b"same")
    os.symlink(str(real), str(link))
    failed, result = converge([], [text_file(link, "same")])
    assert not failed and result["changes"] == [{"path": str(link), "type": "file", "differs": ["symlink"]}]
    assert not os.path.islink(str(link)) and link.read_bytes() == b"same"
    assert real.read_bytes() == b"same"


def test_folder_listed_below_another_is_reported_once(tmp_path):
    outer, inner = tmp_path / "outer", tmp_path / "outer" / "inner"
    failed, result = converge([folder(inner, "0700"), folder(outer, "0755")])
    assert not failed
    assert result["changed_directories"] == [str(outer), str(inner)]
    assert mode_of(outer) == 0o755 and mode_of(inner) == 0o700


def test_a_failure_while_writing_is_a_sentence_with_what_changed(tmp_path):
    locked = tmp_path / "locked"
    converge([folder(locked, "0555")])
    if os.access(str(locked), os.W_OK):
        pytest.skip("root writes into a read-only folder")
    failed, result = converge([folder(tmp_path / "ok")], [text_file(locked / "f", "x")])
    assert failed
    assert result["msg"] == "Cannot write %s: Permission denied." % (locked / "f")
    assert result["changed_paths"] == [str(tmp_path / "ok")]


def test_an_error_while_replacing_is_a_sentence_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    def full(source, target):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(host_files_utils.os, "replace", full)
    failed, result = converge([], [text_file(tmp_path / "f", "x\n")])
    assert failed
    assert result["msg"] == "Cannot write %s: No space left on device." % (tmp_path / "f")
    assert os.listdir(str(tmp_path)) == []


def run_module(args, tmp_path):
    """Run the module file as Ansible would, with its arguments in a file."""
    return run_module_file(host_files.__file__, args, tmp_path, COLLECTIONS)


def test_main_writes_applies_defaults_and_never_shows_the_content(tmp_path):
    root = tmp_path / "root"
    args = {"directories": [{"path": str(root / "etc"), "owner": OWNER, "group": GROUP}],
            "files": [{"path": str(root / "etc" / "token"), "content": "s3cr3t-t0ken-value",
                       "owner": OWNER, "group": GROUP}]}
    result, proc = run_module(dict(args, _ansible_check_mode=True), tmp_path)
    assert result["changed"] is True and result["changed_files"] == [str(root / "etc" / "token")]
    assert not root.exists()
    result, proc = run_module(args, tmp_path)
    assert "failed" not in result, result
    assert result["changed_paths"] == [str(root), str(root / "etc"), str(root / "etc" / "token")]
    assert (root / "etc" / "token").read_bytes() == b"s3cr3t-t0ken-value"
    assert mode_of(root / "etc") == 0o755 and mode_of(root / "etc" / "token") == 0o644
    assert "s3cr3t-t0ken-value" not in proc.stdout + proc.stderr


def test_main_failures_are_sentences_not_tracebacks(tmp_path):
    result, proc = run_module({}, tmp_path)
    assert result["failed"] is True
    assert result["msg"] == "directories and files are both empty: give at least one folder or file."
    # A content with a line break, as rendered files have: a bare word would be masked in every result.
    result, proc = run_module({"files": [{"path": str(tmp_path / "d" / "f"), "content": "x\n",
                                          "owner": OWNER, "group": GROUP}]}, tmp_path)
    assert result["failed"] is True
    assert result["msg"].startswith("Cannot write %s: its folder %s does not exist" % (tmp_path / "d" / "f", tmp_path / "d"))
    assert "Traceback" not in proc.stdout + proc.stderr
