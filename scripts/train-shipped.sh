#!/usr/bin/env bash
# Trains the model the page ships (checkpoints/shipped.json), in three stages, with the recipe it was trained with.
#
# Stage 1 (measured 44 min): recipes/shipped/stage1.json on the kaggle-25k set from ../shared/data plus 100,000
#   generated puzzles with 22-30 givens, a 2% held-out split (disjoint by puzzle), augmentation, 4,500 steps.
# Stage 2 (fine-tuning, harder data): puzzles like graded-5k's levels need search beyond singles, which random
#   generation seldom makes, so the generator's difficulty floor (--min-guesses) makes them: 50k with 20-28
#   givens needing at least 1 guess, 50k with 17-28 needing 10, 12k needing 20, 25k of any difficulty with
#   20-30 givens, plus the kaggle rows stage 1 trained on (its held-out rows stay out, so they remain a test
#   set). recipes/shipped/stage2.json (the same model, EMA 0.999, lr 1e-3), from stage 1's weights,
#   5,000 steps on one thread (one thread ran 4-8x faster than two while other work shared the 2 cores).
# Stage 3 (about 15 min of generation, then 60 CPU-minutes of one core): the same recipe at lr 5e-4, now trained
#   at 12 outer cycles (recipes/shipped/stage3.json: loss on every cycle), on fresh strata (seeds 201-204:
#   50k at least 1 guess, 50k at least 10, 20k at least 20, 20k any), from stage 2; chosen by
#   experiments/stage3-cycles.sh on stage 3's development set, as was the 24 cycles it runs by default.
#
# graded-5k.csv is never used for training or model selection: it is the test set.
# Usage: scripts/train-shipped.sh [--stage2-only | --split-only]
#   --stage2-only starts from checkpoints/runs/shipped/;
#   --split-only only rebuilds stage 1's held-out split, checkpoints/runs/shipped/validation.csv (scripts/results.sh
#   tests on its kaggle rows): the data and the split are deterministic, so a fresh machine gets the same rows.
set -euo pipefail
source "$(dirname "$0")/lib/experiment.sh" build/shipped
if [[ ${1:-} == --split-only ]]; then
  # One training step writes the run's split; only the split is kept.
  stage1_mix "$work/mix.csv"
  "$trm" train --data "$work/mix.csv" --config recipes/shipped/stage1.json --max-steps 1 "${STAGE1_SPLIT[@]}" \
    --out "$work/split-only" --force >/dev/null
  mkdir -p checkpoints/runs/shipped
  cp "$work/split-only/validation.csv" checkpoints/runs/shipped/validation.csv
  echo "wrote checkpoints/runs/shipped/validation.csv"
  exit 0
fi
# How long each part took, in wall-clock minutes on this machine: a line as each part ends, and all of them with the
# total at the end (also in build/shipped/times.txt).
: >"$work/times.txt"
part_start=$SECONDS
took() {  # took PART
  local line
  line=$(awk -v part="$1" -v s=$((SECONDS - part_start)) 'BEGIN { printf "%-40s %6.1f min", part, s / 60 }')
  echo "$line" | tee -a "$work/times.txt"
  part_start=$SECONDS
}
if [[ ${1:-} != --stage2-only ]]; then
  stage1_mix "$work/mix.csv"
  "$trm" train --data "$work/mix.csv" --config recipes/shipped/stage1.json --augment --max-steps 4500 \
    --val-limit 1000 "${STAGE1_SPLIT[@]}" --out checkpoints/runs/shipped --force
fi
"$trm" export --checkpoint checkpoints/runs/shipped/last.json --out "$work/stage1.json" --force
took "stage 1: data and training"

# Stage 2 data: difficulty strata from the generator, and the kaggle rows stage 1 trained on.
"$trm" generate --count 50000 --min-givens 20 --max-givens 28 --min-guesses 1 --seed 101 --out "$work/ga.csv" --force
"$trm" generate --count 50000 --min-givens 17 --max-givens 28 --min-guesses 10 --seed 102 --out "$work/gb.csv" --force
"$trm" generate --count 12000 --min-givens 17 --max-givens 28 --min-guesses 20 --seed 103 --out "$work/gc.csv" --force
"$trm" generate --count 25000 --min-givens 20 --max-givens 30 --seed 104 --out "$work/gd.csv" --force
training_mix "$work/mix2.csv" "$work"/g{a,b,c,d}.csv
took "stage 2 data: generation"
OMP_NUM_THREADS=1 "$trm" train --data "$work/mix2.csv" --config recipes/shipped/stage2.json \
  --init-from "$work/stage1.json" --augment --max-steps 5000 --checkpoint-every 250 \
  --val-fraction 0.02 --val-limit 1000 --seed 12 --out checkpoints/runs/shipped-finetune --force
"$trm" export --checkpoint checkpoints/runs/shipped-finetune/last.json --out "$work/stage2.json" --force
took "stage 2: training"

# Stage 3: stage 2's recipe continued at 12 outer cycles (recipes/shipped/stage3.json: lr 5e-4 on a fresh
# cosine) for 60 minutes of one core's CPU time on fresh strata (the "even" mix of experiments/stage3-continue.sh; the
# 12 cycles chosen by experiments/stage3-cycles.sh).
stage3_strata
training_mix "$work/mix3.csv" "$work"/s3{a,b,c,d}.csv
# Validation on the development set experiments/stage3-continue.sh chose with.
stage3_dev_set
took "stage 3 data: generation"
OMP_NUM_THREADS=1 "$trm" train --data "$work/mix3.csv" --val-data "$work/dev.csv" --config recipes/shipped/stage3.json \
  --init-from "$work/stage2.json" --augment --time-limit 60 --budget-clock cpu --checkpoint-every 250 \
  --val-limit 1000 --seed 14 --out checkpoints/runs/shipped-stage3 --force
# Trained with 12 outer cycles, run with 24 by default: chosen on stage 3's development set (docs/results.md).
"$trm" export --checkpoint checkpoints/runs/shipped-stage3/last.json --out checkpoints/shipped.json --h-cycles 24 --force
took "stage 3: training"
echo "== the recipe's parts (wall-clock minutes, also in $work/times.txt):"
cat "$work/times.txt"
awk '{ total += $(NF - 1) } END { printf "%-40s %6.1f min\n", "total", total }' "$work/times.txt" | tee -a "$work/times.txt"
