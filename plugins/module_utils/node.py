# -*- coding: utf-8 -*-
# Copyright: fromscratch.kubernetes contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a host offers a Kubernetes node, read from /proc, /sys, /lib/modules and /etc (read-only):
kernel modules (loaded, built in, or loadable), sysctls, the cgroup version, active swap, and the
resolv.conf that pods should get. Every path is read below ``root`` so tests can give a folder.
"""

from __future__ import annotations

import os

# A module that is built in leaves no /sys/module entry unless it has parameters; what it provides
# shows elsewhere. (path below root, text that must be in it or None for "exists")
MODULE_PROOFS = {
    "overlay": ("proc/filesystems", "\toverlay\n"),
    "br_netfilter": ("proc/sys/net/bridge/bridge-nf-call-iptables", None),
}

RESOLVED_UPSTREAM = "/run/systemd/resolve/resolv.conf"


class NodeFacts(object):
    """Reads the facts; every method is read-only."""

    def __init__(self, root="/"):
        self.root = root

    def path(self, path):
        return os.path.join(self.root, path.lstrip("/"))

    def read(self, path, default=None):
        try:
            with open(self.path(path)) as handle:
                return handle.read()
        except (IOError, OSError):
            return default

    def exists(self, path):
        return os.path.exists(self.path(path))

    def kernel_release(self):
        return (self.read("/proc/sys/kernel/osrelease") or "").strip()

    def module_dir(self):
        """/lib/modules/<release> when the kernel has loadable modules here, else None."""
        release = self.kernel_release()
        folder = "/lib/modules/%s" % release
        return folder if release and self.exists(folder) else None

    def builtin_modules(self):
        listing = self.read("%s/modules.builtin" % self.module_dir(), "") if self.module_dir() else ""
        return set(os.path.basename(line.strip())[:-len(".ko")] for line in listing.splitlines()
                   if line.strip().endswith(".ko"))

    def module(self, name, builtin):
        """{name, active, how}: active when loaded, built in, or what it provides is there."""
        proof = MODULE_PROOFS.get(name)
        if self.exists("/sys/module/%s" % name):
            how = "built in" if name in builtin else "loaded"
        elif name in builtin:
            how = "built in"
        elif proof and self.exists(proof[0]) and (proof[1] is None or proof[1] in (self.read(proof[0]) or "")):
            how = "built in (/%s)" % proof[0]
        else:
            how = None
        return {"name": name, "active": how is not None, "how": how or "absent"}

    def sysctl(self, key):
        value = self.read("/proc/sys/%s" % key.replace(".", "/"))
        return None if value is None else " ".join(value.split())

    def cgroup_version(self):
        """2 on a unified (cgroup v2) hierarchy, 1 on v1 or hybrid."""
        return 2 if self.exists("/sys/fs/cgroup/cgroup.controllers") else 1

    def swaps(self):
        lines = (self.read("/proc/swaps", "") or "").splitlines()[1:]
        return [line.split()[0] for line in lines if line.strip()]

    def nameservers(self, path):
        text = self.read(path, "") or ""
        return [line.split()[1] for line in text.splitlines()
                if line.strip().startswith("nameserver") and len(line.split()) > 1]

    def pod_resolv_conf(self):
        """(path, problem): the resolv.conf the kubelet hands pods (and CoreDNS forwards to).

        Loopback nameservers (systemd-resolved's 127.0.0.53 stub) mean nothing inside a pod and make
        CoreDNS forward to itself: use systemd-resolved's list of upstream servers instead, as
        kubeadm does."""
        servers = self.nameservers("/etc/resolv.conf")
        loopback = [server for server in servers if server.startswith("127.") or server == "::1"]
        if not loopback:
            return "/etc/resolv.conf", None
        if self.nameservers(RESOLVED_UPSTREAM):
            return RESOLVED_UPSTREAM, None
        if len(loopback) < len(servers):
            return "/etc/resolv.conf", None
        return "/etc/resolv.conf", (
            "/etc/resolv.conf names only a local resolver (%s) and %s lists no upstream servers: pods and "
            "CoreDNS would forward to themselves. Set kubelet_resolv_conf to a file that names the "
            "network's DNS servers." % (", ".join(loopback), RESOLVED_UPSTREAM))

    def report(self, modules, sysctls):
        builtin = self.builtin_modules()
        resolv, problem = self.pod_resolv_conf()
        return {
            "kernel_release": self.kernel_release(),
            "module_dir": self.module_dir(),
            "modules": [self.module(name, builtin) for name in modules],
            "sysctls": dict((key, self.sysctl(key)) for key in sysctls),
            "cgroup_version": self.cgroup_version(),
            "swaps": self.swaps(),
            "pod_resolv_conf": resolv,
            "pod_resolv_conf_problem": problem,
        }
