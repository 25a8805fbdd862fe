#!/usr/bin/env bash
# Artifact mirror for the test bed, in upstream layout, built from Debian packages (bookworm, and
# sid for newer releases that run on bookworm) and the npm registry, because no upstream release
# site or image registry is reachable here:
#   <mirror>/etcd/v<ver>/etcd-v<ver>-linux-amd64.tar.gz   (+ SHA256SUMS)      3.4.23 bookworm, 3.5.30 sid
#   <mirror>/runc/v<ver>/runc.amd64                      (+ runc.sha256sum)  1.1.5 bookworm
#   <mirror>/containerd/v<ver>/containerd-<ver>-linux-amd64.tar.gz (+ .sha256sum)
#                                                                            1.6.20 bookworm, 2.1.9 sid
#   <mirror>/cni-plugins/v<ver>/cni-plugins-linux-amd64-v<ver>.tgz (+ .sha256)  1.9.1 sid
#   <mirror>/kubernetes/v<ver>/bin/linux/amd64/<binary>     (+ <binary>.sha256, as dl.k8s.io)
#     built from Debian bookworm's source package `kubernetes` (the upstream tree with vendor/)
#   <mirror>/images/pause-3.2.tar, web-1.tar       (docker archives to import into containerd: the
#     pause image from the same tree's build/pause, a busybox-static httpd for smoke tests)
#   <mirror>/images/coredns-1.11.1.tar (+ .sha256)  CoreDNS from the npm package coredns-dist-linux-x64,
#     the binary checked against the sha256 pinned here
#   Kubernetes 1.35.1 and 1.34.12, etcd 3.6.6, containerd 2.2.1, runc 1.3.4, CNI plugins 1.8.0,
#     CoreDNS 1.13.1 and flanneld 0.27.4 built from their Go modules by tests/testbed/gobuild.sh, in
#     the same layout (not by the lab, which does not run them yet: FROMSCRATCH_MIRROR_MODULES=0)
# Point the collection at it with `download_mirror_url: file://<mirror>` (or serve it over HTTP).
# Cached outside git and keyed by version: a second run reuses what is there. A repacked release
# holds the Debian package's build of the binaries, not upstream's (README "Test bed").
set -euo pipefail

MIRROR=${FROMSCRATCH_MIRROR:-/var/cache/fromscratch-kubernetes/mirror}
# <version>:<Debian suite> of each repacked release.
ETCD_RELEASES=(3.4.23:bookworm 3.5.30:sid)
RUNC_RELEASES=(1.1.5:bookworm)
CONTAINERD_RELEASES=(1.6.20:bookworm 2.1.9:sid)
CNI_RELEASES=(1.9.1:sid)
COREDNS_NPM_VERSION=1.11.1-3
COREDNS_VERSION=1.11.1
COREDNS_SHA256=b6fabbe1143c3d2a911b745aba255189c80cb40cee9a86cba6edb0c76607686c
K8S_VERSION=${K8S_VERSION:-1.20.2}
# Releases built from their Go modules (tests/testbed/gobuild.sh): Kubernetes at the default and at
# the previous minor's newest patch the module proxy serves, etcd at kubeadm 1.35's pairing, the
# container runtime, CNI plugins, CoreDNS and flanneld at the roles' defaults.
read -r -a MODULE_RELEASES <<<"${FROMSCRATCH_MODULE_RELEASES:-kubernetes@1.35.1 etcd@3.6.6 containerd@2.2.1 runc@1.3.4 cni-plugins@1.8.0 coredns@1.13.1 flannel@0.27.4 kubernetes@1.34.12}"
K8S_BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)
ARCH=amd64
export DEBIAN_FRONTEND=noninteractive

log() { printf 'mirror: %s\n' "$*"; }

# The machine's own Debian mirror (from its apt sources), for the suites it does not list.
debian_mirror() {
  local mirror
  mirror=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null)
  [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):/) {print $i; exit}}' /etc/apt/sources.list)
  echo "${mirror%/}"
}

# apt-get on a private source list for one suite of that mirror (TYPE deb or deb-src), with its
# own lists and cache, so the machine's apt configuration and caches are left as they are.
suite_apt() {  # suite_apt TYPE SUITE APT-GET-ARGS...
  local type=$1 suite=$2 state=/var/tmp/fromscratch-apt/$1-$2
  shift 2
  mkdir -p "$state/lists/partial" "$state/cache/archives/partial"
  echo "$type [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(debian_mirror) $suite main" > "$state/sources.list"
  apt-get -q -o APT::Sandbox::User=root -o Dir::Etc::SourceList="$state/sources.list" -o Dir::Etc::SourceParts=/dev/null \
    -o Dir::State::Lists="$state/lists" -o Dir::Cache="$state/cache" "$@"
}

