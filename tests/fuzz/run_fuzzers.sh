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
mkdir -p "$work/envelope_fuzz" "$work/http_fuzz" "$work/cim_fuzz" \
  "$work/winrs_fuzz" "$work/wql_fuzz"
i=0
while IFS= read -r -d '' f; do
  i=$((i + 1))
  { printf '\000'; cat "$f"; } > "$work/envelope_fuzz/seed$i"
  cp "$f" "$work/cim_fuzz/seed$i"
  cp "$f" "$work/winrs_fuzz/seed$i"
  len=$(stat -c %s "$f")
  { printf 'POST /wsman HTTP/1.1\r\nHost: x\r\nContent-Type: application/soap+xml;charset=UTF-8\r\nAuthorization: Basic YTpi\r\nContent-Length: %d\r\n\r\n' "$len"; cat "$f"; } \
    > "$work/http_fuzz/seed$i"
done < <(find "$vectors" -name '*.xml' -print0)
printf 'POST /wsman-anon HTTP/1.1\r\nContent-Type: application/soap+xml\r\nContent-Length: 123\r\n\r\n<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"><s:Body><wsmid:Identify/></s:Body></s:Envelope>' \
  > "$work/http_fuzz/identify"

q=0
for query in "SELECT * FROM Win32_Process" \
  "select Name, ProcessId from CIM_Process where ProcessId > 100 and (Name like 'ss%' or not Name is null)" \
  "SELECT * FROM WSMAN_TestItem WHERE Id = 42 OR Name <> 'x' AND Size >= 1.5e3" \
  "SELECT a FROM b WHERE NOT (c IS NOT NULL) AND d < -5"; do
  q=$((q + 1)); printf '%s' "$query" > "$work/wql_fuzz/seed$q"
done
# Durations, the ones that overflowed the clock arithmetic (P300Y) first.
mkdir -p "$work/duration_fuzz"
d=0
for duration in P300Y PT60S PT0.5S PT9223372036854S P292Y P1Y2M3DT4H5M6.7S \
  P10000D PT0S -PT1S PT1S1M; do
  d=$((d + 1)); printf '%s' "$duration" > "$work/duration_fuzz/seed$d"
done
# CIM requests the integration tests send, as seeds for the engine target.
for cls in WSMAN_TestItem WSMAN_TestTable WSMAN_TestPerson; do
  for op in Get Delete; do
    q=$((q + 1))
    printf '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Header><a:Action>http://schemas.xmlsoap.org/ws/2004/09/transfer/%s</a:Action><a:MessageID>uuid:1</a:MessageID><w:ResourceURI>http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/%s</w:ResourceURI><w:SelectorSet><w:Selector Name="Id">42</w:Selector></w:SelectorSet></s:Header><s:Body/></s:Envelope>' \
      "$op" "$cls" > "$work/cim_fuzz/seed-$op-$cls"
  done
  printf '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration"><s:Header><a:Action>http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate</a:Action><a:MessageID>uuid:1</a:MessageID><w:ResourceURI>http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/%s</w:ResourceURI><w:OptionSet><w:Option Name="Count">3</w:Option></w:OptionSet></s:Header><s:Body><n:Enumerate><w:OptimizeEnumeration/><w:MaxElements>2</w:MaxElements><w:Filter Dialect="http://schemas.microsoft.com/wbem/wsman/1/WQL">SELECT * FROM %s WHERE Id &lt; 3</w:Filter></n:Enumerate></s:Body></s:Envelope>' \
    "$cls" "$cls" > "$work/cim_fuzz/seed-enum-$cls"
done

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
