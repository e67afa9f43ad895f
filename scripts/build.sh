#!/usr/bin/env bash
# Configures and builds wsmand and its tests into build/ (ccache + ninja).
# Arguments go to the configure step (scripts/test.sh: -DWSMAND_WERROR=ON).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build build -j "$(nproc)"
