#!/usr/bin/env bash
# Identify requests/s over keep-alive at concurrency 1 and 8 (wrk), with p50
# and p99 latency and the server's resident memory. Prints figures only.
# Usage: bench/identify_bench.sh [SECONDS]   (needs build/wsmand and wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
wsmand="${WSMAND_BIN:-build/wsmand}"
pid=""
seconds="${1:-10}"
work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
printf 'bench-pw\n' | "$wsmand" user add bench --accounts "$work/accounts" --password-stdin >/dev/null
"$wsmand" --listen http://127.0.0.1:0 --accounts "$work/accounts" --log-level warn \
  2> "$work/log" &
pid=$!
# The listening line is logged at info; ask the kernel for the port instead.
for _ in $(seq 100); do
  port="$(ss -ltnpH 2>/dev/null | awk -v p="pid=$pid," '$0 ~ p {split($4,a,":"); print a[length(a)]}' | head -1)"
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || { echo "wsmand did not start"; cat "$work/log"; exit 1; }
export WSMAND_AUTH="Basic $(printf 'bench:bench-pw' | base64)"
url="http://127.0.0.1:$port/wsman"
rss() { awk '/^(VmRSS|VmHWM)/ {printf "%s %s kB  ", $1, $2}' "/proc/$pid/status"; echo; }
echo "wsmand Identify benchmark ($(nproc) cores, ${seconds}s per run, keep-alive, Basic auth with credential cache)"
echo "server memory before: $(rss)"
for conns in 1 8; do
  threads=$(( conns < 2 ? 1 : 2 ))
  out="$(wrk -t"$threads" -c"$conns" -d"${seconds}s" --latency -s bench/identify.lua "$url")"
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  p50="$(awk '$1=="50%" {print $2}' <<<"$out")"
  p99="$(awk '$1=="99%" {print $2}' <<<"$out")"
  errors="$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out")"
  printf 'concurrency %-2d  %10s req/s   p50 %-9s p99 %-9s %s\n' "$conns" "$rps" "$p50" "$p99" "$errors"
done
echo "server memory after:  $(rss)"
