#!/usr/bin/env bash
# The baseline row in README.md: the reference architecture with the reference defaults (configs/reference-flat.json)
# trained for the shipped model's wall-clock, here of one core's CPU time, on stage 1's data and split (default 98
# minutes: the first two stages with their puzzle generation; all three stages take 173: scripts/baseline-flat.sh 173)
# (the same generated puzzles, seed and 2% held-out split as scripts/train-shipped.sh), then evaluated single pass
# on the kaggle-25k held-out rows and on graded-5k.
# Usage: scripts/baseline-flat.sh [MINUTES]   (default 98)
set -euo pipefail
minutes=${1:-98}
source "$(dirname "$0")/lib/experiment.sh" build/baseline
stage1_mix "$work/mix.csv"
OMP_NUM_THREADS=1 "$trm" train --data "$work/mix.csv" --config configs/reference-flat.json --augment "${STAGE1_SPLIT[@]}" \
  --val-limit 1000 --checkpoint-every 500 --time-limit "$minutes" --budget-clock cpu \
  --out checkpoints/runs/flat-baseline --force
kaggle_heldout checkpoints/runs/flat-baseline/validation.csv "$work/kaggle-heldout.csv"
for data in "$work/kaggle-heldout.csv" "$shared/graded-5k.csv"; do
  "$trm" eval --model checkpoints/runs/flat-baseline/last.json --data "$data"
done
