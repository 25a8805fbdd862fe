"""The download role on the controller: file:// and http:// mirrors, pinned and published sums,
a checksum mismatch and an unknown version. Uses the real etcd tarball of the test-bed mirror."""

import hashlib
import os
import re
import subprocess

import pytest

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
    assert "WARNING: no sha256 is pinned for etcd 3.5.35" in out  # checked against the published SHA256SUMS
    version = subprocess.run([str(tmp_path / "bin" / "etcd"), "--version"], capture_output=True, text=True, check=True)
    assert "etcd Version: 3.5.35" in version.stdout
    assert os.stat(tmp_path / "bin" / "etcdctl").st_mode & 0o777 == 0o755
    rc, out = run_playbook(PLAYBOOK, extra)
    assert rc == 0 and recap_changed(out) == 0, out


def test_http_mirror_with_pinned_sum(tmp_path, run_playbook, http_mirror, etcd_tarball):
    extra = base_vars(tmp_path, http_mirror + "/")
    extra["download_extra_checksums"] = {"etcd": {"amd64": {ETCD_VERSION: sha256(etcd_tarball)}}}
    rc, out = run_playbook(PLAYBOOK, extra)
    assert rc == 0, out
    assert "WARNING: no sha256 is pinned" not in out
    assert sha256(tmp_path / "cache" / "etcd" / "3.5.35-amd64" / os.path.basename(etcd_tarball)) == sha256(etcd_tarball)
    assert os.path.exists(tmp_path / "bin" / "etcd")


def test_http_mirror_without_pinned_sum_is_refused(tmp_path, run_playbook, http_mirror, etcd_tarball):
    extra = base_vars(tmp_path, http_mirror + "/")
    rc, out = run_playbook(PLAYBOOK, extra)
    assert rc != 0
    assert ("etcd 3.5.35 (amd64) would be fetched over plain HTTP from %s/etcd with no pinned sha256, checked only "
            "against a checksum file from the same place." % http_mirror) in " ".join(out.split()), out
    assert os.listdir(tmp_path / "bin") == []
    assert not os.path.exists(tmp_path / "cache" / "etcd")


def test_checksum_mismatch_names_file_and_digests_and_installs_nothing(tmp_path, run_playbook, etcd_tarball):
    wrong = "0" * 64
    extra = base_vars(tmp_path, "file://" + MIRROR)
    extra["download_extra_checksums"] = {"etcd": {"amd64": {ETCD_VERSION: wrong}}}
    rc, out = run_playbook(PLAYBOOK, extra)
    assert rc != 0
    flat = " ".join(out.split())
    assert ("Checksum mismatch for etcd-v3.5.35-linux-amd64.tar.gz from file://%s/etcd/v3.5.35/"
            "etcd-v3.5.35-linux-amd64.tar.gz: expected sha256 %s, got %s." % (MIRROR, wrong, sha256(etcd_tarball))) in flat, out
    assert os.listdir(tmp_path / "bin") == []
    assert not os.path.exists(tmp_path / "cache" / "etcd" / "3.5.35-amd64" / os.path.basename(etcd_tarball))


def test_unknown_version_without_checksum_file_fails_clearly(tmp_path, run_playbook, etcd_tarball):
    extra = base_vars(tmp_path, "file://" + MIRROR, version="3.4.99")
    rc, out = run_playbook(PLAYBOOK, extra)
    assert rc != 0
    flat = " ".join(out.split())
    assert ("No sha256 is known for etcd 3.4.99 (amd64): none is pinned and the checksum file "
            "file://%s/etcd/v3.4.99/SHA256SUMS could not be used" % MIRROR) in flat, out
    assert os.listdir(tmp_path / "bin") == []


