#!/usr/bin/env bash
# The performance table in one command: builds what it needs, runs every implementation on each workload,
# interleaved (repeat 1 of every workload and implementation, then repeat 2, ...), and joins the rows.
#
#   bench/run.sh                         every workload, 3 repeats: the table (medians, ratios with min-max)
#   bench/run.sh --workload NAME --json  one workload: every implementation's rows as one JSON array
#   bench/run.sh --write-docs SECTION    also (re)write that section of docs/performance.md with the table
#
# Options: --workload NAME (repeatable; `build-bench/native/trm bench --list` and wasm-infer-{default,small,cells}-b1),
# --repeats N (default 3), --seconds S (per run, default 3), --threads N (every implementation, default 2),
# --precision fp32|bf16|both (ours and PyTorch's: bf16 = our bf16 products, PyTorch's bf16 autocast; default fp32),
# --peer-precision fp32|bf16|both (PyTorch's alone, default as --precision),
# --impl NAME (repeatable: trm, pytorch, wasm, tfjs; default all found), --json, --write-docs SECTION,
# --cpu-time (ours and PyTorch's timed by process CPU time: for one thread on a busy machine, with --threads 1).
#
# Implementations: ours natively (`trm bench`, build-bench/: Release, -march=native, OpenMP), our WebAssembly build
# under Node (bench/wasm_bench.js on a fresh build-wasm-bench/ bundle, else www/generated/trm.js), PyTorch
# (bench/pytorch_bench.py: needs `scripts/install-deps.sh --torch`), TensorFlow.js's wasm backend (bench/tfjs, a
# benchmark-only npm install, done here when npm reaches its registry). A peer that is missing is skipped with a
# message. All run the same random-init weights (`trm bench --write-weights`), batch and thread count.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${TRM_JOBS:-$(nproc)}

workloads=() impls=() json=0 repeats=3 seconds=3 threads=2 precision=fp32 peer_precision="" section="" cpu_time=()
while (($#)); do
  case "$1" in
    --workload) workloads+=("$2"); shift 2 ;;
    --impl) impls+=("$2"); shift 2 ;;
    --repeats) repeats=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --precision) precision=$2; shift 2 ;;
    --peer-precision) peer_precision=$2; shift 2 ;;
    --cpu-time) cpu_time=(--cpu-time); shift ;;
    --json) json=1; shift ;;
    --write-docs) section=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/run.sh: unknown option '$1' (see bench/run.sh --help)" >&2; exit 2 ;;
  esac
done
[[ "$repeats" =~ ^[1-9][0-9]*$ ]] || { echo "bench/run.sh: --repeats: must be a whole number of at least 1, got '$repeats'" >&2; exit 2; }
[[ "$threads" =~ ^[1-9][0-9]*$ ]] || { echo "bench/run.sh: --threads: must be a whole number of at least 1, got '$threads'" >&2; exit 2; }
case "$precision" in fp32) precisions=(fp32) ;; bf16) precisions=(bf16) ;; both) precisions=(fp32 bf16) ;;
  *) echo "bench/run.sh: --precision: fp32, bf16 or both, got '$precision'" >&2; exit 2 ;; esac
case "${peer_precision:-$precision}" in fp32) peer_precisions=" fp32 " ;; bf16) peer_precisions=" bf16 " ;; both) peer_precisions=" fp32 bf16 " ;;
  *) echo "bench/run.sh: --peer-precision: fp32, bf16 or both, got '$peer_precision'" >&2; exit 2 ;; esac
