#!/usr/bin/env bash
# Artifact mirror for the test bed, in upstream's release layout, because no upstream release site
# or image registry is reachable here. Every release is built from its Go module by
# tests/testbed/gobuild.sh (the machine's Go and module proxy) in upstream's file names, tarball
# layout and checksum files: Kubernetes, etcd, containerd, runc, the CNI plugins, CoreDNS, flanneld,
# crictl.
# On top of those, the container images nothing else provides, saved as docker archives that the
# containerd role imports (containerd_image_archives):
#   <mirror>/images/pause-<ver>.tar    the pause program of the Kubernetes module (build/pause, C)
#   <mirror>/images/coredns-<ver>.tar  the coredns binary of the mirror's CoreDNS release
#   <mirror>/images/web-1.tar          Debian's busybox-static httpd, for the smoke checks
# and <mirror>/download_checksums.yml, the sha256 of each release file, in the shape of the download
# role's download_extra_checksums: the test bed's builds are not upstream's bytes, so the sums the
# catalogue pins for upstream's files cannot match them (tests/testbed/group_vars/all.yml).
#
#   bash tests/testbed/mirror.sh            the roles' default releases and the test bed's others
#   bash tests/testbed/mirror.sh defaults   the default releases only (lab/lab.sh)
#
# The default versions are read from the roles (one place each); cached outside git and keyed by
# version: a second run reuses what is there and takes seconds.
set -euo pipefail
cd "$(dirname "$0")/../.."

MIRROR=${FROMSCRATCH_MIRROR:-/var/cache/fromscratch-kubernetes/mirror}
ARCH=amd64
export DEBIAN_FRONTEND=noninteractive

log() { printf 'mirror: %s\n' "$*"; }

# default ROLE VARIABLE: the quoted value of VARIABLE in roles/ROLE/defaults/main.yml.
default() {
  local value
  value=$(sed -n "s/^$2: \"\([^\"]*\)\".*/\1/p" "roles/$1/defaults/main.yml")
  [ -n "$value" ] || { log "no $2 in roles/$1/defaults/main.yml"; exit 1; }
  echo "$value"
}

# setting VARIABLE [GROUP]: its quoted value in the test-bed settings file (all.yml, or a group's).
setting() {
  sed -n "s/^$1: \"\([^\"]*\)\".*/\1/p" "tests/testbed/group_vars/${2:-all}.yml"
}

K8S=$(default cluster cluster_kubernetes_version)
# The previous minor's newest patch the module proxy serves (the ha scenario upgrades from it,
# tests/testbed/group_vars/testbed_k8s_previous.yml).
K8S_PREVIOUS=$(setting cluster_kubernetes_version testbed_k8s_previous)
# row FIELD VERSION: the image release (pause, coredns) kubeadm pairs with that Kubernetes release's
# minor (roles/cluster/vars/main.yml).
row() {
  local line rest
  line=$(grep "^  \"${2%.*}\": {" roles/cluster/vars/main.yml)
  rest=${line#*"$1: \""}
  echo "${rest%%\"*}"
}
PAUSE=$(row pause "$K8S")
COREDNS=$(row coredns "$K8S")
# crictl: the test bed's (the module proxy refuses the default), else the default.
CRICTL=$(setting containerd_crictl_version)
[ -n "$CRICTL" ] || CRICTL=$(default containerd containerd_crictl_version)
DEFAULTS=("kubernetes@$K8S" "etcd@$(default etcd etcd_version)" "containerd@$(default containerd containerd_version)"
  "runc@$(default runc runc_version)" "cni-plugins@$(default cni cni_version)" "coredns@$COREDNS"
  "flannel@$(default flannel flannel_version)"
  "crictl@$CRICTL"
  # kube-bench: the CIS verify runs it on a host (molecule/resources/vars/kube-bench.yml).
  "kube-bench@$(sed -n 's/^kube_bench_version: "\([^"]*\)".*/\1/p' molecule/resources/vars/kube-bench.yml)")
# What the test command runs besides the defaults: the previous minor's newest patch the module
# proxy serves, of Kubernetes (with its CoreDNS) and of etcd (the day2 hosts start on it,
# tests/testbed/group_vars/testbed_etcd35.yml); and the etcd server of a 3.5 release older than
# 3.5.26, whose upgrade to 3.6 the etcd role refuses (tests/integration/test_preflight.py: the
# proxy serves its server module, not its etcdctl and etcdutl).
COREDNS_PREVIOUS=$(row coredns "$K8S_PREVIOUS")
ETCD_BEFORE_3526=3.5.23
read -r -a OTHERS <<<"${FROMSCRATCH_MIRROR_OTHERS:-kubernetes@$K8S_PREVIOUS coredns@$COREDNS_PREVIOUS etcd@$(setting etcd_version testbed_etcd35) etcd-server@$ETCD_BEFORE_3526}"

releases=("${DEFAULTS[@]}")
case ${1:-all} in
  defaults) ;;
  all) releases+=("${OTHERS[@]}") ;;
  *) echo "usage: bash tests/testbed/mirror.sh [defaults|all]" >&2; exit 2 ;;
esac
# A Go new enough for every module (tests/testbed/go.sh installs one where the machine has none).
GO=$(bash tests/testbed/go.sh)
export GO
bash tests/testbed/gobuild.sh "${releases[@]}"

# need PACKAGE...: install the Debian packages that are missing.
need() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -q >/dev/null
    apt-get install -y -q "${missing[@]}" >/dev/null
  fi
}

