# -*- coding: utf-8 -*-
# Copyright: fromscratch.kubernetes contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A role's folders and small files (rendered configuration, systemd units, kubeconfigs) converged
in one pass with the Python standard library alone: folders created like ``mkdir -p`` and their mode,
owner and group set; files written atomically (a temporary file in the same folder, chown, chmod,
fsync, ``os.replace``) when their bytes differ, or their attributes fixed in place when only those do.

``plan()`` finds, without changing anything, what differs (and refuses bad modes, unknown users and
groups, missing folders and paths of the wrong type before any change); ``apply()`` makes it so.
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import stat
import tempfile

OCTAL_MODE = re.compile(r"^[0-7]{4}$")

DIRECTORY_DEFAULTS = {"mode": "0755", "owner": "root", "group": "root"}
FILE_DEFAULTS = {"mode": "0644", "owner": "root", "group": "root"}


class HostFilesError(Exception):
    """Why the folders and files cannot be converged; the message is a sentence."""


def parse_mode(mode, path):
    """'0640' -> 0o640. Only four octal digits: an unquoted 0644 in YAML reaches the module as the
    integer 420, which must not pass as a mode."""
    if not isinstance(mode, str) or not OCTAL_MODE.match(mode):
        raise HostFilesError(
            "The mode %r of %s is not four octal digits such as \"0644\"; quote it in YAML so it stays "
            "a string." % (mode, path))
    return int(mode, 8)


def user_id(name):
    """uid of a user name (or of a number), None when the host has no such user."""
    try:
        return pwd.getpwnam(name).pw_uid
    except KeyError:
        return int(name) if name.isdigit() else None


def group_id(name):
    """gid of a group name (or of a number), None when the host has no such group."""
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        return int(name) if name.isdigit() else None


def unique(paths):
    seen = set()
    return [path for path in paths if not (path in seen or seen.add(path))]


