#!/usr/bin/env bash
# Test bed: podman + runc + debootstrap from Debian, the podman configuration this VM needs, and
# the Debian bookworm systemd image that molecule scenarios and the lab use as "hosts", and the
# SSH key pair and client configuration with which Ansible and testinfra reach those hosts.
# Recipe and the reasons behind each quirk: shared/research/platform.md §7.
# Idempotent: a second call finds everything in place and returns in seconds.
set -euo pipefail

IMAGE=${FROMSCRATCH_IMAGE:-localhost/fromscratch-debian-systemd:bookworm}
ROOTFS=${FROMSCRATCH_ROOTFS:-/var/tmp/fromscratch-rootfs}
# Outside git, like the mirror: the test bed's SSH key pair, client configuration and known_hosts.
SSH_DIR=${FROMSCRATCH_SSH_DIR:-/var/cache/fromscratch-kubernetes/ssh}
HERE=$(cd "$(dirname "$0")" && pwd)
# The image is rebuilt when this recipe or the files it bakes in change.
RECIPE=$(cat "$HERE/setup.sh" "$HERE"/host/* | sha256sum | cut -c1-16)
export DEBIAN_FRONTEND=noninteractive

log() { printf 'testbed: %s\n' "$*"; }

# The Debian mirror comes from this machine's own apt sources: never a hard-coded host.
debian_mirror() {
  local m=""
  if [ -r /etc/apt/sources.list.d/debian.sources ]; then
    m=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  fi
  if [ -z "$m" ] && [ -r /etc/apt/sources.list ]; then
    m=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):/) {print $i; exit}}' /etc/apt/sources.list)
  fi
  [ -n "$m" ] || { echo "testbed: no Debian mirror found in the apt sources" >&2; exit 1; }
  printf '%s\n' "${m%/}"
}
security_mirror() {
  local s=""
  if [ -r /etc/apt/sources.list.d/debian.sources ]; then
    s=$(awk '/^URIs:/ && $2 ~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  fi
  printf '%s\n' "${s:-$(debian_mirror)-security}"
}

need_pkgs=()
for p in podman:podman runc:runc debootstrap:debootstrap ssh:openssh-client; do
  command -v "${p%%:*}" >/dev/null 2>&1 || need_pkgs+=("${p#*:}")
done
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing ${need_pkgs[*]} from Debian"
  apt-get update -q >/dev/null
  apt-get install -y -q "${need_pkgs[@]}" >/dev/null
fi

# rlimits above the caller's hard limits fail in this VM (no CAP_SYS_RESOURCE); crun cannot run
# on the hybrid cgroup layout, runc can.
nofile=$(ulimit -Hn)
[ "$nofile" = unlimited ] && nofile=1048576
conf=$(cat <<CONF
# Written by fromscratch.kubernetes tests/testbed/setup.sh
[containers]
default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=32768:32768"]

[engine]
runtime = "runc"
CONF
)
mkdir -p /etc/containers
if [ "$(cat /etc/containers/containers.conf 2>/dev/null)" != "$conf" ]; then
  log "writing /etc/containers/containers.conf"
  printf '%s\n' "$conf" > /etc/containers/containers.conf
fi

# Every test host is root in this machine's user namespace, so all of them share root's inotify
# instances (fs.inotify.max_user_instances, 128 by default): a kubelet 1.35 takes 7, an apiserver 6,
# each host's systemd 5; one 4-host cluster holds about 100 and the two lanes' clusters together
# more than 128, and then a kubelet or kube-proxy fails to start ("too many open files"). Raised to
# 1024 while the machine runs (as kind advises for the same reason; not kept across a reboot).
if [ "$(sysctl -n fs.inotify.max_user_instances)" -lt 1024 ]; then
  log "raising fs.inotify.max_user_instances to 1024 (the test hosts share root's inotify instances)"
  sysctl -q -w fs.inotify.max_user_instances=1024
fi

old=""
if podman image exists "$IMAGE"; then
  have=$(podman image inspect --format '{{ index .Labels "fromscratch.recipe" }}' "$IMAGE")
  if [ "${REBUILD:-0}" = 1 ] || [ "$have" != "$RECIPE" ]; then
    old=$(podman image inspect --format '{{ .Id }}' "$IMAGE")
  fi
fi
if [ -n "$old" ] || ! podman image exists "$IMAGE"; then
  mirror=$(debian_mirror)
  log "building $IMAGE with debootstrap (about a minute)"
  rm -rf "$ROOTFS"
  debootstrap --variant=minbase \
    --include=systemd,systemd-sysv,dbus,python3,python3-apt,iproute2,iputils-ping,procps,sudo,ca-certificates,curl,gnupg,kmod,less,iptables,openssh-server \
    bookworm "$ROOTFS" "$mirror" >/dev/null
  cat > "$ROOTFS/etc/apt/sources.list" <<SRC
deb ${mirror} bookworm main
deb ${mirror} bookworm-updates main
deb $(security_mirror) bookworm-security main
SRC
  chroot "$ROOTFS" apt-get clean
  rm -rf "$ROOTFS"/var/lib/apt/lists/*
  # An old mtime makes Ansible's apt cache_valid_time refresh the lists on first use.
  touch -d '2000-01-01 00:00:00' "$ROOTFS/var/lib/apt/lists"
  rm -f "$ROOTFS/etc/hostname"
  : > "$ROOTFS/etc/machine-id"
  rm -f "$ROOTFS/var/lib/dbus/machine-id"
  ln -s /etc/machine-id "$ROOTFS/var/lib/dbus/machine-id"
  for u in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer \
           dpkg-db-backup.timer e2scrub_reap.service getty@tty1.service systemd-pstore.service; do
    ln -sf /dev/null "$ROOTFS/etc/systemd/system/$u"
  done
  rm -f "$ROOTFS"/etc/systemd/system/timers.target.wants/* "$ROOTFS"/etc/systemd/system/getty.target.wants/*
  # Node preparation for the hosts that become Kubernetes nodes (a oneshot unit; harmless on
  # hosts that never run kubelet): kubelet-feasibility.md in shared/research.
  install -m 0755 "$HERE/host/k8s-node-prep.sh" "$ROOTFS/usr/local/sbin/k8s-node-prep.sh"
  install -m 0644 "$HERE/host/k8s-node-prep.service" "$ROOTFS/etc/systemd/system/k8s-node-prep.service"
  mkdir -p "$ROOTFS/etc/systemd/system/sysinit.target.wants"
  ln -sf /etc/systemd/system/k8s-node-prep.service "$ROOTFS/etc/systemd/system/sysinit.target.wants/k8s-node-prep.service"
  # sshd, as on a real host. The image carries no host key: every host makes its own at first
  # boot, so each container has a key of its own that the test bed records (never shared).
  rm -f "$ROOTFS"/etc/ssh/ssh_host_*
  install -m 0644 "$HERE/host/sshd-testbed.conf" "$ROOTFS/etc/ssh/sshd_config.d/testbed.conf"
  install -m 0644 "$HERE/host/ssh-host-key.service" "$ROOTFS/etc/systemd/system/ssh-host-key.service"
  ln -sf /etc/systemd/system/ssh-host-key.service "$ROOTFS/etc/systemd/system/multi-user.target.wants/ssh-host-key.service"
  install -d -m 0700 "$ROOTFS/root/.ssh"
  tar --numeric-owner -C "$ROOTFS" -c . | podman import \
    --change 'CMD ["/sbin/init"]' --change 'STOPSIGNAL SIGRTMIN+3' --change 'ENV container=podman' \
    --change "LABEL fromscratch.recipe=$RECIPE" \
    - "$IMAGE" >/dev/null 2>&1
  rm -rf "$ROOTFS"
  if [ -n "$old" ] && ! podman rmi "$old" >/dev/null 2>&1; then
    log "the previous image $old is still used by a container; left in place"
  fi
fi
podman image exists "$IMAGE"
log "ready: $IMAGE"

# The key the test bed logs in with (root, key only) and the client configuration Ansible
# (ansible_ssh_common_args in tests/testbed/group_vars/all.yml) and testinfra (--ssh-config) read.
# Host keys are checked: the create step writes each new host's key into known_hosts.d/<address>,
# one file per host, so scenarios that start hosts at the same time never write the same file.
install -d -m 0700 "$SSH_DIR" "$SSH_DIR/known_hosts.d"
if [ ! -s "$SSH_DIR/id_ed25519" ]; then
  log "making the test bed's SSH key pair in $SSH_DIR"
  rm -f "$SSH_DIR/id_ed25519" "$SSH_DIR/id_ed25519.pub"
  ssh-keygen -q -t ed25519 -N "" -C "fromscratch-kubernetes test bed" -f "$SSH_DIR/id_ed25519"
fi
ssh_conf=$(cat <<CONF
# Written by fromscratch.kubernetes tests/testbed/setup.sh: how the test bed reaches its hosts.
Host *
  User root
  IdentityFile $SSH_DIR/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $SSH_DIR/known_hosts.d/%h
  StrictHostKeyChecking yes
  PasswordAuthentication no
  ControlMaster auto
  ControlPath $SSH_DIR/cm-%C
  ControlPersist 120s
  ServerAliveInterval 5
  ServerAliveCountMax 3
  LogLevel ERROR
CONF
)
if [ "$(cat "$SSH_DIR/config" 2>/dev/null)" != "$ssh_conf" ]; then
  printf '%s\n' "$ssh_conf" > "$SSH_DIR/config"
  chmod 0600 "$SSH_DIR/config"
fi
log "ready: SSH key and client configuration in $SSH_DIR"
