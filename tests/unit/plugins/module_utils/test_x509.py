"""The standard-library X.509 reader and the certificate_report logic, against certificates made by
the cryptography package and read back by openssl."""

import base64
import datetime
import ipaddress
import json
import os
import subprocess
import sys

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.fromscratch.kubernetes.plugins.module_utils import x509 as ours

from conftest import COLLECTIONS

# The certificates are made relative to the real clock: the module run for real reads it.
NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def name(cn, orgs=()):
    attrs = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, org) for org in orgs]
    attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "fromscratch.kubernetes"))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def make(cn, days, issuer=None, key=None, sans=(), ca=False, orgs=(), serial=None, not_after=None):
    key = key or ec.generate_private_key(ec.SECP256R1())
    issuer_name, issuer_key = issuer or (name(cn, orgs), key)
    builder = (x509.CertificateBuilder()
               .subject_name(name(cn, orgs)).issuer_name(issuer_name)
               .public_key(key.public_key())
               .serial_number(serial or x509.random_serial_number())
               .not_valid_before(NOW - datetime.timedelta(days=30))
               .not_valid_after(not_after or NOW + datetime.timedelta(days=days, hours=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if sans:
        names = [x509.IPAddress(ipaddress.ip_address(s[3:])) if s.startswith("IP:") else x509.DNSName(s[4:]) for s in sans]
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    cert = builder.sign(issuer_key, hashes.SHA256())
    return cert, key


def b64(cert):
    return base64.b64encode(cert.public_bytes(serialization.Encoding.PEM)).decode()


@pytest.fixture(name="pki")
def fixture_pki(tmp_path):
    ca, ca_key = make("kubernetes-ca", 3650, ca=True)
    issuer = (ca.subject, ca_key)
    api, _key = make("kube-apiserver", 1825, issuer, sans=["DNS:kubernetes", "IP:10.32.0.1", "IP:fd00::1"])
    node, _key = make("system:node:n1", 10, issuer, orgs=["system:nodes"], serial=0x8F00AA)
    (tmp_path / "ca.crt").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "apiserver.crt").write_bytes(api.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "ca.csr").write_text("not read: not a matching name")
    sub = tmp_path / "kubeconfigs"
    sub.mkdir()
    (sub / "n1.kubeconfig").write_text(
        "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: %s\n    server: https://x:6443\n"
        "users:\n- name: n1\n  user:\n    client-certificate-data: %s\n    client-key-data: a2V5\n" % (b64(ca), b64(node)))
    return tmp_path


def test_fields_match_what_openssl_reads(pki):
    cert = ours.certificates_in_file(str(pki / "apiserver.crt"), NOW)[0]
    text = subprocess.run(["openssl", "x509", "-in", str(pki / "apiserver.crt"), "-noout", "-serial", "-subject",
                           "-issuer", "-enddate", "-nameopt", "RFC2253", "-ext", "subjectAltName"],
                          check=True, capture_output=True, text=True).stdout
    serial = next(line for line in text.splitlines() if line.startswith("serial="))
    assert int(serial[len("serial="):], 16) == int(cert["serial"], 16)
    assert "subject=" + cert["subject"] in text
    assert "issuer=" + cert["issuer"] in text
    assert cert["subject"] == "CN=kube-apiserver,OU=fromscratch.kubernetes"
    assert cert["sans"] == ["DNS:kubernetes", "IP:10.32.0.1", "IP:fd00::1"]
    assert "IP Address:10.32.0.1" in text and "DNS:kubernetes" in text
    assert cert["days_left"] == 1825 and not cert["expired"] and not cert["is_ca"]


def test_folder_report_reads_pem_and_kubeconfigs_and_marks_what_is_due(pki):
    failed, result = ours.CertificateReport([str(pki), str(pki / "absent")], ["*.crt", "*kubeconfig"], 30, NOW).run()
    assert not failed
    assert result["missing"] == [str(pki / "absent")]
    assert len(result["files"]) == 3  # the CSR is not read
    assert len(result["certificates"]) == 4
    first = result["certificates"][0]
    assert (first["common_name"], first["source"], first["days_left"], first["due"]) == \
        ("system:node:n1", "client-certificate-data", 10, True)
    assert first["organizations"] == ["system:nodes"] and first["serial"] == "8f00aa"
    assert [c["common_name"] for c in result["due"]] == ["system:node:n1"]
    assert sum(1 for c in result["certificates"] if c["is_ca"]) == 2
    assert result["soonest_days_left"] == 10
    assert result["msg"] == "4 certificates in 3 files; the first expires in 10 days; 1 within 30 days."
    assert result["table"][0].split() == ["DAYS", "EXPIRES", "CA", "SUBJECT", "FILE"]
    assert result["table"][1].split()[0] == "10"


def test_expired_certificate_has_negative_days(tmp_path):
    cert, _key = make("old", 0, not_after=NOW - datetime.timedelta(days=3, hours=1))
    (tmp_path / "old.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    result = ours.certificates_in_file(str(tmp_path / "old.crt"), NOW)[0]
    assert result["expired"] and result["days_left"] == -4


def test_broken_certificate_fails_with_a_sentence(tmp_path):
    (tmp_path / "bad.crt").write_text("-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n")
    failed, result = ours.CertificateReport([str(tmp_path)], ["*.crt"], 30, NOW).run()
    assert failed
    assert result["msg"].startswith(str(tmp_path / "bad.crt") + " holds a certificate that cannot be read: ")
    assert result["msg"].endswith(".")


def test_module_runs_for_real_and_reports_json(pki):
    env = dict(os.environ, PYTHONPATH=COLLECTIONS)
    args = json.dumps({"ANSIBLE_MODULE_ARGS": {"paths": [str(pki)], "renew_before": 5}})
    out = subprocess.run([sys.executable, "-m", "ansible_collections.fromscratch.kubernetes.plugins.modules.certificate_report"],
                         input=args, capture_output=True, text=True, env=env, check=False)
    result = json.loads(out.stdout)
    assert not result.get("failed") and result["changed"] is False
    assert len(result["certificates"]) == 4 and result["due"] == []
