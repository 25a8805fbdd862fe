#!/usr/bin/env bash
# Artifact mirror for the test bed, in upstream layout, built from Debian packages because no
# upstream release site is reachable here:
#   <mirror>/etcd/v<ver>/etcd-v<ver>-linux-amd64.tar.gz   (etcd + etcdctl, as upstream ships them)
#   <mirror>/etcd/v<ver>/SHA256SUMS
# Point the collection at it with `download_mirror_url: file://<mirror>` (or serve it over HTTP).
# Cached outside git and keyed by version: a second run reuses what is there.
set -euo pipefail

MIRROR=${FROMSCRATCH_MIRROR:-/var/cache/fromscratch-kubernetes/mirror}
ETCD_VERSION=${ETCD_VERSION:-3.4.23}
ARCH=amd64
export DEBIAN_FRONTEND=noninteractive

log() { printf 'mirror: %s\n' "$*"; }

build_etcd() {
  local dir="$MIRROR/etcd/v$ETCD_VERSION" name="etcd-v$ETCD_VERSION-linux-$ARCH"
  if [ -s "$dir/SHA256SUMS" ] && (cd "$dir" && sha256sum --quiet -c SHA256SUMS); then
    log "etcd v$ETCD_VERSION present in $dir"
    return
  fi
  log "building $name.tar.gz from Debian's etcd-server and etcd-client $ETCD_VERSION"
  local work; work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  (
    cd "$work"
    if ! apt-get download "etcd-server=$ETCD_VERSION*" "etcd-client=$ETCD_VERSION*" >/dev/null 2>&1; then
      apt-get update -q >/dev/null
      apt-get download "etcd-server=$ETCD_VERSION*" "etcd-client=$ETCD_VERSION*" >/dev/null
    fi
    for deb in ./*.deb; do dpkg-deb -x "$deb" root; done
    mkdir -p "$name"
    install -m 0755 root/usr/bin/etcd root/usr/bin/etcdctl "$name/"
    printf 'etcd %s built from Debian packages for the fromscratch.kubernetes test bed\n' \
      "$ETCD_VERSION" > "$name/README.md"
    # Fixed owner and mtime: the same inputs give the same tarball and checksum.
    tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2000-01-01 00:00:00' \
      -czf "$name.tar.gz" "$name"
  )
  mkdir -p "$dir"
  install -m 0644 "$work/$name.tar.gz" "$dir/"
  (cd "$dir" && sha256sum "$name.tar.gz" > SHA256SUMS)
}

build_etcd
log "ready: file://$MIRROR"
