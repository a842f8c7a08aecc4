#!/usr/bin/env bash
# The baseline row in README.md: the reference architecture with the reference defaults (configs/reference-flat.json)
# trained for the shipped model's wall-clock, here of one core's CPU time, on stage 1's data and split (default 98
# minutes: the first two stages with their puzzle generation; all three stages take 173: scripts/baseline-flat.sh 173)
# (the same generated puzzles, seed and 2% held-out split as scripts/train-shipped.sh), then evaluated single pass
# on the kaggle-25k held-out rows and on graded-5k.
# A run cut short (a session's end, a kill) continues from its last checkpoint with --resume: the CPU time spent
# is saved in the checkpoint, so the budget and the learning-rate schedule carry on where they stopped.
# Usage: scripts/baseline-flat.sh [MINUTES] [--resume]   (default 98)
set -euo pipefail
minutes=${1:-98}
source "$(dirname "$0")/lib/experiment.sh" build/baseline
out=checkpoints/runs/flat-baseline
stage1_mix "$work/mix.csv"
if [[ ${2:-} == --resume ]]; then
  OMP_NUM_THREADS=1 "$trm" train --data "$work/mix.csv" --resume "$out/last.json" --out "$out"
else
  OMP_NUM_THREADS=1 "$trm" train --data "$work/mix.csv" --config configs/reference-flat.json --augment "${STAGE1_SPLIT[@]}" \
    --val-limit 1000 --checkpoint-every 500 --time-limit "$minutes" --budget-clock cpu --out "$out" --force
fi
kaggle_heldout "$out/validation.csv" "$work/kaggle-heldout.csv"
for data in "$work/kaggle-heldout.csv" "$shared/graded-5k.csv"; do
  "$trm" eval --model "$out/last.json" --data "$data"
done
