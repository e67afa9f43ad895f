#!/usr/bin/env bash
# README command 2: install what is needed, build, and run every test (unit
# tests and integration tests against the real daemon with real clients).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
cd build
ctest --output-on-failure -j 2 --timeout 1800 "$@"
