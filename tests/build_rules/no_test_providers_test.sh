#!/usr/bin/env bash
# The release daemon holds no test provider (issue 12): no symbol of
# providers/testing/ and none of their WSMAN_Test* class names, while
# wsmand-testing, built from the same main, holds both (so this test can
# fail). Usage: no_test_providers_test.sh WSMAND WSMAND_TESTING
set -euo pipefail
release="$1"
testing="$2"
symbols='wsman::providers::testing::|RegisterTestProviders'
names='WSMAN_Test(Item|Throwing|Slow|Silent|Async|Table)'

count() {  # count PATTERN FILE-OF-TEXT
  grep -Ec "$1" "$2" || true
}
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for b in release testing; do
  nm -C "${!b}" >"$tmp/$b.nm"
  strings -a "${!b}" >"$tmp/$b.strings"
done

fail=0
if [ "$(count "$symbols" "$tmp/release.nm")" -ne 0 ]; then
  echo "FAIL: $release has test-provider symbols:"
  grep -E "$symbols" "$tmp/release.nm" | head
  fail=1
fi
if [ "$(count "$names" "$tmp/release.strings")" -ne 0 ]; then
  echo "FAIL: $release has test-provider class names:"
  grep -E "$names" "$tmp/release.strings" | head
  fail=1
fi
if [ "$(count "$symbols" "$tmp/testing.nm")" -eq 0 ] ||
   [ "$(count "$names" "$tmp/testing.strings")" -eq 0 ]; then
  echo "FAIL: $testing lacks the test providers: the check proves nothing"
  fail=1
fi
[ "$fail" -eq 0 ] && echo "ok: $release has no test provider; $testing has them"
exit "$fail"