# image NAME REFERENCE BUILD: unless <mirror>/images/NAME.tar holds REFERENCE and matches its
# .sha256, run BUILD in a work folder (it leaves a Containerfile folder ./image), build REFERENCE
# with podman and save it as a docker archive with its checksum file.
image() {
  local name=$1 reference=$2 build=$3 dir="$MIRROR/images"
  if [ -s "$dir/$name.tar.sha256" ] && (cd "$dir" && sha256sum --quiet -c "$name.tar.sha256" >/dev/null 2>&1) \
     && tar -xOf "$dir/$name.tar" manifest.json | grep -q "\"$reference\""; then
    log "image $reference: in the mirror"
    return
  fi
  log "image $reference: building"
  local work; work=$(mktemp -d)
  (
    cd "$work"
    mkdir image
    "$build"
    podman build -q -t "$reference" image >/dev/null
    podman save -q --format docker-archive -o "$name.tar" "$reference"
    sha256sum "$name.tar" > "$name.tar.sha256"
  )
  mkdir -p "$dir"
  install -m 0644 "$work/$name.tar" "$work/$name.tar.sha256" "$dir/"
  rm -rf "$work"
}

# pause: build/pause/linux/pause.c of the Kubernetes module, as its Makefile builds it; the image
# as its Dockerfile (the binary alone, user 65535).
pause_image() {
  local source
  need gcc libc6-dev
  source=$("$GO" mod download -json "k8s.io/kubernetes@v$K8S" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
  gcc -Os -Wall -Werror -static -DVERSION="v$PAUSE" -o image/pause "$source/build/pause/linux/pause.c"
  strip image/pause
  printf 'FROM scratch\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n' > image/Containerfile
}

# CoreDNS: upstream's image is its release binary alone, DNS on 53.
coredns_image() {
  tar -xzf "$MIRROR/coredns/v$COREDNS/coredns_${COREDNS}_linux_$ARCH.tgz" -C image coredns
  printf 'FROM scratch\nCOPY coredns /coredns\nEXPOSE 53 53/udp\nENTRYPOINT ["/coredns"]\n' > image/Containerfile
}

# web: busybox httpd on 8080 (Debian's busybox-static, not installed on this machine).
web_image() {
  apt-get download busybox-static >/dev/null 2>&1 || { apt-get update -q >/dev/null; apt-get download busybox-static >/dev/null; }
  dpkg-deb -x ./busybox-static_*.deb bbx
  cp bbx/bin/busybox image/
  echo '<h1>hello from fromscratch.kubernetes (busybox httpd)</h1>' > image/index.html
  cat > image/Containerfile <<'CF'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
COPY index.html /www/index.html
EXPOSE 8080
ENTRYPOINT ["/bin/busybox", "httpd", "-f", "-v", "-p", "8080", "-h", "/www"]
CF
}

image "pause-$PAUSE" "registry.k8s.io/pause:$PAUSE" pause_image
image "coredns-$COREDNS" "registry.k8s.io/coredns/coredns:v$COREDNS" coredns_image
# The previous minor's images, where they differ from the defaults'.
if [ "${1:-all}" = all ]; then
  PAUSE_PREVIOUS=$(row pause "$K8S_PREVIOUS")
  if [ "$PAUSE_PREVIOUS" != "$PAUSE" ]; then
    PAUSE=$PAUSE_PREVIOUS image "pause-$PAUSE_PREVIOUS" "registry.k8s.io/pause:$PAUSE_PREVIOUS" pause_image
  fi
  if [ "$COREDNS_PREVIOUS" != "$COREDNS" ]; then
    COREDNS=$COREDNS_PREVIOUS image "coredns-$COREDNS_PREVIOUS" "registry.k8s.io/coredns/coredns:v$COREDNS_PREVIOUS" coredns_image
  fi
fi
image web-1 localhost/web:1 web_image

# download_checksums.yml: for each artifact of the catalogue, the sha256 of the mirror's file of each
# version it holds (<artifact>: {amd64: {"<version>": <sha256>}}).
checksums() {
  local dir version file artifact
  echo "# Written by tests/testbed/mirror.sh: the sha256 of the test-bed mirror's release files."
  for artifact in etcd containerd runc cni-plugins flannel crictl kube-apiserver kube-controller-manager kube-scheduler kube-proxy kubelet kubectl; do
    echo "$artifact:"
    echo "  $ARCH:"
    case $artifact in kube*) dir=kubernetes ;; *) dir=$artifact ;; esac
    for version in "$MIRROR/$dir"/v*; do
      [ -d "$version" ] || continue
      case $artifact in
        etcd) file="$version/etcd-${version##*/}-linux-$ARCH.tar.gz" ;;
        containerd) file="$version/containerd-${version##*/v}-linux-$ARCH.tar.gz" ;;
        runc) file="$version/runc.$ARCH" ;;
        cni-plugins) file="$version/cni-plugins-linux-$ARCH-${version##*/}.tgz" ;;
        flannel) file="$version/flanneld-$ARCH" ;;
        crictl) file="$version/crictl-${version##*/}-linux-$ARCH.tar.gz" ;;
        *) file="$version/bin/linux/$ARCH/$artifact" ;;
      esac
      if [ -f "$file" ]; then echo "    \"${version##*/v}\": $(sha256sum "$file" | cut -d' ' -f1)"; fi
    done
  done
}
checksums > "$MIRROR/download_checksums.yml.tmp"
mv "$MIRROR/download_checksums.yml.tmp" "$MIRROR/download_checksums.yml"
log "ready: file://$MIRROR"
