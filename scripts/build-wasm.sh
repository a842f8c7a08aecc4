#!/usr/bin/env bash
# Builds the WebAssembly bundle and copies it to www/generated/trm.js (committed: www/ works with no build).
#   scripts/build-wasm.sh            build into build-wasm/ and update www/generated/trm.js
#   scripts/build-wasm.sh --check    build into build-wasm/ and fail if www/generated/trm.js differs (stale bundle)
#   scripts/build-wasm.sh --head     build the committed sources (git HEAD, exported to build-wasm/head-src/)
#                                    and update www/generated/trm.js: ignores uncommitted work in the tree
# Same sources and the same toolchain (Debian's emscripten 3.1.6) give a byte-identical trm.js.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs  # Debian's acorn, needed by the emscripten link step
mode=${1:-update}
build=${TRM_WASM_BUILD_DIR:-build-wasm}
jobs=${TRM_JOBS:-$(nproc)}
src=.
if [[ "$mode" == --head ]]; then
  # The output does not depend on where the sources are (paths are mapped away), so an export of HEAD
  # builds the same bytes as a clean checkout of it.
  src=build-wasm/head-src build=build-wasm/head mode=update
  rm -rf "$src" && mkdir -p "$src"
  git archive HEAD | tar -x -C "$src"
fi

gen=()
if command -v ninja >/dev/null; then gen=(-G Ninja); fi
emcmake cmake -S "$src" -B "$build" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CROSSCOMPILING_EMULATOR=/usr/bin/node >/dev/null
cmake --build "$build" --target trm_web -j"$jobs"

out="$build/web/trm.js"
case "$mode" in
  update)
    if cmp -s "$out" www/generated/trm.js; then
      echo "www/generated/trm.js is up to date ($(stat -c %s www/generated/trm.js) bytes)"
    else
      cp "$out" www/generated/trm.js
      echo "www/generated/trm.js updated ($(stat -c %s www/generated/trm.js) bytes)"
    fi ;;
  --check)
    if cmp -s "$out" www/generated/trm.js; then
      echo "www/generated/trm.js matches a fresh build ($(stat -c %s www/generated/trm.js) bytes)"
    else
      echo "www/generated/trm.js is stale: it differs from a fresh build of the current sources ($out)." >&2
      echo "Rebuild it with scripts/build-wasm.sh and commit www/generated/trm.js." >&2
      exit 1
    fi ;;
  *) echo "usage: $0 [--check | --head]" >&2; exit 2 ;;
esac
