#!/usr/bin/env bash
# The container stage of CI: builds the LogSentinel image (and the naive single-stage build, to
# print both sizes) and the demo API image against Debian-made stand-ins of the official bases,
# then runs the image drill and the Compose cluster drill (test/containers/*.drill.ts). A private
# dockerd serves it all and is stopped, with every container, network and volume, on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
stage_start=$SECONDS

if ! command -v dockerd >/dev/null || ! command -v docker-compose >/dev/null || ! command -v debootstrap >/dev/null \
  || ! command -v podman >/dev/null || ! command -v runc >/dev/null || ! command -v catatonit >/dev/null || [ ! -x /usr/lib/cni/bridge ]; then
  echo "== containers: installing docker.io, docker-compose, debootstrap, podman"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends docker.io docker-compose debootstrap podman runc catatonit containernetworking-plugins >/dev/null
fi

eval "$(.ci/dockerd.sh start)"
export DOCKER_HOST
cleanup() {
  status=$?
  set +e
  # The drills take their stacks down themselves; this catches what an interrupted run left.
  for p in $(docker ps -a --format '{{.Label "com.docker.compose.project"}}' 2>/dev/null | sort -u | grep '^ls-drill-'); do
    docker ps -aq --filter "label=com.docker.compose.project=$p" | xargs -r docker rm -f -v >/dev/null
  done
  docker ps -aq --filter 'name=^ls-drill-' | xargs -r docker rm -f -v >/dev/null
  docker network ls -q --filter 'name=^ls-drill-' | xargs -r docker network rm >/dev/null
  docker volume ls -q --filter 'name=^ls-drill-' | xargs -r docker volume rm >/dev/null
  # Built images go; the stand-in bases stay cached for the next run on this machine.
  docker image rm -f logsentinel:ci logsentinel:naive logsentinel-demo-api:ci >/dev/null 2>&1
  docker builder prune -f >/dev/null 2>&1
  .ci/podman.sh clean
  .ci/dockerd.sh stop
  echo "== containers: stage took $((SECONDS - stage_start)) s"
  exit $status
}
trap cleanup EXIT

echo "== containers: stand-in images from Debian's packages"
.ci/images/build.sh

echo "== containers: scripts/build.sh (the image, the naive build, the demo API)"
BUILD_BASE=localhost/standin/node:20-bookworm RUNTIME_BASE=localhost/standin/node:20-bookworm-slim \
  NPM_CA_FILE=/etc/ssl/certs/ca-certificates.crt DOCKER_BUILD_FLAGS="--network host" \
  scripts/build.sh --tag logsentinel:ci --demo-tag logsentinel-demo-api:ci 2> >(grep -v -e DEPRECATED -e buildx -e 'Install the' -e '^ *$' >&2)

export LOGSENTINEL_IMAGE=logsentinel:ci DEMO_API_IMAGE=logsentinel-demo-api:ci \
  REDIS_IMAGE=localhost/standin/redis POSTGRES_IMAGE=localhost/standin/postgres \
  PROMETHEUS_IMAGE=localhost/standin/prometheus ALERTMANAGER_IMAGE=localhost/standin/alertmanager \
  NGINX_IMAGE=localhost/standin/nginx
echo "== containers: image drill"
node --import tsx --test --test-reporter=spec test/containers/image.drill.ts
echo "== containers: cluster drill"
node --import tsx --test --test-reporter=spec test/containers/cluster.drill.ts
echo "== containers: the Helm chart's single-mode pod under podman kube play"
eval "$(.ci/podman.sh env)"
export CONTAINERS_CONF CONTAINERS_STORAGE_CONF
loaded=$(docker save logsentinel:ci | podman load -q | sed -n 's/^Loaded image[^:]*: *//p' | head -1)
podman tag "$loaded" localhost/logsentinel:ci
LOGSENTINEL_PODMAN_IMAGE=localhost/logsentinel:ci node --import tsx --test --test-reporter=spec test/containers/kube-play.drill.ts
