#!/usr/bin/env bash
# README command 2: install what is needed, build, and run every test:
#  1. the release build (gcc): unit tests and integration tests against the
#     real daemon with real clients (curl, pywinrm, Go winrm, ...);
#  2. the sanitizer build (clang, AddressSanitizer + UndefinedBehaviorSanitizer
#     + LeakSanitizer): the same unit and integration tests, plus a short
#     bounded run of every libFuzzer target;
#  3. the ThreadSanitizer build (clang): the unit tests and the integration
#     tests against a daemon that stops at its first data race. The clang
#     builds also check the thread-safety annotations (-Wthread-safety).
# Every stage builds with -Werror (WSMAND_WERROR; off by default for users)
# and runs the build's own checks (ctest -L build: the layering check and
# "the release daemon holds no test provider"). Extra arguments go to every
# ctest run (e.g. -R Shell).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs="$(nproc)"

echo "== release build"
scripts/build.sh -DWSMAND_WERROR=ON
(cd build && ctest --output-on-failure -j 2 --timeout 1800 "$@")

echo "== sanitizer build (ASan + UBSan + libFuzzer)"
CC=clang CXX=clang++ cmake -S . -B build-asan -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWSMAND_SANITIZE=ON -DWSMAND_FUZZ=ON \
  -DWSMAND_WERROR=ON >/dev/null
cmake --build build-asan -j "$jobs"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
(cd build-asan && ctest --output-on-failure -j 2 --timeout 1800 "$@")
unset ASAN_OPTIONS UBSAN_OPTIONS

echo "== thread sanitizer build (TSan)"
CC=clang CXX=clang++ cmake -S . -B build-tsan -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWSMAND_TSAN=ON -DWSMAND_WERROR=ON \
  >/dev/null
cmake --build build-tsan -j "$jobs"
# tests/tsan.supp: races inside system libraries only (each with its reason).
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:history_size=4:suppressions=$PWD/tests/tsan.supp"
(cd build-tsan && ctest --output-on-failure -j 2 --timeout 1800 "$@")
