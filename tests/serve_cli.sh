#!/usr/bin/env bash
# `policy serve` as a user runs it: the command starts on a free port, answers curl, writes the
# decision log, stops on SIGTERM with exit 0 after flushing the log, and `policy replay` agrees
# with every logged decision. Run by CTest as `serve_cli`.
#   bash tests/serve_cli.sh path/to/policy
set -euo pipefail
policy="$1"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
pid=""
trap '[[ -n "$pid" ]] && kill -KILL "$pid" 2> /dev/null; rm -rf "$work"' EXIT
command -v curl > /dev/null || { echo "serve_cli: curl is not installed (scripts/install-deps.sh installs it)"; exit 1; }

POLICY_TODAY=2025-09-01 "$policy" serve --addr 127.0.0.1:0 --decision-log "$work/decisions.log" \
  "$root/policies" 2> "$work/serve.log" &
pid=$!
for _ in $(seq 100); do
  grep -q "serving revision" "$work/serve.log" && break
  sleep 0.1
done
addr="$(sed -n 's/.* on http:\/\/\([0-9.:]*\).*/\1/p' "$work/serve.log" | head -1)"
[[ -n "$addr" ]] || { echo "the server did not start:"; cat "$work/serve.log"; exit 1; }

fail() { echo "FAIL: $*"; cat "$work/serve.log"; exit 1; }
[[ "$(curl -s "http://$addr/health")" == *'"status":"ok"'* ]] || fail "/health"
n=0
for f in "$root"/examples/cases/hk_*.json; do
  out="$(curl -s -X POST "http://$addr/v1/decisions/hk.employment.part_time_on_campus_allowed" \
    -H 'Content-Type: application/json' --data-binary "{\"input\": $(cat "$f")}")"
  expected="$(POLICY_TODAY=2025-09-01 "$policy" eval policies -d hk.employment.part_time_on_campus_allowed \
    -i "$f" --format json | tr -d ' \n')"
  [[ "$(echo "$out" | tr -d ' \n')" == "$expected" ]] || fail "$f: served $out, eval says $expected"
  n=$((n + 1))
done
code="$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://$addr/v1/decisions/hk.nope" --data-binary '{}')"
[[ "$code" == 404 ]] || fail "unknown decision answered $code"

kill -TERM "$pid"
wait "$pid" || fail "policy serve exited $? on SIGTERM"
pid=""
grep -q "stopped" "$work/serve.log" || fail "no 'stopped' line"
lines="$(wc -l < "$work/decisions.log")"
[[ "$lines" == "$n" ]] || fail "the decision log has $lines lines for $n decisions"
POLICY_TODAY=2025-09-01 "$policy" replay "$work/decisions.log" "$root/policies" > "$work/replay.txt" ||
  fail "replay: $(cat "$work/replay.txt")"
grep -q "$n agree, 0 differ" "$work/replay.txt" || fail "replay: $(cat "$work/replay.txt")"
echo "serve_cli: $n decisions served, equal to policy eval, logged and replayed"
