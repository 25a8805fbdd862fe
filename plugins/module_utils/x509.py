# -*- coding: utf-8 -*-
# Copyright: fromscratch.kubernetes contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read X.509 certificates with the Python standard library alone (managed hosts have no
``cryptography``): a small DER reader for the fields a certificate report needs - subject,
issuer, serial, validity, subject alternative names and whether it is a CA - and a finder for the
certificates in PEM files and in kubeconfigs (``*-data`` fields, base64 PEM).
"""

from __future__ import annotations

import base64
import fnmatch
import binascii
import datetime
import ipaddress
import os
import re

PEM_CERT = re.compile(rb"-----BEGIN CERTIFICATE-----\s+([A-Za-z0-9+/=\s]+?)-----END CERTIFICATE-----")
KUBECONFIG_CERT = re.compile(rb"^\s*(client-certificate-data|certificate-authority-data):\s*([A-Za-z0-9+/=]+)\s*$", re.M)

# Attribute names as openssl prints them (RFC 4514 short names).
NAME_OIDS = {
    "2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.10": "O", "2.5.4.11": "OU",
    "1.2.840.113549.1.9.1": "emailAddress",
}
OID_SAN = "2.5.29.17"
OID_BASIC_CONSTRAINTS = "2.5.29.19"


class X509Error(Exception):
    """A certificate that cannot be read; the message is a sentence."""


def read_tlv(data, pos):
    """One DER element at pos -> (tag, content start, content end)."""
    if pos + 2 > len(data):
        raise X509Error("The DER data ends inside an element header.")
    tag = data[pos]
    length = data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or pos + count > len(data):
            raise X509Error("The DER data has an unsupported length encoding.")
        length = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    if pos + length > len(data):
        raise X509Error("The DER data is shorter than an element says it is.")
    return tag, pos, pos + length


def children(data, start, end):
    """The elements inside a constructed element's content -> [(tag, start, end), ...]."""
    out = []
    pos = start
    while pos < end:
        tag, cstart, cend = read_tlv(data, pos)
        out.append((tag, cstart, cend))
        pos = cend
    return out


