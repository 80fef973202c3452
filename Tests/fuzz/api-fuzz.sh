#!/usr/bin/env bash
# Fuzzes the server's JSON API from its OpenAPI document (docs/openapi.yaml) with
# schemathesis: every generated request, as the office and as a member, must be answered
# without a server error (5xx). The server runs on a fresh data folder holding one
# planned and published month, so the routes have something to read.
#
#   Tests/fuzz/api-fuzz.sh [path/to/rinban-server] [seconds per person, default 120]
set -euo pipefail
cd "$(dirname "$0")/../.."
server=${1:-.build/debug/rinban-server}
seconds=${2:-120}
data=$(mktemp -d /tmp/rinban-fuzz.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

"$server" users add fuzz-office --role office --data "$data" >/dev/null
"$server" users add fuzz-member --role member --member p01 --data "$data" >/dev/null
office=$("$server" users token fuzz-office --data "$data")
member=$("$server" users token fuzz-member --data "$data")
"$server" serve --data "$data" --port "$port" >"$data/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done

api() { curl -sf -H "Authorization: Bearer $office" "$@"; }
month=$(api -H 'Content-Type: application/json' --data-binary @../shared/examples/tiny.json "$base/api/months?name=tiny.json")
month=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$month")
run=$(api -H 'Content-Type: application/json' -d '{"engine": "greedy", "timeLimit": 5}' "$base/api/months/$month/runs" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
for _ in $(seq 100); do api "$base/api/runs/$run" | grep -q '"state":"running"' || break; sleep 0.1; done
api -X POST "$base/api/months/$month/publish" >/dev/null
api -X PUT -H 'Content-Type: application/json' -d '{"deadline": "2099-12-31"}' "$base/api/months/$month/collection" >/dev/null

status=0
for person in office member; do
  token=$office; [ "$person" = member ] && token=$member
  echo "api-fuzz: as the $person for ${seconds}s"
  # /logout would end the token itself; everything else is fair game.
  schemathesis run docs/openapi.yaml -u "$base" -H "Authorization: Bearer $token" -c not_a_server_error \
    --exclude-path /logout --max-time "$seconds" -w 2 --seed 20261203 --warnings off || status=1
done
if grep -q "Fatal error" "$data/server.log"; then echo "api-fuzz: the server crashed"; status=1; fi
kill -0 $pid 2>/dev/null || { echo "api-fuzz: the server is gone"; status=1; }
exit $status
