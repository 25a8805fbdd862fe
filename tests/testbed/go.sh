#!/usr/bin/env bash
# Prints the go command the mirror builds with: the machine's own when it is new enough for every
# module the mirror builds, else Debian's golang-<GO_MINOR> from sid (the newest Go Debian carries;
# its toolchain is static and runs on bookworm), unpacked once into
# /var/cache/fromscratch-kubernetes/go (outside git) without touching the machine's apt
# configuration (a private source list made from the machine's own Debian mirror).
#   GO=$(bash tests/testbed/go.sh)
set -euo pipefail

# The newest `go` line among the modules the mirror builds (etcd 3.5.35 asks for go 1.26.0).
GO_MINOR=1.26
DIR=${FROMSCRATCH_GO_DIR:-/var/cache/fromscratch-kubernetes/go}
export DEBIAN_FRONTEND=noninteractive

new_enough() {  # new_enough GO: its version is GO_MINOR or newer
  local version
  version=$(GOTOOLCHAIN=local "$1" env GOVERSION 2>/dev/null) || return 1
  version=${version#go}
  [ "$(printf '%s\n%s\n' "$GO_MINOR" "$version" | sort -V | head -1)" = "$GO_MINOR" ]
}

if command -v go >/dev/null 2>&1 && new_enough go; then command -v go; exit 0; fi
local_go="$DIR/usr/lib/go-$GO_MINOR/bin/go"
if [ -x "$local_go" ] && new_enough "$local_go"; then echo "$local_go"; exit 0; fi

echo "go.sh: no Go $GO_MINOR or newer here; unpacking Debian sid's golang-$GO_MINOR into $DIR" >&2
mirror=""
if [ -r /etc/apt/sources.list.d/debian.sources ]; then
  mirror=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
fi
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):/) {print $i; exit}}' /etc/apt/sources.list)
state=/var/tmp/fromscratch-apt/deb-sid
mkdir -p "$state/lists/partial" "$state/cache/archives/partial"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror%/} sid main" > "$state/sources.list"
apt_sid() {
  apt-get -q -o APT::Sandbox::User=root -o Dir::Etc::SourceList="$state/sources.list" -o Dir::Etc::SourceParts=/dev/null \
    -o Dir::State::Lists="$state/lists" -o Dir::Cache="$state/cache" "$@"
}
work=$(mktemp -d)
(
  cd "$work"
  apt_sid update >/dev/null
  apt_sid download "golang-$GO_MINOR-go" "golang-$GO_MINOR-src" >/dev/null
  rm -rf "$DIR" && mkdir -p "$DIR"
  for deb in ./*.deb; do dpkg-deb -x "$deb" "$DIR"; done
)
rm -rf "$work"
new_enough "$local_go" || { echo "go.sh: $local_go is not Go $GO_MINOR or newer" >&2; exit 1; }
echo "$local_go"
