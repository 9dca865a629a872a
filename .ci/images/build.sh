#!/usr/bin/env bash
# Builds stand-ins for the official images LogSentinel's Dockerfiles and Compose stacks default to
# (node, redis, timescaledb/postgres, prometheus, alertmanager, nginx), from Debian's packages,
# because no image registry is reachable on the CI machines. Users never need these: the defaults
# stay the official images. Tags (all under localhost/standin/):
#   debian:bookworm-slim   debootstrap --variant=minbase, slimmed like the official slim image
#   node:20-bookworm-slim  + this machine's node binary and npm (as /usr/local in the official one)
#   node:20-bookworm       + python3, make, g++, git, curl (what the official image adds for builds)
#   services               every Debian package below, installed once
#   redis, postgres, prometheus, alertmanager, nginx: entrypoints that behave like the official ones
# Usage: DOCKER="docker -H unix:///..." .ci/images/build.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
DOCKER=${DOCKER:-docker}
work=${STANDIN_WORK:-/var/tmp/logsentinel-standins}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
mkdir -p "$work"

have() { $DOCKER image inspect "$1" >/dev/null 2>&1; }
build() { # build <tag> <dir> [args...]
  local tag=$1 dir=$2; shift 2
  local t0=$SECONDS
  $DOCKER build -q --network host -t "$tag" "$@" "$dir" >/dev/null
  echo "standins: built $tag in $((SECONDS - t0)) s"
}

if ! have localhost/standin/debian:bookworm-slim; then
  t0=$SECONDS
  rm -rf "$work/rootfs"
  debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log"; exit 1; }
  # As the official slim image: no docs, man pages or locales, now or from later installs.
  cp "$here/debian/dpkg-slim.cfg" "$work/rootfs/etc/dpkg/dpkg.cfg.d/slim"
  rm -rf "$work"/rootfs/usr/share/doc/* "$work"/rootfs/usr/share/man/* "$work"/rootfs/usr/share/info/* "$work"/rootfs/usr/share/locale/* \
    "$work"/rootfs/var/cache/apt/archives/*.deb "$work"/rootfs/var/lib/apt/lists/* "$work"/rootfs/var/log/*.log
  tar -C "$work/rootfs" -c . | $DOCKER import -c 'CMD ["bash"]' - localhost/standin/debian:bookworm-slim >/dev/null
  rm -rf "$work/rootfs"
  echo "standins: imported localhost/standin/debian:bookworm-slim in $((SECONDS - t0)) s"
fi

# This machine's Node 20 and npm, at the paths the official images use.
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp "$here/node-slim/Dockerfile" "$ctx/"
cp "$(readlink -f "$(command -v node)")" "$ctx/node"
cp -a "$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")" "$ctx/npm"
build localhost/standin/node:20-bookworm-slim "$ctx"
build localhost/standin/node:20-bookworm "$here/node"
build localhost/standin/services "$here/services"
for s in redis postgres prometheus alertmanager nginx; do build "localhost/standin/$s" "$here/$s"; done
$DOCKER image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep standin | sort
