#!/usr/bin/env bash
# Data-parallel training speed on this machine (docs/performance.md, "Data-parallel training over MPI"): samples/s of
# one process with 2 threads against 2 MPI ranks with 1 thread each, on the same global batch, repeats interleaved
# (A B A B ...), median. samples/s = steps x global batch / the training steps' seconds that the checkpoint records
# (train_seconds: forward, backward, all-reduce and update; not start-up or validation).
#   bench/mpi.sh [REPEATS (3)] [STEPS (20)]        TRM=path/to/trm (default build/native/trm)
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-3} steps=${2:-20}
TRM=${TRM:-$PWD/build/native/trm}
JQ=${JQ:-$PWD/build/tests/cli/trm_json_query}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [[ $(id -u) == 0 ]]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
export OMPI_MCA_btl_vader_single_copy_mechanism=none
"$TRM" generate --count 3000 --seed 11 --out "$work/data.csv" >/dev/null

# samples/s of one run: rate BATCH CONFIG [LAUNCHER...] (LAUNCHER, e.g. mpirun -np 2, starts trm)
rate() {
  local out=$work/run batch=$1 config=$2
  shift 2
  rm -rf "$out"
  "$@" "$TRM" train --config "$config" --data "$work/data.csv" --max-steps "$steps" --val-limit 16 --seed 1 --out "$out" >/dev/null 2>&1
  awk -v n="$steps" -v b="$batch" -v s="$("$JQ" "$out/last.json" training.train_seconds)" 'BEGIN { printf "%.1f", n * b / s }'
}
median() { tr ' ' '\n' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "| workload | 1 process x 2 threads, samples/s | 2 ranks x 1 thread, samples/s | ranks / threads |"
echo "|---|---:|---:|---:|"
for workload in "cells-b32 recipes/shipped/stage1.json 32" "default-b64 configs/reference-flat.json 64"; do
  read -r name config batch <<<"$workload"
  threads=() ranks=()
  for ((r = 0; r < repeats; r++)); do
    threads+=("$(OMP_NUM_THREADS=2 rate "$batch" "$config")")
    ranks+=("$(OMP_NUM_THREADS=1 rate "$batch" "$config" mpirun -np 2 --mca pml ob1 --mca btl self,vader)")
  done
  a=$(echo "${threads[*]}" | median) b=$(echo "${ranks[*]}" | median)
  echo "| train-$name | $a (${threads[*]}) | $b (${ranks[*]}) | $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2fx", b / a }') |"
done