def test_kubernetes_binary_from_mirror_and_unknown_version(tmp_path, run_playbook):
    extra = base_vars(tmp_path, "file://" + MIRROR, version="1.34.12")
    extra.update(test_artifact="kube-scheduler", test_files=[{"dest": str(tmp_path / "bin" / "kube-scheduler")}])
    rc, out = run_playbook(PLAYBOOK, extra)
    assert rc == 0, out
    version = subprocess.run([str(tmp_path / "bin" / "kube-scheduler"), "--version"], capture_output=True, text=True,
                             check=True)
    assert version.stdout.strip() == "Kubernetes v1.34.12"
    extra.update(test_version="1.34.99", test_files=[{"dest": str(tmp_path / "bin" / "kube-scheduler-1.34.99")}])
    rc, out = run_playbook(PLAYBOOK, extra)
    assert rc != 0
    assert ("No sha256 is known for kube-scheduler 1.34.99 (amd64): none is pinned and the checksum file "
            "file://%s/kubernetes/v1.34.99/bin/linux/amd64/kube-scheduler.sha256 could not be used" % MIRROR) in " ".join(out.split()), out


def test_cached_artifact_is_checked_again_when_its_pin_changes(tmp_path, run_playbook, etcd_tarball):
    """A cached file is not read again while the check it passed stands (its .verified stamp); a new
    pin for the same version makes the role verify the cached file against it."""
    extra = base_vars(tmp_path, "file://" + MIRROR)
    extra["download_extra_checksums"] = {"etcd": {"amd64": {ETCD_VERSION: sha256(etcd_tarball)}}}
    rc, out = run_playbook(PLAYBOOK, extra)
    assert rc == 0, out
    cached = tmp_path / "cache" / "etcd" / "3.5.35-amd64" / os.path.basename(etcd_tarball)
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


def module_build(version, binary):
    """A binary of the mirror's Kubernetes release built from its Go modules (tests/testbed/gobuild.sh)."""
    path = os.path.join(MIRROR, "kubernetes", "v" + version, "bin", "linux", "amd64", binary)
    if not os.path.exists(path + ".sha256"):
        pytest.fail("%s is missing: run `make mirror` first" % path)
    return path


@pytest.mark.parametrize("version", ["1.35.1", "1.34.12"])
def test_kubernetes_built_from_modules_installs_through_the_release_path(tmp_path, run_playbook, version):
    """Kubernetes built from k8s.io/kubernetes and its staging modules, in dl.k8s.io's layout: the
    download role's release path installs it, checked against the published <binary>.sha256, and it
    says the release it was built from."""
    module_build(version, "kube-apiserver")
    extra = base_vars(tmp_path, "file://" + MIRROR, version=version)
    extra.update(test_artifact="kube-apiserver", test_files=[{"dest": str(tmp_path / "bin" / "kube-apiserver")}])
    rc, out = run_playbook(PLAYBOOK, extra)
    assert rc == 0, out
    stamp = subprocess.run([str(tmp_path / "bin" / "kube-apiserver"), "--version"], capture_output=True, text=True,
                           check=True)
    assert stamp.stdout.strip() == "Kubernetes v" + version


def test_upstream_pin_refuses_the_module_build_until_its_own_sum_is_pinned(tmp_path, run_playbook):
    """The catalogue pins upstream's sha256 of the 1.35.1 kubelet: the mirror's own build of it is
    refused with both digests, and installed once download_extra_checksums names its sum."""
    ours = sha256(module_build("1.35.1", "kubelet"))
    extra = base_vars(tmp_path, "file://" + MIRROR, version="1.35.1")
    extra.update(test_artifact="kubelet", test_files=[{"dest": str(tmp_path / "bin" / "kubelet")}])
    rc, out = run_playbook(PLAYBOOK, extra)
    assert rc != 0
    assert re.search(r"Checksum mismatch for kubelet from file://\S+/kubernetes/v1\.35\.1/bin/linux/amd64/kubelet: "
                     r"expected sha256 [0-9a-f]{64}, got %s\." % ours, " ".join(out.split())), out
    assert os.listdir(tmp_path / "bin") == []
    extra["download_extra_checksums"] = {"kubelet": {"amd64": {"1.35.1": ours}}}
    rc, out = run_playbook(PLAYBOOK, extra)
    assert rc == 0, out
    stamp = subprocess.run([str(tmp_path / "bin" / "kubelet"), "--version"], capture_output=True, text=True, check=True)
    assert stamp.stdout.strip() == "Kubernetes v1.35.1"


