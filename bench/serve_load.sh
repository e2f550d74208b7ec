#!/usr/bin/env bash
# Load on `policy serve` (docs/server.md, "Performance"): starts the server on loopback with the
# bundled policies, drives it with wrk (Debian package `wrk`) on keep-alive connections for D1, D2
# and D3 with the example cases, and prints requests/s and p50/p99 latency; then, in the same run,
# the same decisions through the library's JSON path (policy_bench), so the cost of HTTP shows as
# the difference. A benchmark, not a test: nothing here fails on a number.
#
#   bash bench/serve_load.sh [BUILD_DIR] [SECONDS]      (defaults: build, 10)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
seconds="${2:-10}"
policy="$build/cli/policy"
bench="$build/bench/policy_bench"
command -v wrk > /dev/null || { echo "serve_load: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
cores="$(nproc)"
# wrk and the server share the machine: one core each on a 2-core machine.
server_threads=$(( cores > 1 ? cores / 2 : 1 ))
# With two cores or more, the server and wrk run on CPUs of their own (taskset, util-linux), so
# neither is moved onto the other's CPU mid-run; on one core both share it.
server_cpus=()
wrk_cpus=()
if (( cores > 1 )) && command -v taskset > /dev/null; then
  server_cpus=(taskset -c "1-$server_threads")
  wrk_cpus=(taskset -c 0)
fi
connections=32

work="$(mktemp -d)"
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill -TERM "$server_pid" 2> /dev/null && wait "$server_pid" 2> /dev/null
  rm -rf "$work"
}
trap cleanup EXIT

POLICY_TODAY=2025-09-01 "${server_cpus[@]}" "$policy" serve --addr 127.0.0.1:0 --threads "$server_threads" "$root/policies" \
  2> "$work/serve.log" &
server_pid=$!
for _ in $(seq 100); do
  grep -q "serving revision" "$work/serve.log" && break
  sleep 0.1
done
addr="$(sed -n 's/.* on http:\/\/\([0-9.:]*\).*/\1/p' "$work/serve.log" | head -1)"
[[ -n "$addr" ]] || { cat "$work/serve.log" >&2; exit 1; }

# A wrk script that cycles through every example case of the decision's module.
write_script() {  # decision, case files...
  local decision="$1"
  shift
  {
    echo "local bodies = {"
    for f in "$@"; do
      printf '[==[{"input": %s}]==],\n' "$(cat "$f")"
    done
    echo "}"
    # The requests are formatted once: formatting one per request in Lua would make wrk, not the
    # server, the bottleneck.
    echo "local requests = {}"
    echo "local i = 0"
    echo "init = function()"
    echo "  for k, body in ipairs(bodies) do"
    echo "    requests[k] = wrk.format('POST', '/v1/decisions/$decision', {['Content-Type'] = 'application/json'}, body)"
    echo "  end"
    echo "end"
    echo "request = function()"
    echo "  i = i % #requests + 1"
    echo "  return requests[i]"
    echo "end"
    # (wrk itself counts answers other than 2xx, printed below when there are any.)
  } > "$work/$decision.lua"
}

hk_cases=("$root"/examples/cases/hk_*.json)
# The server's CPU time (user + system, in clock ticks) from /proc: divided by the requests
# answered, it is what one request costs the server, a figure that moves less than requests/s
# when other work shares the machine.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
ticks_per_second="$(getconf CLK_TCK)"
printf '%-4s %-45s %12s %10s %10s %14s\n' "" "decision (policy serve, $server_threads thread(s), $connections conns)" \
  "requests/s" "p50" "p99" "server CPU/req"
for d in "D1 hk.employment.part_time_on_campus_allowed" "D2 hk.entry.applicant_documents" "D3 hk.stay.limit_of_stay"; do
  label="${d%% *}"
  name="${d#* }"
  write_script "$name" "${hk_cases[@]}"
  # A check before the load: every case answers 200.
  for f in "${hk_cases[@]}"; do
    code="$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://$addr/v1/decisions/$name" \
      -H 'Content-Type: application/json' --data-binary "{\"input\": $(cat "$f")}")"
    [[ "$code" == 200 ]] || { echo "serve_load: $name on $f answered $code" >&2; exit 1; }
  done
  before="$(cpu_ticks)"
  "${wrk_cpus[@]}" wrk -t1 -c"$connections" -d"${seconds}s" --latency -s "$work/$name.lua" "http://$addr" > "$work/$label.txt"
  after="$(cpu_ticks)"
  requests="$(awk '/requests in/ {print $1}' "$work/$label.txt")"
  cpu_us="$(awk -v t=$((after - before)) -v hz="$ticks_per_second" -v n="$requests" \
    'BEGIN { printf "%.1f us", (n > 0 ? t / hz * 1e6 / n : 0) }')"
  rps="$(awk '/Requests\/sec/ {print $2}' "$work/$label.txt")"
  p50="$(awk '$1 == "50%" {print $2}' "$work/$label.txt")"
  p99="$(awk '$1 == "99%" {print $2}' "$work/$label.txt")"
  non2xx="$(awk '/Non-2xx/ {print $NF}' "$work/$label.txt")"
  printf '%-4s %-45s %12s %10s %10s %14s%s\n' "$label" "$name" "$rps" "$p50" "$p99" "$cpu_us" \
    "${non2xx:+  ($non2xx non-2xx answers!)}"
done
kill -TERM "$server_pid"
wait "$server_pid" || true
server_pid=""

echo
echo "The same decisions through the library, JSON case -> decision, one thread (policy_bench):"
if [[ -x "$bench" ]]; then
  "$bench" --benchmark_filter='BM_D[123]_(Interp|Baseline)_Json(Answer)?$' --benchmark_min_time=0.5 2> /dev/null |
    sed 's/\x1b\[[0-9;]*m//g' | grep -E '^BM_'
else
  echo "(no $bench: configure with -DPOLICY_BUILD_BENCH=ON)"
fi
