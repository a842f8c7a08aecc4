#!/usr/bin/env bash
# Is per-cycle deep supervision what holds the later stages back? The ablations (README) found, at 8 minutes from
# scratch, that a loss on the last outer cycle only solves 56.6% of graded puzzles against 43.9% with a loss on every
# cycle. This script asks the same of the shipped recipe's third stage: from the stage-2 model, on the same data and
# budget as the shipped stage 3 (the "even" mix of scripts/stage3-continue.sh, 60 minutes of one core, seed 14), it
# trains two variants side by side, one core each:
#   h4: configs/stage3-last-cycle-h4.json  (stage 3's recipe, loss on the 4th and last cycle only)
#   h8: configs/stage3-last-cycle-h8.json  (loss on the 8th and last cycle only: trains the 8 cycles the model runs)
# then scores them on stage 3's development set (seeds 301-302, never trained on, not a test set) with iterative
# commit at 8 and 12 outer cycles, beside the shipped model.
# Needs the stage-2 model at build/shipped/stage2.json (scripts/train-shipped.sh writes it).
# Usage: scripts/stage3-last-cycle.sh   (about 15 min of generation if stage 3's data is not there yet, then 60
# CPU-minutes on each core)
set -euo pipefail
source "$(dirname "$0")/lib/experiment.sh" build/stage3c
stage2=build/shipped/stage2.json
[[ -f $stage2 ]] || { echo "error: $stage2 is missing: run scripts/train-shipped.sh first" >&2; exit 1; }
[[ -f checkpoints/runs/shipped/validation.csv ]] || scripts/train-shipped.sh --split-only >&2
[[ -f $work/s3d.csv ]] || stage3_strata
[[ -f $work/dev.csv ]] || stage3_dev_set
training_mix "$work/mix-even.csv" "$work"/s3{a,b,c,d}.csv
variants=(h4 h8)
for variant in "${variants[@]}"; do
  OMP_NUM_THREADS=1 "$trm" train --data "$work/mix-even.csv" --val-data "$work/dev.csv" \
    --config "configs/stage3-last-cycle-$variant.json" --init-from "$stage2" --augment --time-limit 60 \
    --budget-clock cpu --checkpoint-every 250 --val-limit 1000 --seed 14 --out "$work/run-last-$variant" --force \
    >"$work/run-last-$variant.log" 2>&1 &
done
wait
for variant in "${variants[@]}"; do
  "$trm" export --checkpoint "$work/run-last-$variant/last.json" --out "$work/last-$variant.json" --force
done
for m in checkpoints/shipped.json "$work"/last-h{4,8}.json; do
  for cycles in 8 12; do
    echo "== $m, $cycles outer cycles, iterative commit"
    "$trm" eval --model "$m" --data "$work/dev.csv" --decoding iterative --h-cycles "$cycles" | grep -E 'puzzles,|final'
  done
done