class HostFiles(object):
    """The folders and files one module run converges (the host_files module's logic; run()
    returns (failed, result) as the other helpers do)."""

    def __init__(self, directories=(), files=()):
        self.directories = [self.entry(item, DIRECTORY_DEFAULTS, "directory") for item in directories or ()]
        self.files = [self.entry(item, FILE_DEFAULTS, "file") for item in files or ()]
        self.applied = []

    @staticmethod
    def entry(item, defaults, kind):
        entry = dict(defaults)
        entry.update((key, value) for key, value in item.items() if value is not None)
        entry["type"] = kind
        return entry

    def resolve(self):
        """Check every path, mode, owner and group before anything changes: fill in "path" (normal
        form), "mode_bits", "uid" and "gid", or raise HostFilesError naming what is wrong."""
        unknown = []
        for entry in self.directories + self.files:
            path = entry.get("path")
            if not path or not os.path.isabs(path):
                raise HostFilesError("The %s path %r is not absolute; give the full path." % (entry["type"], path))
            entry["path"] = os.path.normpath(path)
            entry["mode_bits"] = parse_mode(entry["mode"], entry["path"])
            entry["uid"] = user_id(str(entry["owner"]))
            entry["gid"] = group_id(str(entry["group"]))
            if entry["uid"] is None:
                unknown.append("no user named %s (owner of %s)" % (entry["owner"], entry["path"]))
            if entry["gid"] is None:
                unknown.append("no group named %s (group of %s)" % (entry["group"], entry["path"]))
            if entry["type"] == "file" and not isinstance(entry.get("content"), str):
                raise HostFilesError("The file %s has no content; give its text in content." % entry["path"])
        if unknown:
            raise HostFilesError("This host has %s; nothing was changed." % "; ".join(unknown))

    def plan(self):
        """The changes that would make the host match, in order (folders first), as dicts:
        path, type, action (create, write or attributes), differs (what differs), and what to set.
        Changes nothing; raises HostFilesError before any change when the entries cannot be met."""
        self.resolve()
        # What earlier changes of this plan leave at a path: {path: {type, created, mode_bits, uid, gid, content}}
        self.planned = {}
        changes = []
        for entry in self.directories:
            changes.extend(self.plan_directory(entry))
        for entry in self.files:
            changes.extend(self.plan_file(entry))
        return changes

    def plan_directory(self, entry):
        path = entry["path"]
        current = self.planned.get(path)
        if current is None:
            current = self.stat_directory(path)
        elif current["type"] != "directory":
            raise HostFilesError("%s is listed as a file and as a directory." % path)
        if current is None:
            changes = [self.change(parent, entry, "create", ["missing"]) for parent in self.missing_parents(path)]
            return changes + [self.change(path, entry, "create", ["missing"])]
        differs = self.attributes_differ(current, entry)
        return [self.change(path, entry, "attributes", differs)] if differs else []

    def stat_directory(self, path):
        """{type, mode_bits, uid, gid} of an existing folder (a link to one counts as one), else None."""
        try:
            found = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            if os.path.lexists(path):
                raise HostFilesError("%s exists and is not a directory (it is a broken symlink)." % path)
            return None
        except OSError as exc:
            raise HostFilesError("Cannot read the directory %s: %s." % (path, exc.strerror or exc))
        if not stat.S_ISDIR(found.st_mode):
            raise HostFilesError("%s exists and is not a directory." % path)
        return {"type": "directory", "mode_bits": stat.S_IMODE(found.st_mode), "uid": found.st_uid,
                "gid": found.st_gid}

    def missing_parents(self, path):
        """The folders above path that do not exist yet, outermost first (as mkdir -p makes them)."""
        missing = []
        parent = os.path.dirname(path)
        while parent not in self.planned and not os.path.isdir(parent):
            if os.path.lexists(parent):
                raise HostFilesError("Cannot create the directory %s: %s exists and is not a directory." % (path, parent))
            missing.append(parent)
            parent = os.path.dirname(parent)
        if self.planned.get(parent, {}).get("type", "directory") != "directory":
            raise HostFilesError("Cannot create the directory %s: %s is listed as a file." % (path, parent))
        return missing[::-1]

    def plan_file(self, entry):
        path = entry["path"]
        folder = os.path.dirname(path)
        wanted = entry["content"].encode("utf-8")
        entry["bytes"] = wanted
        in_folder = self.planned.get(folder)
        if in_folder is None and not os.path.isdir(folder):
            raise HostFilesError(
                "Cannot write %s: its folder %s does not exist; create it first (list it under directories)."
                % (path, folder))
        if in_folder is not None and in_folder["type"] != "directory":
            raise HostFilesError("Cannot write %s: its folder %s is listed as a file." % (path, folder))
        current = self.planned.get(path)
        if current is None and not (in_folder and in_folder["created"]):
            current = self.stat_file(path)
        if current is not None and current["type"] == "directory":
            raise HostFilesError("%s is a directory; it cannot be written as a file." % path)
        if current is None:
            return [self.change(path, entry, "write", ["missing"])]
        if current["type"] == "link":
            return [self.change(path, entry, "write", ["symlink"])]
        differs = [] if self.same_content(path, current, wanted) else ["content"]
        differs += self.attributes_differ(current, entry)
        if not differs:
            return []
        return [self.change(path, entry, "write" if "content" in differs else "attributes", differs)]

    def stat_file(self, path):
        """{type, mode_bits, uid, gid, size} of what is at path now (type file or link), else None."""
        try:
            found = os.lstat(path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise HostFilesError("Cannot read %s: %s." % (path, exc.strerror or exc))
        if stat.S_ISLNK(found.st_mode):
            if os.path.isdir(path):
                raise HostFilesError("%s is a symlink to a directory; it cannot be written as a file." % path)
            return {"type": "link"}
        if stat.S_ISDIR(found.st_mode):
            raise HostFilesError("%s is a directory; it cannot be written as a file." % path)
        if not stat.S_ISREG(found.st_mode):
            raise HostFilesError("%s exists and is not a regular file; it cannot be written." % path)
        return {"type": "file", "mode_bits": stat.S_IMODE(found.st_mode), "uid": found.st_uid,
                "gid": found.st_gid, "size": found.st_size}

    @staticmethod
    def same_content(path, current, wanted):
        if "content" in current:
            return current["content"] == wanted
        if current["size"] != len(wanted):
            return False
        try:
            with open(path, "rb") as handle:
                return handle.read() == wanted
        except OSError as exc:
            raise HostFilesError("Cannot read %s: %s." % (path, exc.strerror or exc))

    @staticmethod
    def attributes_differ(current, entry):
        differs = []
        if current["mode_bits"] != entry["mode_bits"]:
            differs.append("mode")
        if current["uid"] != entry["uid"]:
            differs.append("owner")
        if current["gid"] != entry["gid"]:
            differs.append("group")
        return differs

    def change(self, path, entry, action, differs):
        """One change; also records what it leaves at path for the later entries of the plan."""
        before = self.planned.get(path)
        created = action == "create" or bool(before and before["created"])
        self.planned[path] = {"type": entry["type"], "created": created, "mode_bits": entry["mode_bits"],
                              "uid": entry["uid"], "gid": entry["gid"]}
        if entry["type"] == "file":
            self.planned[path]["content"] = entry["bytes"]
        return {"path": path, "type": entry["type"], "action": action, "differs": differs,
                "mode_bits": entry["mode_bits"], "uid": entry["uid"], "gid": entry["gid"],
                "content": entry.get("bytes")}

    def apply(self, changes=None):
        """Make the changes of plan() (computed now when not given); each one done is appended to
        self.applied. Raises HostFilesError, with the path and the system's reason, on the first failure."""
        for change in self.plan() if changes is None else changes:
            path = change["path"]
            try:
                if change["action"] == "create":
                    os.mkdir(path, 0o700)
                    self.set_attributes(path, change, None)
                elif change["action"] == "write":
                    self.write(path, change)
                else:
                    self.set_attributes(path, change, os.stat(path))
            except OSError as exc:
                doing = {"create": "create the directory", "write": "write",
                         "attributes": "set the mode, owner and group of"}[change["action"]]
                raise HostFilesError("Cannot %s %s: %s." % (doing, path, exc.strerror or exc))
            self.applied.append(change)
        return self.applied

    @staticmethod
    def set_attributes(path, change, found):
        """chown (when the owner or group differs, or on a new path) and then chmod, since a chown may
        clear the setuid and setgid bits."""
        if found is None or (found.st_uid, found.st_gid) != (change["uid"], change["gid"]):
            os.chown(path, change["uid"], change["gid"])
            os.chmod(path, change["mode_bits"])
        elif stat.S_IMODE(found.st_mode) != change["mode_bits"]:
            os.chmod(path, change["mode_bits"])

    @staticmethod
    def write(path, change):
        """Atomically: a temporary file next to path, chown, chmod, fsync, then os.replace over path
        (which replaces a symlink itself, not what it points to)."""
        folder, name = os.path.split(path)
        handle, temporary = tempfile.mkstemp(prefix=".%s." % name, suffix=".tmp", dir=folder)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(change["content"])
                stream.flush()
                os.fchown(stream.fileno(), change["uid"], change["gid"])
                os.fchmod(stream.fileno(), change["mode_bits"])
                os.fsync(stream.fileno())
            os.replace(temporary, path)
        except BaseException:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            raise
        try:
            folder_handle = os.open(folder, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(folder_handle)
        except OSError:
            pass
        finally:
            os.close(folder_handle)

    @staticmethod
    def result(changes):
        paths = unique(change["path"] for change in changes)
        return {
            "changed": bool(changes),
            "changed_paths": paths,
            "changed_directories": unique(change["path"] for change in changes if change["type"] == "directory"),
            "changed_files": unique(change["path"] for change in changes if change["type"] == "file"),
            "changes": [{"path": change["path"], "type": change["type"], "differs": change["differs"]}
                        for change in changes],
        }

    def run(self, check_mode=False):
        """Plan, and unless check_mode apply; return (failed, result). On a failure the result lists
        what had already changed."""
        try:
            changes = self.plan()
            if check_mode:
                return False, self.result(changes)
            self.apply(changes)
        except HostFilesError as exc:
            return True, dict(self.result(self.applied), msg=str(exc))
        return False, self.result(self.applied)
