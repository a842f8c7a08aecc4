#!/usr/bin/env bash
# A candidate third training stage: stage 2's recipe continued from the stage-2 model (experiments/configs/shipped-continue.json:
# per-cycle deep supervision, EMA 0.999, lr 5e-4 on a fresh cosine) for 60 minutes of one core on fresh generator
# strata (seeds 201-204, as experiments/stage3-experiment.sh) plus the kaggle rows stage 1 trained on. Two variants run
# side by side, one core each: "even" (the strata once each) and "hard" (the at-least-20-guesses stratum three
# times). Both, and the stage-2 model (build/shipped/stage2.json, the shipped model when this ran), are then scored
# on a development set generated for this script alone
# (seeds 301-302, never trained on, not a test set), iterative commit at several thresholds.
# Exported to run 8 outer cycles by default (trained with 4).
# Usage: experiments/stage3-continue.sh   (about 15 min of generation on 2 cores, then 60 CPU-minutes on each core)
set -euo pipefail
source "$(dirname "$0")/../scripts/lib/experiment.sh" build/stage3c
stage2=$(stage2_model)
[[ -f checkpoints/runs/shipped/validation.csv ]] || scripts/train-shipped.sh --split-only >&2
stage3_strata
stage3_dev_set
training_mix "$work/mix-even.csv" "$work"/s3{a,b,c,d}.csv
training_mix "$work/mix-hard.csv" "$work"/s3{a,b,c,c,c,d}.csv
for variant in even hard; do
  OMP_NUM_THREADS=1 "$trm" train --data "$work/mix-$variant.csv" --val-data "$work/dev.csv" \
    --config experiments/configs/shipped-continue.json --init-from "$stage2" --augment --time-limit 60 \
    --budget-clock cpu --checkpoint-every 250 --val-limit 1000 --seed 14 --out "$work/run-$variant" --force \
    >"$work/run-$variant.log" 2>&1 &
done
wait
for variant in even hard; do
  "$trm" export --checkpoint "$work/run-$variant/last.json" --out "$work/$variant.json" --h-cycles 8 --force
done
for m in "$stage2" "$work/even.json" "$work/hard.json"; do
  for threshold in 0.99 0.999; do
    echo "== $m, commit threshold $threshold"
    "$trm" eval --model "$m" --data "$work/dev.csv" --decoding iterative --commit-threshold "$threshold" --json \
      >"$work/eval.json"
    eval_line "$work/eval.json"
  done
done