def decode_oid(raw):
    """OBJECT IDENTIFIER content -> dotted string."""
    if not raw:
        raise X509Error("An object identifier is empty.")
    parts = [raw[0] // 40, raw[0] % 40] if raw[0] < 80 else [2, raw[0] - 80]
    value = 0
    for byte in raw[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(str(part) for part in parts)


def decode_string(tag, raw):
    """A directory string (UTF8, printable, IA5, BMP...) -> text."""
    if tag == 0x1E:  # BMPString
        return raw.decode("utf-16-be", "replace")
    return raw.decode("utf-8", "replace")


def decode_name(data, start, end):
    """A Name (SEQUENCE OF SET OF AttributeTypeAndValue) -> (text in RFC 4514 order, [(key, value)])."""
    pairs = []
    for _tag, set_start, set_end in children(data, start, end):
        for _atag, astart, aend in children(data, set_start, set_end):
            parts = children(data, astart, aend)
            if len(parts) < 2:
                raise X509Error("A name attribute has no value.")
            oid = decode_oid(data[parts[0][1]:parts[0][2]])
            value = decode_string(parts[1][0], data[parts[1][1]:parts[1][2]])
            pairs.append((NAME_OIDS.get(oid, oid), value))
    # RFC 4514 writes the most specific attribute first, as openssl -nameopt RFC2253 does.
    text = ",".join("%s=%s" % (key, value.replace(",", "\\,")) for key, value in reversed(pairs))
    return text, pairs


def decode_time(tag, raw):
    """UTCTime (0x17) or GeneralizedTime (0x18) -> aware datetime in UTC."""
    text = raw.decode("ascii", "replace")
    try:
        if tag == 0x17:
            stamp = datetime.datetime.strptime(text, "%y%m%d%H%M%SZ")
        elif tag == 0x18:
            stamp = datetime.datetime.strptime(text, "%Y%m%d%H%M%SZ")
        else:
            raise ValueError(text)
    except ValueError as exc:
        raise X509Error("A validity time (%s) is not a UTC time." % text) from exc
    return stamp.replace(tzinfo=datetime.timezone.utc)


def decode_sans(data, start, end):
    """SubjectAltName extension value (SEQUENCE OF GeneralName) -> ['DNS:x', 'IP:1.2.3.4', ...]."""
    _tag, sstart, send = read_tlv(data, start)
    sans = []
    for tag, gstart, gend in children(data, sstart, send):
        raw = data[gstart:gend]
        kind = tag & 0x1F
        if kind == 2:
            sans.append("DNS:" + raw.decode("ascii", "replace"))
        elif kind == 7:
            try:
                sans.append("IP:" + str(ipaddress.ip_address(raw)))
            except ValueError:
                sans.append("IP:" + raw.hex())
        elif kind == 1:
            sans.append("email:" + raw.decode("ascii", "replace"))
        elif kind == 6:
            sans.append("URI:" + raw.decode("ascii", "replace"))
    return sans


def decode_basic_constraints(data, start, end):
    """BasicConstraints extension value -> whether the certificate is a CA."""
    _tag, sstart, send = read_tlv(data, start)
    for tag, bstart, bend in children(data, sstart, send):
        if tag == 0x01:
            return data[bstart:bend] != b"\x00"
    return False


def parse_der(der, now=None):
    """A DER certificate -> dict of the fields the report gives."""
    data = bytes(der)
    try:
        _tag, cstart, cend = read_tlv(data, 0)
        tbs_tag, tstart, tend = children(data, cstart, cend)[0]
        if tbs_tag != 0x30:
            raise X509Error("The data is not an X.509 certificate.")
        fields = children(data, tstart, tend)
        if fields and fields[0][0] == 0xA0:  # [0] version
            fields = fields[1:]
        if len(fields) < 6:
            raise X509Error("The certificate has fewer fields than X.509 requires.")
        serial = int.from_bytes(data[fields[0][1]:fields[0][2]], "big", signed=True)
        issuer, _issuer_pairs = decode_name(data, fields[2][1], fields[2][2])
        validity = children(data, fields[3][1], fields[3][2])
        not_before = decode_time(validity[0][0], data[validity[0][1]:validity[0][2]])
        not_after = decode_time(validity[1][0], data[validity[1][1]:validity[1][2]])
        subject, subject_pairs = decode_name(data, fields[4][1], fields[4][2])
        sans, is_ca = [], False
        for tag, estart, eend in fields[6:]:
            if tag != 0xA3:  # [3] extensions
                continue
            _stag, sstart, send = read_tlv(data, estart)
            for _xtag, xstart, xend in children(data, sstart, send):
                parts = children(data, xstart, xend)
                oid = decode_oid(data[parts[0][1]:parts[0][2]])
                value = parts[-1]  # the OCTET STRING (after the optional critical flag)
                if oid == OID_SAN:
                    sans = decode_sans(data, value[1], value[2])
                elif oid == OID_BASIC_CONSTRAINTS:
                    is_ca = decode_basic_constraints(data, value[1], value[2])
    except (IndexError, X509Error) as exc:
        if isinstance(exc, X509Error):
            raise
        raise X509Error("The certificate's DER structure is incomplete.") from exc
    now = now or datetime.datetime.now(datetime.timezone.utc)
    seconds_left = (not_after - now).total_seconds()
    return {
        "subject": subject,
        "common_name": next((value for key, value in subject_pairs if key == "CN"), ""),
        "organizations": [value for key, value in subject_pairs if key == "O"],
        "issuer": issuer,
        "serial": "%x" % serial,
        "not_before": not_before.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "not_after": not_after.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "days_left": int(seconds_left // 86400),
        "expired": seconds_left <= 0,
        "sans": sans,
        "is_ca": is_ca,
    }


def pem_blocks(text):
    """Every PEM certificate in bytes -> list of DER blobs."""
    blocks = []
    for match in PEM_CERT.finditer(text):
        try:
            blocks.append(base64.b64decode(b"".join(match.group(1).split()), validate=True))
        except (binascii.Error, ValueError) as exc:
            raise X509Error("A PEM certificate block is not valid base64.") from exc
    return blocks


def certificates_in_file(path, now=None):
    """A PEM file or a kubeconfig -> [dict per certificate, with path, source and index]."""
    with open(path, "rb") as handle:
        text = handle.read()
    found = []
    for index, der in enumerate(pem_blocks(text)):
        found.append(dict(parse_der(der, now), path=path, source="pem", index=index))
    for match in KUBECONFIG_CERT.finditer(text):
        try:
            inner = base64.b64decode(match.group(2), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise X509Error("The %s of this kubeconfig is not valid base64." % match.group(1).decode()) from exc
        for index, der in enumerate(pem_blocks(inner)):
            found.append(dict(parse_der(der, now), path=path, source=match.group(1).decode(), index=index))
    return found


def candidate_files(paths, patterns):
    """Files named by paths (files as they are; folders searched recursively for names matching
    one of the shell patterns) -> sorted list."""

    files = set()
    for path in paths:
        if os.path.isfile(path):
            files.add(path)
        elif os.path.isdir(path):
            for root, _dirs, names in os.walk(path):
                for name in names:
                    if any(fnmatch.fnmatch(name, pattern) for pattern in patterns):
                        files.add(os.path.join(root, name))
    return sorted(files)


class CertificateReport:
    """Every certificate under some paths, with the ones due for renewal (the certificate_report
    module's logic; run() returns (failed, result) as the other helpers do)."""

    def __init__(self, paths, patterns, renew_before, now=None):
        self.paths = list(paths)
        self.patterns = list(patterns)
        self.renew_before = renew_before
        self.now = now

    def run(self):
        missing = [path for path in self.paths if not os.path.exists(path)]
        files = candidate_files(self.paths, self.patterns)
        certificates = []
        for path in files:
            try:
                certificates.extend(certificates_in_file(path, self.now))
            except OSError as exc:
                return True, {"msg": "Cannot read %s: %s." % (path, exc.strerror or exc), "files": files}
            except X509Error as exc:
                return True, {"msg": "%s holds a certificate that cannot be read: %s" % (path, exc), "files": files}
        for cert in certificates:
            cert["due"] = cert["days_left"] < self.renew_before
        certificates.sort(key=lambda cert: (cert["days_left"], cert["path"], cert["source"], cert["index"]))
        due = [cert for cert in certificates if cert["due"]]
        soonest = certificates[0]["days_left"] if certificates else None
        return False, {
            "certificates": certificates,
            "due": due,
            "files": files,
            "missing": missing,
            "soonest_days_left": soonest,
            "table": table(certificates),
            "msg": summary(certificates, files, due, soonest, self.renew_before),
        }


def table(certificates):
    """Readable lines: days left, expiry date, CA mark, subject, where."""
    lines = ["%6s  %-10s  %-2s  %-48s  %s" % ("DAYS", "EXPIRES", "CA", "SUBJECT", "FILE")]
    for cert in certificates:
        where = cert["path"] if cert["source"] == "pem" else "%s (%s)" % (cert["path"], cert["source"])
        lines.append("%6d  %-10s  %-2s  %-48s  %s" % (
            cert["days_left"], cert["not_after"][:10], "CA" if cert["is_ca"] else "", cert["subject"][:48], where))
    return lines


def summary(certificates, files, due, soonest, renew_before):
    """One sentence for msg."""
    if not certificates:
        return "No certificate found in %d files." % len(files)
    text = "%d certificates in %d files; the first expires in %d days; " % (len(certificates), len(files), soonest)
    if due:
        return text + "%d within %d days." % (len(due), renew_before)
    return text + "none within %d days." % renew_before
