#!/usr/bin/env bash
# Sets up and runs every test: installs the Debian packages, builds, runs the native unit and CLI
# tests (ctest), then the WebAssembly and browser tests.
#   scripts/test.sh                 everything
#   TRM_CMAKE_ARGS="-DTRM_WERROR=ON" scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# shellcheck disable=SC2086
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release ${TRM_CMAKE_ARGS:-} >/dev/null
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)"
if [[ -x scripts/test-web.sh ]]; then scripts/test-web.sh; fi
