#!/usr/bin/env bash
# Sends N log entries from service "load-test" to a LogSentinel with the load generator, prints
# its summary, then asks LogSentinel how many entries of service "load-test" it holds.
#
#   scripts/load-test.sh URL N        e.g. scripts/load-test.sh http://localhost:3100 100000
#
# Environment: LOGSENTINEL_TOKEN (a token with scopes logs:write and logs:read, sent as a bearer
# token; authentication is on by default), RATE (lines/s, default 5000), BATCH (lines per
# request, default 500), CONCURRENCY (default 4), TENANT (X-Scope-OrgID), WAIT (seconds to wait for the count to settle,
# default 60: in a cluster, processors commit after ingest acknowledged). Runs the load generator
# of this checkout (dist/main.js, built by npm install) or, without it, the image in
# LOGSENTINEL_IMAGE (default logsentinel:latest) with docker on the host network.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ne 2 ] || ! [[ "$2" =~ ^[0-9]+$ ]] || [ "$2" -lt 1 ]; then
  echo "usage: $0 URL N   (N entries, at least 1)" >&2
  exit 2
fi
url=${1%/} n=$2
args=(loadgen --url "$url" --count "$n" --service load-test --rate "${RATE:-5000}" --batch "${BATCH:-500}" --concurrency "${CONCURRENCY:-4}")
[ -n "${TENANT:-}" ] && args+=(--tenant "$TENANT")
headers=(-H 'Content-Type: application/json')
[ -n "${TENANT:-}" ] && headers+=(-H "X-Scope-OrgID: $TENANT")
# The token goes to curl through a config on stdin and to loadgen through its environment, never
# as an argument (argument lists are visible to every user of the machine).
auth=()
[ -n "${LOGSENTINEL_TOKEN:-}" ] && auth=(--config -)
curl_auth() { if [ -n "${LOGSENTINEL_TOKEN:-}" ]; then printf 'header = "Authorization: Bearer %s"\n' "$LOGSENTINEL_TOKEN" | curl "${auth[@]}" "$@"; else curl "$@"; fi; }
export LOGSENTINEL_TOKEN

started=$(date +%s)
if [ -f dist/main.js ]; then
  node dist/main.js "${args[@]}"
else
  ${DOCKER:-docker} run --rm --network host -e LOGSENTINEL_TOKEN "${LOGSENTINEL_IMAGE:-logsentinel:latest}" "${args[@]}"
fi

# The simple JSON search finds them (newest first)...
echo
echo "POST $url/logs/query {\"service\":\"load-test\",\"limit\":3}:"
curl_auth -fsS -X POST "$url/logs/query" "${headers[@]}" -d "{\"service\":\"load-test\",\"since\":\"1h\",\"limit\":3}"
echo
# ...and a LogQL count says how many are stored (settles once processors have committed).
since=$(( $(date +%s) - started + 60 ))
query="sum(count_over_time({service=\"load-test\"}[${since}s]))"
deadline=$(( $(date +%s) + ${WAIT:-60} )) last=-1
while :; do
  count=$(curl_auth -fsS -G "$url/loki/api/v1/query" "${headers[@]}" --data-urlencode "query=$query" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s).data.result;console.log(r.length?r[0].value[1]:0)})')
  if [ "$count" = "$last" ] || [ "$(date +%s)" -ge "$deadline" ]; then break; fi
  last=$count
  sleep 2
done
echo "stored entries of service load-test (last ${since}s): $count"
