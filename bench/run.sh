#!/usr/bin/env bash
# The performance table in one command: builds what it needs, runs `trm bench` (every workload, every peer
# found) and prints the table with the machine's load before and after.
#
#   bench/run.sh                     the table of docs/performance.md
#   bench/run.sh --json              the rows as JSON
#   bench/run.sh --workload NAME     one workload (any `trm bench` flag passes through)
#
# Builds: build-bench/ (native Release, -march=native, OpenMP) and build-wasm-bench/ (the WebAssembly bundle of the
# current sources; www/generated/trm.js may be older than the weights format). Peers: PyTorch needs
# `scripts/install-deps.sh --torch` (python3-torch, and libopenblas0-pthread: with Debian's reference BLAS torch's
# GEMMs run at about 5 GFLOP/s); TensorFlow.js is a benchmark-only `npm install` in bench/tfjs, done here when
# npm can reach its registry. Missing peers are skipped with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${TRM_JOBS:-$(nproc)}
gen=()
if command -v ninja >/dev/null; then gen=(-G Ninja); fi

echo "== native build (build-bench/)" >&2
cmake -S . -B build-bench "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DTRM_BUILD_TESTS=OFF >/dev/null
cmake --build build-bench --target trm -j"$jobs" >&2

wasm_args=()
if command -v emcmake >/dev/null; then
  echo "== wasm build (build-wasm-bench/)" >&2
  export NODE_PATH=/usr/share/nodejs
  emcmake cmake -S . -B build-wasm-bench "${gen[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CROSSCOMPILING_EMULATOR=/usr/bin/node >/dev/null
  cmake --build build-wasm-bench --target trm_web -j"$jobs" >&2
  wasm_args=(--wasm build-wasm-bench/web/trm.js)
else
  echo "bench: no emcmake; the wasm rows use the committed www/generated/trm.js" >&2
fi

if [[ ! -d bench/tfjs/node_modules/@tensorflow/tfjs-backend-wasm ]] && command -v npm >/dev/null; then
  echo "== npm install in bench/tfjs (benchmark-only)" >&2
  (cd bench/tfjs && timeout 300 npm install --no-audit --no-fund >&2) || echo "bench: npm install failed; tfjs-wasm skipped" >&2
fi

echo "load before: $(uptime)" >&2
build-bench/native/trm bench "${wasm_args[@]}" "$@"
echo "load after:  $(uptime)" >&2
