#!/usr/bin/env bash
# Installs the Debian packages trm-sudoku builds, tests and benchmarks with.
# Idempotent; run as root. Nothing else is downloaded at build or run time.
#   scripts/install-deps.sh            build + test dependencies
#   scripts/install-deps.sh --torch    also python3-torch (only to regenerate golden fixtures / benchmarks)
set -euo pipefail

packages=(
  cmake g++ ninja-build pkg-config      # build
  libeigen3-dev                         # matrix kernels (GEMM) over our tensor memory
  libxtensor-dev xtl-dev                 # N-d grid views for Sudoku data, augmentation and rule checks
  nlohmann-json3-dev                    # weights, checkpoints and config as JSON
  libcli11-dev                          # the trm command line
  catch2                                # unit tests (Catch2 v2)
  emscripten nodejs                     # the WebAssembly build and its Node tests
  chromium                              # headless browser test of www/index.html
  clang libclang-rt-14-dev              # libFuzzer and sanitizers
  time                                  # /usr/bin/time: peak memory in CLI tests
  openmpi-bin libopenmpi-dev            # data-parallel training (mpirun -np N trm train) and its tests; optional
  libdnnl-dev                           # oneDNN's sgemm for native float32 training; optional (Eigen without it)
)
# PyTorch for the golden fixtures and the benchmark's peer; without OpenBLAS it falls back to the reference BLAS
# (about 5 GFLOP/s), which would make the comparison meaningless.
if [[ "${1:-}" == "--torch" ]]; then packages+=(python3-torch python3-numpy libopenblas0-pthread); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then echo "install-deps: all packages present"; exit 0; fi
if [[ $(id -u) -ne 0 ]]; then echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
