#!/usr/bin/env bash
# Stage 3 with other loss and depth settings. The ablations (docs/results.md) found, at 8 minutes from scratch, that a loss on
# the last outer cycle only solves 56.6% of graded puzzles against 43.9% with a loss on every cycle; and the shipped
# model trains at 4 cycles but runs 8. This script asks both of the shipped recipe's third stage: from the stage-2
# model, on the same data and budget as the shipped stage 3 (the "even" mix of experiments/stage3-continue.sh, 60 minutes
# of one core, seed 14), it trains each variant named (default: all, two at a time, one core each):
#   last-h4:  experiments/configs/stage3-last-cycle-h4.json   stage 3's recipe with the loss on the 4th and last cycle only
#   last-h8:  experiments/configs/stage3-last-cycle-h8.json   the loss on the 8th and last cycle only (the 8 cycles it runs)
#   every-h8: experiments/configs/stage3-every-cycle-h8.json  the loss on every cycle, 8 cycles
#   every-h12: recipes/shipped/stage3.json  the loss on every cycle, 12 cycles (1.5 times the cost per step; the
#              shipped stage 3, so its config lives with the shipped recipe)
# then scores each on stage 3's development set (seeds 301-302, never trained on, not a test set) with iterative
# commit at 8, 12, 16, 24 and 32 outer cycles, beside the stage-2 model they start from (the shipped model is the
# every-h12 variant).
# Needs the stage-2 model at build/shipped/stage2.json (scripts/train-shipped.sh writes it).
# Usage: experiments/stage3-cycles.sh [VARIANT...]   (about 15 min of generation if stage 3's data is not there yet, then
# 60 CPU-minutes per variant, two at a time)
set -euo pipefail
source "$(dirname "$0")/../scripts/lib/experiment.sh" build/stage3c
stage2=$(stage2_model)
variants=("$@")
[[ ${#variants[@]} -gt 0 ]] || variants=(last-h4 last-h8 every-h8 every-h12)
# last-h4 -> experiments/configs/stage3-last-cycle-h4.json; every-h12 is the shipped recipe's stage 3.
config_of() {
  if [[ $1 == every-h12 ]]; then echo recipes/shipped/stage3.json; else echo "experiments/configs/stage3-${1/-h/-cycle-h}.json"; fi
}
models=("$stage2")
for variant in "${variants[@]}"; do
  [[ -f $(config_of "$variant") ]] || { echo "error: unknown variant $variant" >&2; exit 1; }
  models+=("$work/$variant.json")
done
[[ -f checkpoints/runs/shipped/validation.csv ]] || scripts/train-shipped.sh --split-only >&2
[[ -f $work/s3d.csv ]] || stage3_strata
[[ -f $work/dev.csv ]] || stage3_dev_set
training_mix "$work/mix-even.csv" "$work"/s3{a,b,c,d}.csv
train() {
  OMP_NUM_THREADS=1 "$trm" train --data "$work/mix-even.csv" --val-data "$work/dev.csv" \
    --config "$(config_of "$1")" --init-from "$stage2" --augment --time-limit 60 \
    --budget-clock cpu --checkpoint-every 250 --val-limit 1000 --seed 14 --out "$work/run-$1" --force \
    >"$work/run-$1.log" 2>&1
  "$trm" export --checkpoint "$work/run-$1/last.json" --out "$work/$1.json" --force
}
for ((i = 0; i < ${#variants[@]}; i += 2)); do
  train "${variants[i]}" &
  [[ $((i + 1)) -lt ${#variants[@]} ]] && train "${variants[i + 1]}" &
  wait
done
for m in "${models[@]}"; do
  for cycles in 8 12 16 24 32; do
    echo "== $m, $cycles outer cycles, iterative commit"
    "$trm" eval --model "$m" --data "$work/dev.csv" --decoding iterative --h-cycles "$cycles" --json >"$work/eval.json"
    eval_line "$work/eval.json"
  done
done
