"""The download role on the controller: file:// and http:// mirrors, pinned and published sums,
a checksum mismatch and an unknown version. Uses the real etcd tarball of the test-bed mirror."""

import hashlib
import os
import re
import subprocess

from conftest import ETCD_VERSION, MIRROR

PLAYBOOK = os.path.join(os.path.dirname(__file__), "download.yml")


def sha256(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def base_vars(tmp_path, mirror_url, version=ETCD_VERSION):
    (tmp_path / "bin").mkdir(exist_ok=True)
    return {"download_mirror_url": mirror_url, "download_cache_dir": str(tmp_path / "cache"),
            "test_version": version, "test_dest": str(tmp_path / "bin")}


def recap_changed(output):
    return int(re.search(r"localhost\s*:\s*ok=\d+\s+changed=(\d+)", output).group(1))


def test_file_mirror_installs_real_binaries_then_changes_nothing(tmp_path, run_playbook, etcd_tarball):
    extra = base_vars(tmp_path, "file://" + MIRROR)
    rc, out = run_playbook(PLAYBOOK, extra)
    assert rc == 0, out
    assert "WARNING: no sha256 is pinned for etcd 3.4.23" in out  # checked against the published SHA256SUMS
    version = subprocess.run([str(tmp_path / "bin" / "etcd"), "--version"], capture_output=True, text=True, check=True)
    assert "etcd Version: 3.4.23" in version.stdout
    assert os.stat(tmp_path / "bin" / "etcdctl").st_mode & 0o777 == 0o755
    rc, out = run_playbook(PLAYBOOK, extra)
    assert rc == 0 and recap_changed(out) == 0, out


def test_http_mirror_with_pinned_sum(tmp_path, run_playbook, http_mirror, etcd_tarball):
    extra = base_vars(tmp_path, http_mirror + "/")
    extra["download_extra_checksums"] = {"etcd": {"amd64": {ETCD_VERSION: sha256(etcd_tarball)}}}
    rc, out = run_playbook(PLAYBOOK, extra)
    assert rc == 0, out
    assert "WARNING: no sha256 is pinned" not in out
    assert sha256(tmp_path / "cache" / "etcd" / "3.4.23-amd64" / os.path.basename(etcd_tarball)) == sha256(etcd_tarball)
    assert os.path.exists(tmp_path / "bin" / "etcd")


def test_checksum_mismatch_names_file_and_digests_and_installs_nothing(tmp_path, run_playbook, etcd_tarball):
    wrong = "0" * 64
    extra = base_vars(tmp_path, "file://" + MIRROR)
    extra["download_extra_checksums"] = {"etcd": {"amd64": {ETCD_VERSION: wrong}}}
    rc, out = run_playbook(PLAYBOOK, extra)
    assert rc != 0
    flat = " ".join(out.split())
    assert ("Checksum mismatch for etcd-v3.4.23-linux-amd64.tar.gz from file://%s/etcd/v3.4.23/"
            "etcd-v3.4.23-linux-amd64.tar.gz: expected sha256 %s, got %s." % (MIRROR, wrong, sha256(etcd_tarball))) in flat, out
    assert os.listdir(tmp_path / "bin") == []
    assert not os.path.exists(tmp_path / "cache" / "etcd" / "3.4.23-amd64" / os.path.basename(etcd_tarball))


def test_unknown_version_without_checksum_file_fails_clearly(tmp_path, run_playbook, etcd_tarball):
    extra = base_vars(tmp_path, "file://" + MIRROR, version="3.4.99")
    rc, out = run_playbook(PLAYBOOK, extra)
    assert rc != 0
    flat = " ".join(out.split())
    assert ("No sha256 is known for etcd 3.4.99 (amd64): none is pinned and the checksum file "
            "file://%s/etcd/v3.4.99/SHA256SUMS could not be used" % MIRROR) in flat, out
    assert os.listdir(tmp_path / "bin") == []


def test_kubernetes_binary_from_mirror_and_unknown_version(tmp_path, run_playbook):
    extra = base_vars(tmp_path, "file://" + MIRROR, version="1.20.2")
    extra.update(test_artifact="kube-scheduler", test_files=[{"dest": str(tmp_path / "bin" / "kube-scheduler")}])
    rc, out = run_playbook(PLAYBOOK, extra)
    assert rc == 0, out
    version = subprocess.run([str(tmp_path / "bin" / "kube-scheduler"), "--version"], capture_output=True, text=True,
                             check=True)
    assert version.stdout.strip() == "Kubernetes v1.20.2"
    extra.update(test_version="1.20.99", test_files=[{"dest": str(tmp_path / "bin" / "kube-scheduler-1.20.99")}])
    rc, out = run_playbook(PLAYBOOK, extra)
    assert rc != 0
    assert ("No sha256 is known for kube-scheduler 1.20.99 (amd64): none is pinned and the checksum file "
            "file://%s/kubernetes/v1.20.99/bin/linux/amd64/kube-scheduler.sha256 could not be used" % MIRROR) in " ".join(out.split()), out


def test_cached_artifact_is_checked_again_when_its_pin_changes(tmp_path, run_playbook, etcd_tarball):
    """A cached file is not read again while the check it passed stands (its .verified stamp); a new
    pin for the same version makes the role verify the cached file against it."""
    extra = base_vars(tmp_path, "file://" + MIRROR)
    extra["download_extra_checksums"] = {"etcd": {"amd64": {ETCD_VERSION: sha256(etcd_tarball)}}}
    rc, out = run_playbook(PLAYBOOK, extra)
    assert rc == 0, out
    cached = tmp_path / "cache" / "etcd" / "3.4.23-amd64" / os.path.basename(etcd_tarball)
    assert (cached.parent / (cached.name + ".verified")).read_text() == "sha256:" + sha256(etcd_tarball)
    rc, out = run_playbook(PLAYBOOK, extra)
    assert rc == 0 and recap_changed(out) == 0, out
    # The second run reads nothing from the mirror: the controller's part is skipped as a whole.
    assert re.search(r"TASK \[[^]]*Fetch, verify and unpack the artifact[^]]*\][^\n]*\nskipping: \[localhost\]", out), out
    assert "Download and check the sha256" not in out, out
    wrong = "1" * 64
    extra["download_extra_checksums"] = {"etcd": {"amd64": {ETCD_VERSION: wrong}}}
    rc, out = run_playbook(PLAYBOOK, extra)
    assert rc != 0
    assert "expected sha256 %s, got %s" % (wrong, sha256(etcd_tarball)) in " ".join(out.split()), out
