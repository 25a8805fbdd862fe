# Copyright: fromscratch.kubernetes contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""files_to_copy: which controller files differ from what a host has in place."""

from __future__ import annotations

import hashlib
import os

from ansible.errors import AnsibleFilterError


# Files this big (binaries of the download cache) keep their sha1 next to them in <file>.sha1, with
# the inode, size, modification and change times it was computed for (a file unpacked again gets a
# new change time even when the archive sets the same modification time): every host of a run compares against them,
# and hashing hundreds of megabytes once per host and run is the largest cost of a run that changes
# nothing. Smaller files (certificates, kubeconfigs) are hashed each time and leave nothing behind.
CACHE_FROM_BYTES = 1 << 20


def _hash(path):
    digest = hashlib.sha1()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as err:
        raise AnsibleFilterError("files_to_copy cannot read %s on the controller: %s" % (path, err.strerror))
    return digest.hexdigest()


def _sha1(path):
    try:
        info = os.stat(path)
    except OSError as err:
        raise AnsibleFilterError("files_to_copy cannot read %s on the controller: %s" % (path, err.strerror))
    if info.st_size < CACHE_FROM_BYTES:
        return _hash(path)
    stamp = "%d %d %d %d" % (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    cache = path + ".sha1"
    try:
        with open(cache, encoding="ascii") as handle:
            cached_stamp, _sep, digest = handle.read().strip().rpartition(" ")
        if cached_stamp == stamp and len(digest) == 40:
            return digest
    except (OSError, ValueError):
        pass
    digest = _hash(path)
    try:
        partial = "%s.%d.tmp" % (cache, os.getpid())
        with open(partial, "w", encoding="ascii") as handle:
            handle.write("%s %s\n" % (stamp, digest))
        os.replace(partial, cache)
    except OSError:
        pass  # a read-only cache folder: hash again next time
    return digest


def _private(name):
    return name.endswith((".key", ".kubeconfig")) or os.path.basename(name) == "kubeconfig"


# During a CA rotation (playbooks/rotate-ca.yml) the controller keeps, next to a CA's ca.crt (the
# certificate that signs), ca-trust.crt: the bundle of the old and the new CA that every host and
# kubeconfig trusts until the old one is dropped.
TRUST_FILE = "ca-trust.crt"


def ca_trust(path):
    """Return the file a host must trust for the CA certificate ``path`` on the controller: the
    rotation's bundle next to it when there is one, else ``path`` itself."""
    if not isinstance(path, str) or not path:
        raise AnsibleFilterError("ca_trust expects the path of a CA certificate, got %r" % (path,))
    bundle = os.path.join(os.path.dirname(path), TRUST_FILE)
    return bundle if os.path.exists(bundle) else path


def files_to_copy(files, found, src_dir="", dest_dir=""):
    """Return the entries of ``files`` whose destination is missing or differs.

    ``files``: dicts with ``src`` (controller path, relative to ``src_dir``) and ``dest`` (host
    path, relative to ``dest_dir``), and optionally ``mode`` (default 0600 for private keys and
    kubeconfigs, ``*.key`` and ``*.kubeconfig``, else 0644), ``owner`` and ``group`` (root).
    ``found``: the registered result of ``ansible.builtin.find`` with ``get_checksum: true`` over
    the destination folders. A destination differs when it is missing, or its sha1, mode, owner
    or group is not the wanted one. The entries come back with absolute paths and every
    attribute filled in, ready for ``ansible.builtin.copy``.
    """
    if not isinstance(files, list):
        raise AnsibleFilterError("files_to_copy expects a list of files, got %s" % type(files).__name__)
    if not isinstance(found, dict) or "files" not in found:
        raise AnsibleFilterError("files_to_copy expects the registered result of ansible.builtin.find")
    in_place = dict((entry.get("path"), entry) for entry in found["files"])
    todo = []
    for entry in files:
        if not isinstance(entry, dict) or "src" not in entry or "dest" not in entry:
            raise AnsibleFilterError("files_to_copy: every file needs src and dest, got %r" % (entry,))
        wanted = dict(entry)
        wanted["src"] = os.path.join(src_dir, entry["src"]) if src_dir else entry["src"]
        wanted["dest"] = os.path.join(dest_dir, entry["dest"]) if dest_dir else entry["dest"]
        wanted.setdefault("mode", "0600" if _private(wanted["dest"]) else "0644")
        wanted.setdefault("owner", "root")
        wanted.setdefault("group", "root")
        have = in_place.get(wanted["dest"])
        if (
            have is None
            or have.get("checksum") != _sha1(wanted["src"])
            or int(str(have.get("mode", "0")), 8) != int(str(wanted["mode"]), 8)
            or have.get("pw_name") != wanted["owner"]
            or have.get("gr_name") != wanted["group"]
        ):
            todo.append(wanted)
    return todo


def certificate_files(files, src_dir="", dest_dir=""):
    """Return ``files`` as the ``files`` option of the host_files module: every role installs its
    certificates, keys and kubeconfigs this way (one module run, which compares on the host).

    ``files``: dicts with ``src`` (controller path, relative to ``src_dir``) and ``dest`` (host
    path, relative to ``dest_dir``), and optionally ``trust`` (true for a CA certificate the host
    trusts: the rotation's bundle next to it is installed instead while there is one, ``ca_trust``),
    ``mode`` (default 0600 for ``*.key``, ``*.kubeconfig`` and ``kubeconfig``, else 0644), ``owner`` and ``group``
    (root). Each entry comes back as ``path``, ``content`` (the controller file's
    text), ``mode``, ``owner`` and ``group``.
    """
    if not isinstance(files, list):
        raise AnsibleFilterError("certificate_files expects a list of files, got %s" % type(files).__name__)
    wanted = []
    for entry in files:
        if not isinstance(entry, dict) or "src" not in entry or "dest" not in entry:
            raise AnsibleFilterError("certificate_files: every file needs src and dest, got %r" % (entry,))
        src = os.path.expanduser(os.path.join(src_dir, entry["src"]) if src_dir else entry["src"])
        if entry.get("trust", False):
            src = ca_trust(src)
        dest = os.path.join(dest_dir, entry["dest"]) if dest_dir else entry["dest"]
        try:
            with open(src, encoding="utf-8") as handle:
                content = handle.read()
        except (OSError, UnicodeDecodeError) as err:
            raise AnsibleFilterError("certificate_files cannot read %s on the controller: %s" % (src, getattr(err, "strerror", None) or err))
        wanted.append(
            {
                "path": dest,
                "content": content,
                "mode": str(entry.get("mode", "0600" if _private(dest) else "0644")),
                "owner": entry.get("owner", "root"),
                "group": entry.get("group", "root"),
            }
        )
    return wanted


class FilterModule(object):
    def filters(self):
        return {"files_to_copy": files_to_copy, "ca_trust": ca_trust, "certificate_files": certificate_files}
