"""The pki role's renewal and forget entry points on the controller: what is due is re-issued (keys kept), a run with nothing
due changes nothing, pki_renew_all with pki_renew_rotate_keys re-issues all with new keys; the CAs
never change."""

import base64
import glob
import hashlib
import os

from cryptography import x509

from conftest import ROOT

PLAYBOOK = os.path.join(ROOT, "tests", "integration", "pki_run.yml")
INVENTORY = os.path.join(ROOT, "tests", "integration", "render_hosts.yml")


def state(pki):
    """{path: (serial, sha256 of its key)} of every certificate, CAs included."""
    out = {}
    for crt in sorted(glob.glob(os.path.join(pki, "**", "*.crt"), recursive=True)):
        if os.path.basename(crt).startswith("ca-"):
            continue  # a CA rotation's files (ca-next, ca-trust, ca-previous)
        with open(crt, "rb") as handle:
            serial = x509.load_pem_x509_certificate(handle.read()).serial_number
        key = crt[:-4] + ".key"
        with open(key, "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()
        out[os.path.relpath(crt, pki)] = (serial, digest)
    return out


def cas(paths):
    return {path for path in paths if os.path.basename(path) == "ca.crt"}


def test_renewal_reissues_what_is_due_then_nothing_then_all_with_new_keys(tmp_path, run_playbook):
    pki = str(tmp_path / "pki")
    common = {"pki_dir": pki}
    rc, out = run_playbook(PLAYBOOK, dict(common, pki_cert_not_after="+10d"), inventory=INVENTORY)
    assert rc == 0, out
    made = state(pki)
    assert len(made) > 10 and len(cas(made)) == 3

    # Every certificate has 10 days left: all due within the default 30 days; keys kept.
    rc, out = run_playbook(PLAYBOOK, dict(common, pki_entry="renew"), inventory=INVENTORY)
    assert rc == 0, out
    renewed = state(pki)
    assert "%d of %d certificates re-issued (fewer than 30 days left; keys kept)" % (len(made) - 3, len(made) - 3) in " ".join(out.split()), out
    for path, (serial, key) in made.items():
        if path in cas(made):
            assert renewed[path] == (serial, key), path
        else:
            assert renewed[path][0] != serial and renewed[path][1] == key, path
    # The kubeconfigs embed the new certificates.
    with open(os.path.join(pki, "kubeconfigs", "admin.kubeconfig"), encoding="utf-8") as handle:
        embedded = [line.split(":", 1)[1].strip() for line in handle if "client-certificate-data:" in line]
    with open(os.path.join(pki, "admin.crt"), "rb") as crt:
        assert base64.b64decode(embedded[0]).strip() == crt.read().strip()

    # Now 365 days left (the default validity): nothing is due, nothing changes.
    rc, out = run_playbook(PLAYBOOK, dict(common, pki_entry="renew"), inventory=INVENTORY)
    assert rc == 0, out
    assert "0 of %d certificates re-issued" % (len(made) - 3) in " ".join(out.split()), out
    assert state(pki) == renewed
    assert "changed=0" in out, out

    # Everything, with new keys.
    rc, out = run_playbook(PLAYBOOK, dict(common, pki_entry="renew", pki_renew_all=True, pki_renew_rotate_keys=True),
                           inventory=INVENTORY)
    assert rc == 0, out
    rotated = state(pki)
    for path, (serial, key) in renewed.items():
        if path in cas(renewed):
            assert rotated[path] == (serial, key), path
        else:
            assert rotated[path][0] != serial and rotated[path][1] != key, path

    # remove-node.yml's forget: the host's own files go, the shared ones and the CAs stay.
    rc, out = run_playbook(PLAYBOOK, dict(common, pki_entry="forget", pki_forget_hosts=["node-1"]), inventory=INVENTORY)
    assert rc == 0, out
    left = sorted(os.path.relpath(path, pki) for path in glob.glob(os.path.join(pki, "**", "*"), recursive=True))
    assert [path for path in left if "node-1" in path] == []
    for path in ["etcd/server-node-1.crt", "etcd/peer-node-1.key", "kubelet-node-1.csr", "kubeconfigs/kubelet-node-1.kubeconfig",
                 "controller-manager-server-node-1.crt", "scheduler-server-node-1.key"]:
        assert path not in left
    for path in ["ca.crt", "ca.key", "etcd/ca.crt", "admin.crt", "apiserver.key", "kubeconfigs/admin.kubeconfig", "sa.key"]:
        assert path in left, path


def _certs(path):
    with open(path, "rb") as handle:
        return x509.load_pem_x509_certificates(handle.read())


def _kubeconfig_ca(pki):
    with open(os.path.join(pki, "kubeconfigs", "admin.kubeconfig"), encoding="utf-8") as handle:
        data = [line.split(":", 1)[1].strip() for line in handle if "certificate-authority-data:" in line][0]
    return x509.load_pem_x509_certificates(base64.b64decode(data))


def test_ca_rotation_steps_on_the_controller(tmp_path, run_playbook):
    """rotate_ca: add puts a new CA and the bundle of both beside each CA, switch makes the new one sign and
    re-signs every certificate with its key kept, drop leaves the new CA alone; drop run again and the main entry point
    afterwards change nothing."""
    pki = str(tmp_path / "pki")

    def step(name):
        return run_playbook(PLAYBOOK, {"pki_dir": pki, "pki_entry": "rotate_ca", "pki_rotate_ca_step": name},
                            inventory=INVENTORY)

    rc, out = run_playbook(PLAYBOOK, {"pki_dir": pki}, inventory=INVENTORY)
    assert rc == 0, out
    before = state(pki)
    old = {ca: _certs(os.path.join(pki, ca))[0] for ca in cas(before)}

    rc, out = step("add")
    assert rc == 0, out
    for ca, cert in old.items():
        folder = os.path.dirname(os.path.join(pki, ca))
        new = _certs(os.path.join(folder, "ca-next.crt"))[0]
        assert new.subject == cert.subject and new.public_key() != cert.public_key()
        assert _certs(os.path.join(folder, "ca-trust.crt")) == [cert, new]
    assert _kubeconfig_ca(pki) == _certs(os.path.join(pki, "ca-trust.crt"))
    assert state(pki) == before  # nothing signs with the new CAs yet
    added = {ca: _certs(os.path.join(os.path.dirname(os.path.join(pki, ca)), "ca-next.crt"))[0] for ca in old}

    rc, out = step("switch")
    assert rc == 0, out
    switched = state(pki)
    for path, (serial, key) in before.items():
        cert = _certs(os.path.join(pki, path))[0]
        issuer = added.get(path) or added[os.path.join(os.path.dirname(path), "ca.crt").lstrip("/")]
        if path in old:
            assert cert == issuer, path
        else:
            assert switched[path][0] != serial and switched[path][1] == key, path  # signed again, key kept
            cert.verify_directly_issued_by(issuer)
    for ca in old:
        folder = os.path.dirname(os.path.join(pki, ca))
        assert _certs(os.path.join(folder, "ca-previous.crt")) == [old[ca]]
        assert not os.path.exists(os.path.join(folder, "ca-next.crt"))

    rc, out = step("drop")
    assert rc == 0, out
    for ca in old:
        folder = os.path.dirname(os.path.join(pki, ca))
        left = sorted(name for name in os.listdir(folder) if name.startswith("ca"))
        assert left == ["ca-trust.dropped.pem", "ca.crt", "ca.csr", "ca.key"], left
    assert _kubeconfig_ca(pki) == [added["ca.crt"]]
    rc, out = step("drop")
    assert rc == 0 and "changed=0" in out, out
    # The main entry point (site.yml) finds everything in place.
    rc, out = run_playbook(PLAYBOOK, {"pki_dir": pki}, inventory=INVENTORY)
    assert rc == 0 and "changed=0" in out, out
