#!/usr/bin/env bash
# A private Docker daemon for the container stages (Debian's docker.io), so nothing global is
# touched: its own socket, data, exec root and pid file; no iptables rules and no docker0 bridge
# (builds use --network host; Compose networks are bridges of their own, reached through the
# published ports' userland proxy).
#   .ci/dockerd.sh start   → prints `export DOCKER_HOST=...`
#   .ci/dockerd.sh stop    → stops the daemon (and its containerd), unmounts what it left mounted
set -euo pipefail
root=${LS_DOCKER_ROOT:-/var/lib/logsentinel-ci}
sock=unix://$root/docker.sock
case "${1:-}" in
  start)
    mkdir -p "$root/data" "$root/exec"
    if [ -S "$root/docker.sock" ] && DOCKER_HOST=$sock docker version >/dev/null 2>&1; then echo "export DOCKER_HOST=$sock"; exit 0; fi
    dockerd --data-root "$root/data" --exec-root "$root/exec" --pidfile "$root/dockerd.pid" -H "$sock" \
      --iptables=false --ip6tables=false --bridge=none --log-level=warn >"$root/dockerd.log" 2>&1 &
    for _ in $(seq 1 60); do
      if DOCKER_HOST=$sock docker version >/dev/null 2>&1; then echo "export DOCKER_HOST=$sock"; exit 0; fi
      sleep 0.5
    done
    echo "dockerd did not start:" >&2
    tail -20 "$root/dockerd.log" >&2
    exit 1
    ;;
  stop)
    if [ -f "$root/dockerd.pid" ]; then
      pid=$(cat "$root/dockerd.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$root/dockerd.pid"
    fi
    # containerd started by this dockerd exits with it; anything still holding our exec root does not.
    pkill -f "containerd.*$root/exec" 2>/dev/null || true
    # dockerd leaves its network namespace files bind-mounted under the exec root.
    for m in $(awk -v r="$root/exec" 'index($2, r) == 1 {print $2}' /proc/mounts); do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
    # The drills remove their networks (and with them their bridges) before the daemon stops;
    # other bridges on the machine are not ours to touch.
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