((${#impls[@]})) || impls=(trm pytorch wasm tfjs)
for i in "${impls[@]}"; do
  case "$i" in trm|pytorch|wasm|tfjs) ;; *) echo "bench/run.sh: --impl: trm, pytorch, wasm or tfjs, got '$i'" >&2; exit 2 ;; esac
done
has() { local x; for x in "${impls[@]}"; do [[ "$x" == "$1" ]] && return 0; done; return 1; }
say() { echo "bench: $*" >&2; }

say "native build (build-bench/)"
gen=()
if command -v ninja >/dev/null; then gen=(-G Ninja); fi
cmake -S . -B build-bench "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DTRM_BUILD_TESTS=OFF >/dev/null
cmake --build build-bench --target trm -j"$jobs" >&2
trm=build-bench/native/trm

wasm_workloads=(wasm-infer-default-b1 wasm-infer-small-b1 wasm-infer-cells-b1)
mapfile -t native_workloads < <("$trm" bench --list)
((${#workloads[@]})) || workloads=("${native_workloads[@]}" "${wasm_workloads[@]}")
for w in "${workloads[@]}"; do
  [[ " ${native_workloads[*]} ${wasm_workloads[*]} " == *" $w "* ]] ||
    { echo "bench/run.sh: unknown workload '$w' (workloads: ${native_workloads[*]} ${wasm_workloads[*]})" >&2; exit 2; }
done
any_wasm=0
for w in "${workloads[@]}"; do [[ "$w" == wasm-* ]] && any_wasm=1; done

bundle=www/generated/trm.js
if ((any_wasm)) && has wasm; then
  if command -v emcmake >/dev/null; then
    say "wasm build (build-wasm-bench/)"
    export NODE_PATH=/usr/share/nodejs
    emcmake cmake -S . -B build-wasm-bench "${gen[@]}" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_CROSSCOMPILING_EMULATOR=/usr/bin/node >/dev/null
    cmake --build build-wasm-bench --target trm_web -j"$jobs" >&2
    bundle=build-wasm-bench/web/trm.js
  else
    say "no emcmake; the wasm rows use the committed $bundle"
  fi
fi
tfjs=0
if ((any_wasm)) && has tfjs; then
  if [[ ! -d bench/tfjs/node_modules/@tensorflow/tfjs-backend-wasm ]] && command -v npm >/dev/null; then
    say "npm install in bench/tfjs (benchmark-only)"
    (cd bench/tfjs && timeout 300 npm install --no-audit --no-fund >&2) || say "npm install failed"
  fi
  if [[ -d bench/tfjs/node_modules/@tensorflow/tfjs-backend-wasm ]]; then tfjs=1; else say "tfjs-wasm: skipped (npm install in bench/tfjs)"; fi
fi
torch=0
if has pytorch; then
  if /usr/bin/python3 -c 'import torch' 2>/dev/null; then torch=1; else say "pytorch: skipped (scripts/install-deps.sh --torch)"; fi
fi

tmp=$(mktemp -d /tmp/trm-bench-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
rows=$tmp/rows.jsonl  # also kept as build-bench/last-rows.jsonl, for bench/table.py again
: >"$rows"
if ((any_wasm)); then "$trm" bench --write-weights "$tmp" 2>/dev/null; fi

# Appends one implementation's rows (a JSON array on the command's last '[' line) tagged with the repeat.
record() {
  local what=$1; shift
  local out
  if ! out=$("$@"); then say "$what: failed (its message is above)"; return 0; fi
  out=$(grep '^\[' <<<"$out" | tail -n 1)
  [[ -n "$out" ]] || { say "$what: no rows"; return 0; }
  /usr/bin/python3 -c 'import json,sys; r=int(sys.argv[1]); print(json.dumps([dict(x, repeat=r) for x in json.loads(sys.argv[2])]))' \
    "$repeat" "$out" >>"$rows"
}
pytorch_runs() {  # the workloads bench/pytorch_bench.py implements
  case "$1" in train-default-b64|train-small-b256|train-cells-b32|infer-default-b1|infer-small-b1|infer-cells-b1|infer-default-b256|infer-small-b256) return 0 ;; esac
  return 1
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for ((repeat = 1; repeat <= repeats; ++repeat)); do
  for w in "${workloads[@]}"; do
    say "repeat $repeat/$repeats: $w"
    if [[ "$w" == wasm-* ]]; then
      model=${w#wasm-infer-}; model=${model%-b1}
      if has wasm && [[ -f "$bundle" ]]; then
        record "$w wasm" env NODE_PATH=/usr/share/nodejs node bench/wasm_bench.js --bundle "$bundle" \
          --weights "$tmp/weights-$model.json" --workload "$w" --seconds "$seconds"
      fi
      if ((tfjs)) && [[ "$model" != cells ]]; then  # the TF.js peer implements the flat model only
        record "$w tfjs" node bench/tfjs/bench.js --weights "$tmp/weights-$model.json" --workload "$w" --seconds "$seconds"
      fi
      continue
    fi
    for p in "${precisions[@]}"; do
      if has trm; then
        record "$w trm ($p)" "$trm" bench --workload "$w" --json --seconds "$seconds" --threads "$threads" --precision "$p" \
          "${cpu_time[@]}"
      fi
      if ((torch)) && pytorch_runs "$w" && [[ "$peer_precisions" == *" $p "* ]]; then
        record "$w pytorch ($p)" env OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 bench/pytorch_bench.py --workload "$w" \
          --seconds "$seconds" --threads "$threads" --precision "$p" "${cpu_time[@]}"
      fi
    done
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
cp "$rows" build-bench/last-rows.jsonl

if ((json)); then
  /usr/bin/python3 bench/table.py "$rows" --json
  exit 0
fi
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
args=()
for w in "${workloads[@]}"; do args+=(--workload "$w"); done
command="bench/run.sh --repeats $repeats --seconds $seconds --threads $threads --precision $precision"
if [[ -n "$peer_precision" ]]; then command+=" --peer-precision $peer_precision"; fi
if ((${#cpu_time[@]})); then command+=" --cpu-time"; fi
if ((${#workloads[@]} < ${#native_workloads[@]} + ${#wasm_workloads[@]})); then command+=" ${args[*]}"; fi
header="Measured $(date -u +%Y-%m-%d) with \`$command\` on $cpu ($(nproc) cores); load average before ${load_before}, after ${load_after}."
if [[ -n "$section" ]]; then
  /usr/bin/python3 bench/table.py "$rows" --header "$header" --write-docs "$section" --doc docs/performance.md
else
  /usr/bin/python3 bench/table.py "$rows" --header "$header"
fi
