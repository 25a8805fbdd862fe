#!/usr/bin/env bash
# Artifact mirror for the test bed, in upstream layout, built from Debian packages because no
# upstream release site is reachable here:
#   <mirror>/etcd/v<ver>/etcd-v<ver>-linux-amd64.tar.gz   (etcd + etcdctl, as upstream ships them)
#   <mirror>/etcd/v<ver>/SHA256SUMS
#   <mirror>/kubernetes/v<ver>/bin/linux/amd64/<binary>     (+ <binary>.sha256, as dl.k8s.io)
#     built from Debian bookworm's source package `kubernetes` (the upstream tree with vendor/)
#   <mirror>/images/pause-3.2.tar, web-1.tar                (docker archives to import into containerd:
#     the pause image from the same tree's build/pause, a busybox-static httpd for smoke tests)
# Point the collection at it with `download_mirror_url: file://<mirror>` (or serve it over HTTP).
# Cached outside git and keyed by version: a second run reuses what is there.
set -euo pipefail

MIRROR=${FROMSCRATCH_MIRROR:-/var/cache/fromscratch-kubernetes/mirror}
ETCD_VERSION=${ETCD_VERSION:-3.4.23}
K8S_VERSION=${K8S_VERSION:-1.20.2}
K8S_BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)
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

# apt with a private deb-src list made from the machine's own Debian mirror, so the machine's
# apt configuration is left as it is.
private_apt() {
  local state=/var/tmp/fromscratch-apt mirror
  mirror=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null)
  [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):/) {print $i; exit}}' /etc/apt/sources.list)
  mkdir -p "$state/lists/partial"
  echo "deb-src ${mirror%/} bookworm main" > "$state/sources.list"
  apt-get -q -o Dir::Etc::SourceList="$state/sources.list" -o Dir::Etc::SourceParts=/dev/null \
    -o Dir::State::Lists="$state/lists" "$@"
}

# Debian bookworm's `kubernetes` source package (1.20.5+really1.20.2) into the current folder.
get_kubernetes_source() {
  private_apt update >/dev/null
  private_apt source --download-only kubernetes >/dev/null 2>&1
  ls ./kubernetes_*really"$K8S_VERSION".orig.tar.gz >/dev/null
}

build_kubernetes() {
  local dir="$MIRROR/kubernetes/v$K8S_VERSION/bin/linux/$ARCH" b ok=1
  for b in "${K8S_BINARIES[@]}"; do
    [ -x "$dir/$b" ] && [ -s "$dir/$b.sha256" ] \
      && [ "$(cut -d' ' -f1 "$dir/$b.sha256")" = "$(sha256sum "$dir/$b" | cut -d' ' -f1)" ] || ok=0
  done
  if [ $ok = 1 ]; then
    log "kubernetes v$K8S_VERSION present in $dir"
    return
  fi
  log "building kubernetes v$K8S_VERSION (${K8S_BINARIES[*]}) from Debian's source package; about 10 minutes on 2 cores"
  local pkgs=() p
  for p in golang-go rsync dpkg-dev make gcc jq; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || pkgs+=("$p")
  done
  if [ ${#pkgs[@]} -gt 0 ]; then
    apt-get update -q >/dev/null
    apt-get install -y -q "${pkgs[@]}" >/dev/null
  fi
  local work=/var/tmp/fromscratch-k8s-build
  rm -rf "$work"; mkdir -p "$work"
  (
    cd "$work"
    get_kubernetes_source
    dpkg-source -x ./*.dsc src >/dev/null 2>&1
    cd src
    local whats=()
    for b in "${K8S_BINARIES[@]}"; do whats+=("cmd/$b"); done
    # hack/lib/init.sh builds in GOPATH mode (GO111MODULE=off) from vendor/; static binaries.
    CGO_ENABLED=0 make WHAT="${whats[*]}" KUBE_GIT_VERSION="v$K8S_VERSION" KUBE_GIT_TREE_STATE=clean \
      KUBE_GIT_COMMIT=0000000000000000000000000000000000000000 > "$work/build.log" 2>&1 \
      || { tail -40 "$work/build.log"; exit 1; }
    "_output/bin/kubectl" version --client --short | grep -q "v$K8S_VERSION"
  )
  mkdir -p "$dir"
  for b in "${K8S_BINARIES[@]}"; do
    install -m 0755 "$work/src/_output/bin/$b" "$dir/$b"
    (cd "$dir" && sha256sum "$b" | cut -d' ' -f1 > "$b.sha256")
  done
  rm -rf "$work"
}

# Container images, since no image registry is reachable: built with podman from files of
# Debian packages, saved as docker archives.
build_images() {
  local dir="$MIRROR/images"
  if [ -s "$dir/pause-3.2.tar" ] && [ -s "$dir/web-1.tar" ] && [ -s "$dir/SHA256SUMS" ] \
     && (cd "$dir" && sha256sum --quiet -c SHA256SUMS); then
    log "images present in $dir"
    return
  fi
  log "building the pause and web images"
  local pkgs=() p
  for p in gcc libc6-dev dpkg-dev; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || pkgs+=("$p")
  done
  if [ ${#pkgs[@]} -gt 0 ]; then
    apt-get update -q >/dev/null
    apt-get install -y -q "${pkgs[@]}" >/dev/null
  fi
  local work; work=$(mktemp -d)
  (
    cd "$work"
    get_kubernetes_source
    tar xzf ./kubernetes_*.orig.tar.gz --strip-components=4 "kubernetes-$K8S_VERSION/build/pause/linux/pause.c"
    mkdir pause web
    # As the tree's build/pause/Makefile does (-DVERSION=v$(TAG)-$(REV)); kubelet 1.20 wants pause:3.2.
    gcc -Os -Wall -Werror -static -DVERSION=v3.2 -o pause/pause pause.c
    strip pause/pause
    printf 'FROM scratch\nCOPY pause /pause\nENTRYPOINT ["/pause"]\n' > pause/Containerfile
    podman build -q -t k8s.gcr.io/pause:3.2 pause >/dev/null
    apt-get download busybox-static >/dev/null 2>&1 || { apt-get update -q >/dev/null; apt-get download busybox-static >/dev/null; }
    dpkg-deb -x ./busybox-static_*.deb bbx
    cp bbx/bin/busybox web/
    echo '<h1>hello from fromscratch.kubernetes (busybox httpd)</h1>' > web/index.html
    cat > web/Containerfile <<'CF'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
COPY index.html /www/index.html
EXPOSE 8080
ENTRYPOINT ["/bin/busybox", "httpd", "-f", "-v", "-p", "8080", "-h", "/www"]
CF
    podman build -q -t localhost/web:1 web >/dev/null
    rm -f pause-3.2.tar web-1.tar
    podman save -q --format docker-archive -o pause-3.2.tar k8s.gcr.io/pause:3.2
    podman save -q --format docker-archive -o web-1.tar localhost/web:1
  )
  mkdir -p "$dir"
  install -m 0644 "$work/pause-3.2.tar" "$work/web-1.tar" "$dir/"
  (cd "$dir" && sha256sum pause-3.2.tar web-1.tar > SHA256SUMS)
  rm -rf "$work"
}

build_etcd
if [ "${FROMSCRATCH_MIRROR_KUBERNETES:-1}" = 1 ]; then
  build_kubernetes
  build_images
fi
log "ready: file://$MIRROR"
