#!/usr/bin/env bash
# The measured, not shipped, third training stage in docs/results.md: TRM's deep supervision on top of the stage-2
# model (build/shipped/stage2.json, the shipped model when this ran). From it, experiments/configs/shipped-stage3.json
# (supervision_steps 2 of H_cycles 4, so each batch is trained twice, the second time from the first's detached
# states; loss on the last cycle only; EMA 0.999,
# lr 5e-4) for 60 minutes of one core, on fresh generator strata like stage 2's (seeds 201-204) plus the kaggle rows
# stage 1 trained on; then both models on the new run's held-out rows with at most 26 givens (its own split, not
# a test set), iterative commit.
# Usage: experiments/stage3-experiment.sh   (about 15 min of generation on 2 cores, then 60 CPU-minutes of training)
set -euo pipefail
source "$(dirname "$0")/../scripts/lib/experiment.sh" build/stage3
stage2=$(stage2_model)
[[ -f checkpoints/runs/shipped/validation.csv ]] || scripts/train-shipped.sh --split-only >&2
stage3_strata
training_mix "$work/mix3.csv" "$work"/s3{a,b,c,d}.csv
OMP_NUM_THREADS=1 "$trm" train --data "$work/mix3.csv" --config experiments/configs/shipped-stage3.json \
  --init-from "$stage2" --augment --time-limit 60 --budget-clock cpu --checkpoint-every 250 \
  --val-fraction 0.02 --val-limit 1000 --seed 13 --out "$work/run" --force
"$trm" export --checkpoint "$work/run/last.json" --out "$work/stage3.json" --force
awk -F, 'NR == 1 { print; next } { q = $1; if (gsub(/[1-9]/, "", q) <= 26) print }' "$work/run/validation.csv" \
  >"$work/heldout-hard.csv"
for m in "$stage2" "$work/stage3.json"; do
  echo "== $m"
  "$trm" eval --model "$m" --data "$work/heldout-hard.csv" --decoding iterative --json >"$work/eval.json"
  json_eval "$work/eval.json" '[4, 8].filter(h => h <= r.h_cycles).map(h => `single pass, cycle ${h}: blank cells ` +
    `${pct(r.per_cycle_blank_cell_accuracy[h - 1])}, puzzles ${pct(r.per_cycle_puzzle_accuracy[h - 1])}`).join("\n")'
  eval_line "$work/eval.json"
done