# Each release built from its Go module (tests/testbed/gobuild.sh), installed through the download
# role's release path as the roles install it, then asked for its version. The catalogue pins
# upstream's sums for some of these versions, which the module builds cannot match: their own sums
# are pinned here from the mirror's checksum files, as a test bed or a user with a private build would.
MODULE_RELEASES = [
    # artifact, version, file in the artifact, checksum file (None: published without one), version command, expected
    ("etcd", "3.6.6", "etcd-v3.6.6-linux-amd64/etcd", "v3.6.6/SHA256SUMS", ["--version"], "etcd Version: 3.6.6"),
    ("containerd", "2.2.1", "bin/containerd", "v2.2.1/containerd-2.2.1-linux-amd64.tar.gz.sha256sum", ["--version"],
     " v2.2.1 "),
    ("runc", "1.3.4", "", "v1.3.4/runc.sha256sum", ["--version"], "runc version 1.3.4"),
    ("cni-plugins", "1.8.0", "bridge", "v1.8.0/cni-plugins-linux-amd64-v1.8.0.tgz.sha256", [], "CNI bridge plugin v1.8.0"),
    ("flannel", "0.27.4", "", None, ["--version"], "v0.27.4"),
]


def mirror_sum(artifact, version, checksum_file):
    """The sha256 the mirror publishes for an artifact (its checksum file's line naming the file,
    or a bare digest), or, for a release published without a checksum file, the file's own."""
    folder = os.path.join(MIRROR, artifact, "v" + version)
    if checksum_file is None:
        (name,) = os.listdir(folder)
        return sha256(os.path.join(folder, name))
    path = os.path.join(MIRROR, artifact, checksum_file)
    if not os.path.exists(path):
        pytest.fail("%s is missing: run `make mirror` first" % path)
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().split("\n")
    return [line.split()[0] for line in lines if line.strip() and (len(line.split()) == 1 or "amd64" in line.split()[1])][0]


@pytest.mark.parametrize("artifact,version,src,checksum_file,args,expected", MODULE_RELEASES,
                         ids=[release[0] for release in MODULE_RELEASES])
def test_component_built_from_its_module_installs_and_says_its_version(
        tmp_path, run_playbook, artifact, version, src, checksum_file, args, expected):
    extra = base_vars(tmp_path, "file://" + MIRROR, version=version)
    dest = tmp_path / "bin" / artifact
    extra.update(test_artifact=artifact, test_files=[{"src": src, "dest": str(dest)}],
                 download_extra_checksums={artifact: {"amd64": {version: mirror_sum(artifact, version, checksum_file)}}})
    rc, out = run_playbook(PLAYBOOK, extra)
    assert rc == 0, out
    stamp = subprocess.run([str(dest)] + args, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL)
    assert expected in stamp.stdout + stamp.stderr, (stamp.stdout, stamp.stderr)


def test_coredns_built_from_its_module_matches_its_published_sum(tmp_path):
    """CoreDNS runs as an image, not through the download role: its release tarball is checked
    against the .sha256 published beside it and the binary says the release."""
    folder = os.path.join(MIRROR, "coredns", "v1.13.1")
    name = "coredns_1.13.1_linux_amd64.tgz"
    if not os.path.exists(os.path.join(folder, name + ".sha256")):
        pytest.fail("%s is missing: run `make mirror` first" % folder)
    subprocess.run(["sha256sum", "--quiet", "-c", name + ".sha256"], cwd=folder, check=True)
    subprocess.run(["tar", "-xzf", os.path.join(folder, name), "-C", str(tmp_path)], check=True)
    stamp = subprocess.run([str(tmp_path / "coredns"), "-version"], capture_output=True, text=True, check=True)
    assert stamp.stdout.split("\n")[0] == "CoreDNS-1.13.1"


def test_artifact_missing_from_the_catalogue_fails_with_the_names_it_has(tmp_path, run_playbook):
    extra = base_vars(tmp_path, "file://" + MIRROR)
    extra.update(test_artifact="kube-controler-manager", test_files=[{"dest": str(tmp_path / "bin" / "x")}])
    rc, out = run_playbook(PLAYBOOK, extra)
    assert rc != 0
    assert ("'kube-controler-manager' is not an artifact of download_artifacts; it has cni-plugins, containerd, crictl, etcd, "
            "flannel, flannel-cni-plugin, kube-apiserver") in " ".join(out.split()), out
    assert os.listdir(tmp_path / "bin") == []
