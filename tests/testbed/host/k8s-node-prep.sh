#!/bin/sh
# Prepares a systemd container of the test bed to be a Kubernetes node (runs once at boot, before
# containerd and kubelet). Recipe and the error each step avoids: shared/research/kubelet-feasibility.md.
# It changes only this container's mount namespace, never the VM's kernel settings.
set -eu

# 1. name=systemd: podman stacks the VM's whole hierarchy over the container's subtree; drop the
#    stacked mount and self-bind the container's own path so systemd and runc resolve it.
own=$(awk -F: '$2 == "name=systemd" {print $3}' /proc/1/cgroup); own=${own%/init.scope}
if [ -n "$own" ] && [ "$own" != / ]; then
  if [ "$(grep -c ' /sys/fs/cgroup/systemd ' /proc/self/mountinfo)" -gt 1 ] &&
     [ "$(findmnt -n -o FSROOT /sys/fs/cgroup/systemd | tail -n1)" = / ]; then
    if mountpoint -q /sys/fs/cgroup/systemd/release_agent; then umount /sys/fs/cgroup/systemd/release_agent; fi
    umount -l /sys/fs/cgroup/systemd
  fi
  d=/sys/fs/cgroup/systemd
  if [ "$(findmnt -n -o FSROOT "$d" | tail -n1)" = "$own" ] && ! mountpoint -q "$d$own"; then
    mkdir -p "$d$own"; mount --bind "$d" "$d$own"
  fi
fi

# 2. cgroup2 (hybrid layout): nest pod cgroups under this container, not at the VM's root.
own2=$(awk -F: '$1 == "0" {print $3}' /proc/1/cgroup); own2=${own2%/init.scope}
u=/sys/fs/cgroup/unified
if [ -n "$own2" ] && [ "$own2" != / ] && [ "$(findmnt -n -o FSTYPE "$u" 2>/dev/null | tail -n1)" = cgroup2 ]; then
  if [ "$(findmnt -n -o FSROOT "$u" | tail -n1)" = / ]; then mount --bind "$u$own2" "$u"; fi
  if ! mountpoint -q "$u$own2"; then mkdir -p "$u$own2"; mount --bind "$u" "$u$own2"; fi
fi

# 3. Read-only stand-ins for the kernel sysctls kubelet insists on (protectKernelDefaults: true
#    makes kubelet check them and never write them; they are global to the shared VM kernel).
mkdir -p /run/k8s-fake-sysctl
for kv in vm/overcommit_memory=1 vm/panic_on_oom=0 kernel/panic=10 kernel/panic_on_oops=1 \
          kernel/keys/root_maxkeys=1000000 kernel/keys/root_maxbytes=25000000; do
  k=${kv%=*}; v=${kv#*=}
  [ "$(cat "/proc/sys/$k")" = "$v" ] && continue
  f=/run/k8s-fake-sysctl/$(echo "$k" | tr / _); echo "$v" > "$f"
  mount --bind "$f" "/proc/sys/$k"; mount -o remount,bind,ro "/proc/sys/$k"
done

# 4. Shared mount propagation, last (kubelet needs it for volumes).
mount --make-rshared /
