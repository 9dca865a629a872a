#!/usr/bin/env bash
# Builds the LogSentinel image from deploy/docker/Dockerfile and prints its size beside a naive
# single-stage build of the same code (deploy/docker/Dockerfile.naive).
#
#   scripts/build.sh [--tag logsentinel:latest] [--no-naive] [--demo]
#
#   --tag TAG    image tag (default logsentinel:latest, what the Compose stacks use)
#   --no-naive   skip the naive comparison build
#   --demo       also build the demo API image (logsentinel-demo-api:latest) for the cluster stack
#   --demo-tag T build the demo API image as T
#
# Environment: BUILD_BASE and RUNTIME_BASE (defaults: the official node:20-bookworm and
# node:20-bookworm-slim), NPM_CA_FILE (a CA bundle for npm behind a TLS-intercepting proxy; copied
# into the build context's deploy/docker/ca/ and used by the build stage only), DOCKER (default
# docker; podman works), DOCKER_BUILD_FLAGS (extra flags, e.g. --network host).
set -euo pipefail
cd "$(dirname "$0")/.."

tag=logsentinel:latest naive=1 demo=0 demo_tag=logsentinel-demo-api:latest
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) tag=$2; shift 2 ;;
    --no-naive) naive=0; shift ;;
    --demo) demo=1; shift ;;
    --demo-tag) demo=1; demo_tag=$2; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

DOCKER=${DOCKER:-docker}
read -r -a extra <<<"${DOCKER_BUILD_FLAGS:-}"
args=(--build-arg "BUILD_BASE=${BUILD_BASE:-node:20-bookworm}" --build-arg "RUNTIME_BASE=${RUNTIME_BASE:-node:20-bookworm-slim}")
demo_args=("${args[@]}")
if [ -n "${NPM_CA_FILE:-}" ]; then
  cp "$NPM_CA_FILE" deploy/docker/ca/npm-ca.crt
  cp "$NPM_CA_FILE" examples/demo-api/.npm-ca.crt
  trap 'rm -f deploy/docker/ca/npm-ca.crt examples/demo-api/.npm-ca.crt' EXIT
  args+=(--build-arg NPM_CA_FILE=npm-ca.crt)
  demo_args+=(--build-arg NPM_CA_FILE=.npm-ca.crt)
fi
version=$(node -p 'require("./package.json").version' 2>/dev/null || echo unknown)
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
source=$(git config --get remote.origin.url 2>/dev/null || echo unknown)
labels=(--build-arg "VERSION=$version" --build-arg "REVISION=$revision" --build-arg "SOURCE=$source" --build-arg "CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)")

size() { $DOCKER image inspect --format '{{.Size}}' "$1"; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }

t0=$SECONDS
$DOCKER build "${extra[@]}" -f deploy/docker/Dockerfile "${args[@]}" "${labels[@]}" -t "$tag" . | grep -E '^prune:|^Successfully|^Step [0-9]+/[0-9]+ : (FROM|RUN npm)' || true
$DOCKER image inspect "$tag" >/dev/null
echo "build.sh: $tag built in $((SECONDS - t0)) s"
if [ "$demo" = 1 ]; then
  t0=$SECONDS
  $DOCKER build "${extra[@]}" "${demo_args[@]}" -t "$demo_tag" examples/demo-api >/dev/null
  echo "build.sh: $demo_tag built in $((SECONDS - t0)) s ($(mb "$(size "$demo_tag")"))"
fi
image=$(size "$tag")
echo
printf '%-44s %12s\n' image size
printf '%-44s %12s\n' "$tag (multi-stage, pruned)" "$(mb "$image")"
if [ "$naive" = 1 ]; then
  t0=$SECONDS
  $DOCKER build "${extra[@]}" -f deploy/docker/Dockerfile.naive "${args[@]}" -t "${tag%%:*}:naive" . >/dev/null
  naive_size=$(size "${tag%%:*}:naive")
  printf '%-44s %12s   (built in %d s)\n' "${tag%%:*}:naive (single stage)" "$(mb "$naive_size")" $((SECONDS - t0))
  awk -v a="$image" -v b="$naive_size" 'BEGIN { printf "runtime image is %.1f%% of the naive build\n", 100 * a / b }'
fi
