#!/usr/bin/env bash
# Runs every libFuzzer target for a bounded time from seed corpora made from
# ../shared/vectors (plus tests/fuzz/corpus/<target>/ regression inputs).
# Usage: run_fuzzers.sh BUILD_DIR [SECONDS_PER_TARGET]
# Longer runs: run_fuzzers.sh build-asan 3600   (see docs/security.md)
set -euo pipefail
build="$1"
seconds="${2:-30}"
here="$(cd "$(dirname "$0")" && pwd)"
vectors="${WSMAND_VECTORS:-$here/../../../shared/vectors}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Seeds: every recorded request, raw (envelope) and wrapped in HTTP (http).
mkdir -p "$work/envelope_fuzz" "$work/http_fuzz"
i=0
while IFS= read -r -d '' f; do
  i=$((i + 1))
  { printf '\000'; cat "$f"; } > "$work/envelope_fuzz/seed$i"
  len=$(stat -c %s "$f")
  { printf 'POST /wsman HTTP/1.1\r\nHost: x\r\nContent-Type: application/soap+xml;charset=UTF-8\r\nAuthorization: Basic YTpi\r\nContent-Length: %d\r\n\r\n' "$len"; cat "$f"; } \
    > "$work/http_fuzz/seed$i"
done < <(find "$vectors" -name '*.xml' -print0)
printf 'POST /wsman-anon HTTP/1.1\r\nContent-Type: application/soap+xml\r\nContent-Length: 123\r\n\r\n<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"><s:Body><wsmid:Identify/></s:Body></s:Envelope>' \
  > "$work/http_fuzz/identify"

status=0
for target in "$build"/tests/fuzz/*_fuzz; do
  name="$(basename "$target")"
  mkdir -p "$work/$name"
  extra=()
  [ -d "$here/corpus/$name" ] && extra+=("$here/corpus/$name")
  log="$work/$name.log"
  if "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -max_len=65536 -print_final_stats=1 "$work/$name" "${extra[@]}" \
      >"$log" 2>&1; then
    execs="$(awk '/stat::number_of_executed_units/ {print $2}' "$log")"
    echo "fuzz $name: ok, $execs executions in ${seconds}s"
  else
    echo "fuzz $name: FAILED"
    tail -60 "$log"
    status=1
  fi
done
exit $status
