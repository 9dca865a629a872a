#!/usr/bin/env bash
# podman for the container stage with everything private to CI: its configuration (runc, ulimits
# the sandbox allows, no event log), storage, run and temporary directories and CNI network
# configuration under one root, so nothing of the machine's own podman setup is read or changed.
#   eval "$(.ci/podman.sh env)"   → CONTAINERS_CONF and CONTAINERS_STORAGE_CONF for this root
#   .ci/podman.sh clean           → removes every pod, container, volume, secret and image in it,
#                                   and the bridges and directories outside it that this run made
set -euo pipefail
root=${LS_PODMAN_ROOT:-/var/lib/logsentinel-ci-podman}
case "${1:-}" in
  env)
    mkdir -p "$root/storage" "$root/run" "$root/tmp" "$root/cni"
    cat >"$root/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]

[engine]
runtime = "runc"
tmp_dir = "$root/tmp"
events_logger = "none"

[network]
network_config_dir = "$root/cni"
CONF
    cat >"$root/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$root/storage"
runroot = "$root/run"
CONF
    # What podman may create outside the root (CNI bridges, its blob cache, CNI plugin state):
    # remembered here, so `clean` removes only what this run made.
    ip -o link show | awk -F': ' '{print $2}' | grep '^cni-podman' >"$root/links-before" || true
    for d in /var/lib/containers /run/containers /run/libpod; do [ -e "$d" ] && echo "$d"; done >"$root/dirs-before" || true
    echo "export CONTAINERS_CONF=$root/containers.conf CONTAINERS_STORAGE_CONF=$root/storage.conf"
    ;;
  clean)
    export CONTAINERS_CONF=$root/containers.conf CONTAINERS_STORAGE_CONF=$root/storage.conf
    [ -f "$CONTAINERS_CONF" ] || exit 0
    podman pod rm -af -t 5 >/dev/null 2>&1 || true
    podman rm -af -t 5 >/dev/null 2>&1 || true
    podman volume rm -af >/dev/null 2>&1 || true
    podman secret ls -q 2>/dev/null | xargs -r podman secret rm >/dev/null 2>&1 || true
    podman rmi -af >/dev/null 2>&1 || true
    for l in $(ip -o link show | awk -F': ' '{print $2}' | grep '^cni-podman'); do
      grep -qx "$l" "$root/links-before" 2>/dev/null || ip link delete "$l" || true
    done
    for d in /var/lib/containers /run/containers /run/libpod; do
      if [ -e "$d" ] && ! grep -qx "$d" "$root/dirs-before" 2>/dev/null; then rm -rf "$d"; fi
    done
    # Nothing is cached between runs: unmount what storage left mounted under the root, remove it.
    awk -v r="$root/" 'index($2, r) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
    rm -rf "$root"
    ;;
  *) echo "usage: $0 env|clean" >&2; exit 2 ;;
esac
