#!/usr/bin/env bash
# The baseline row in README.md: the reference architecture with the reference defaults (configs/reference-flat.json)
# trained for the shipped model's wall-clock (98 minutes, here of one core's CPU time) on stage 1's data and split
# (the same generated puzzles, seed and 2% held-out split as scripts/train-shipped.sh), then evaluated single pass
# on the kaggle-25k held-out rows and on graded-5k.
# Usage: scripts/baseline-flat.sh [MINUTES]   (default 98)
set -euo pipefail
minutes=${1:-98}
source "$(dirname "$0")/lib/experiment.sh" build/baseline
"$trm" generate --count 100000 --out "$work/generated.csv" --seed 7 --min-givens 22 --max-givens 30 --force >/dev/null
{ echo "quizzes,solutions"; tail -n +2 "$shared/kaggle-25k.csv" | grep -v '^$'; tail -n +2 "$work/generated.csv" | cut -d, -f1,2; } \
  >"$work/mix.csv"
OMP_NUM_THREADS=1 "$trm" train --data "$work/mix.csv" --config configs/reference-flat.json --augment --val-fraction 0.02 \
  --val-limit 1000 --seed 11 --checkpoint-every 500 --time-limit "$minutes" --budget-clock cpu \
  --out checkpoints/runs/flat-baseline --force
kaggle_heldout checkpoints/runs/flat-baseline/validation.csv "$work/kaggle-heldout.csv"
for data in "$work/kaggle-heldout.csv" "$shared/graded-5k.csv"; do
  "$trm" eval --model checkpoints/runs/flat-baseline/last.json --data "$data"
done