# fetch_debs SUITE PACKAGE=VERSION...: download those packages (any Debian revision of VERSION)
# from SUITE into the current folder and unpack them all into ./root.
fetch_debs() {
  local suite=$1; shift
  local specs=() p
  for p in "$@"; do specs+=("$p*"); done
  if [ "$suite" = bookworm ]; then  # the machine's own suite, with its updates
    apt-get -o APT::Sandbox::User=root download "${specs[@]}" >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null; apt-get -o APT::Sandbox::User=root download "${specs[@]}" >/dev/null; }
  else
    suite_apt deb "$suite" download "${specs[@]}" >/dev/null 2>&1 \
      || { suite_apt deb "$suite" update >/dev/null; suite_apt deb "$suite" download "${specs[@]}" >/dev/null; } \
      || { echo "Debian $suite does not have $* (any more): pick versions it has in ${BASH_SOURCE[0]}" >&2; return 1; }
  fi
  for p in ./*.deb; do dpkg-deb -x "$p" root; done
}

# present DIR SUMS: DIR holds a release and every file its checksum file SUMS names matches.
present() {
  [ -s "$1/$2" ] && (cd "$1" && sha256sum --quiet -c "$2" >/dev/null 2>&1)
}

# reproducible_tar OUT.tar.gz PATH...: fixed owner, order and mtime, so the same inputs give the
# same tarball and checksum.
reproducible_tar() {
  local out=$1; shift
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2000-01-01 00:00:00' -czf "$out" "$@"
}

# repack DIR SUMS WHAT SUITE "PACKAGE=VERSION..." PACK [ARGS...]: unless DIR already holds a
# release that matches its checksum file SUMS, download the Debian packages from SUITE into a work
# folder (unpacked in ./root), run PACK ARGS there (it lays out the release files and writes SUMS
# the way upstream does), and publish SUMS with the files it names into DIR.
repack() {
  local dir=$1 sums=$2 what=$3 suite=$4 packages=$5 pack=$6
  shift 6
  if present "$dir" "$sums"; then log "$what present in $dir"; return; fi
  log "repacking $what from Debian $suite's $packages"
  local work; work=$(mktemp -d)
  # shellcheck disable=SC2086  # $packages is a list of words
  (cd "$work" && fetch_debs "$suite" $packages && "$pack" "$@")
  mkdir -p "$dir"
  (cd "$work" && awk '{print $2}' "$sums" | xargs install -m 0644 -t "$dir" "$sums")
  rm -rf "$work"
}

pack_etcd() {  # pack_etcd VERSION SUITE: etcd-v<ver>-linux-<arch>.tar.gz (etcd, etcdctl[, etcdutl]), SHA256SUMS
  local name="etcd-v$1-linux-$ARCH"
  mkdir "$name"
  install -m 0755 root/usr/bin/etcd root/usr/bin/etcdctl "$name/"
  if [ -x root/usr/bin/etcdutl ]; then install -m 0755 root/usr/bin/etcdutl "$name/"; fi
  printf 'etcd %s from Debian %s packages, repacked for the fromscratch.kubernetes test bed\n' "$1" "$2" > "$name/README.md"
  reproducible_tar "$name.tar.gz" "$name"
  sha256sum "$name.tar.gz" > SHA256SUMS
}

pack_runc() {  # pack_runc: runc.<arch> and runc.sha256sum
  install -m 0755 root/usr/sbin/runc "runc.$ARCH"
  sha256sum "runc.$ARCH" > runc.sha256sum
}

pack_containerd() {  # pack_containerd VERSION: containerd-<ver>-linux-<arch>.tar.gz (bin/...) and .sha256sum
  local name="containerd-$1-linux-$ARCH.tar.gz"
  mkdir bin
  install -m 0755 root/usr/bin/containerd* root/usr/bin/ctr bin/
  reproducible_tar "$name" bin
  sha256sum "$name" > "$name.sha256sum"
}

pack_cni() {  # pack_cni VERSION: cni-plugins-linux-<arch>-v<ver>.tgz (the plugins, flat) and .sha256
  local name="cni-plugins-linux-$ARCH-v$1.tgz"
  (cd root/usr/lib/cni && reproducible_tar "../../../../$name" ./*)
  sha256sum "$name" > "$name.sha256"
}

build_etcd() {  # build_etcd VERSION SUITE
  repack "$MIRROR/etcd/v$1" SHA256SUMS "etcd v$1" "$2" "etcd-server=$1 etcd-client=$1" pack_etcd "$1" "$2"
}
build_runc() {
  repack "$MIRROR/runc/v$1" runc.sha256sum "runc v$1" "$2" "runc=$1" pack_runc
}
build_containerd() {
  repack "$MIRROR/containerd/v$1" "containerd-$1-linux-$ARCH.tar.gz.sha256sum" "containerd v$1" "$2" \
    "containerd=$1" pack_containerd "$1"
}
build_cni() {
  repack "$MIRROR/cni-plugins/v$1" "cni-plugins-linux-$ARCH-v$1.tgz.sha256" "CNI plugins v$1" "$2" \
    "containernetworking-plugins=$1" pack_cni "$1"
}

# Debian bookworm's `kubernetes` source package (1.20.5+really1.20.2) into the current folder.
get_kubernetes_source() {
  suite_apt deb-src bookworm update >/dev/null
  suite_apt deb-src bookworm source --download-only kubernetes >/dev/null 2>&1
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
  if present "$dir" SHA256SUMS && [ -s "$dir/pause-3.2.tar" ] && [ -s "$dir/web-1.tar" ] \
     && tar -xOf "$dir/pause-3.2.tar" manifest.json | grep -q '"registry.k8s.io/pause:3.2"'; then
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
    podman build -q -t registry.k8s.io/pause:3.2 pause >/dev/null
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
    podman save -q --format docker-archive -o pause-3.2.tar registry.k8s.io/pause:3.2
    podman save -q --format docker-archive -o web-1.tar localhost/web:1
  )
  mkdir -p "$dir"
  install -m 0644 "$work/pause-3.2.tar" "$work/web-1.tar" "$dir/"
  (cd "$dir" && sha256sum pause-3.2.tar web-1.tar > SHA256SUMS)
  rm -rf "$work"
}

# CoreDNS: the static binary of the npm package coredns-dist-linux-x64 (fetched with the machine's
# npm client as configured), checked against the pinned sha256, in an image of its own.
build_coredns_image() {
  local dir="$MIRROR/images" name="coredns-$COREDNS_VERSION.tar"
  local image="registry.k8s.io/coredns/coredns:v$COREDNS_VERSION"
  if present "$dir" "$name.sha256"; then log "CoreDNS $COREDNS_VERSION image present in $dir"; return; fi
  log "building the CoreDNS $COREDNS_VERSION image from the npm package coredns-dist-linux-x64@$COREDNS_NPM_VERSION"
  command -v npm >/dev/null 2>&1 || { apt-get update -q >/dev/null; apt-get install -y -q npm >/dev/null; }
  local work; work=$(mktemp -d)
  (
    cd "$work"
    npm pack --silent "coredns-dist-linux-x64@$COREDNS_NPM_VERSION" >/dev/null
    tar xzf "coredns-dist-linux-x64-$COREDNS_NPM_VERSION.tgz" package/coredns
    echo "$COREDNS_SHA256  package/coredns" | sha256sum --quiet -c \
      || { echo "the coredns binary of the npm package does not have the pinned sha256 $COREDNS_SHA256" >&2; exit 1; }
    package/coredns -version | grep -qx "CoreDNS-$COREDNS_VERSION"
    mkdir image
    install -m 0755 package/coredns image/coredns
    # As upstream's image: the binary alone, DNS on 53.
    printf 'FROM scratch\nCOPY coredns /coredns\nEXPOSE 53 53/udp\nENTRYPOINT ["/coredns"]\n' > image/Containerfile
    podman build -q -t "$image" image >/dev/null
    podman save -q --format docker-archive -o "$name" "$image"
    sha256sum "$name" > "$name.sha256"
  )
  mkdir -p "$dir"
  install -m 0644 "$work/$name" "$work/$name.sha256" "$dir/"
  rm -rf "$work"
}

release() {  # release BUILDER VERSION:SUITE...
  local builder=$1 entry; shift
  for entry in "$@"; do "$builder" "${entry%%:*}" "${entry#*:}"; done
}

release build_etcd "${ETCD_RELEASES[@]}"
if [ "${FROMSCRATCH_MIRROR_KUBERNETES:-1}" = 1 ]; then
  release build_runc "${RUNC_RELEASES[@]}"
  release build_containerd "${CONTAINERD_RELEASES[@]}"
  release build_cni "${CNI_RELEASES[@]}"
  build_kubernetes
  build_images
  build_coredns_image
fi
if [ "${FROMSCRATCH_MIRROR_MODULES:-1}" = 1 ]; then
  bash "$(dirname "$0")/gobuild.sh" "${MODULE_RELEASES[@]}"
fi
log "ready: file://$MIRROR"
