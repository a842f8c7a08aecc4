#!/usr/bin/env bash
# The ablation table in docs/results.md: the shipped recipe in miniature (experiments/configs/ablation-base.json: the shipped cells
# model with deep supervision, EMA 0.999 and augmentation, on a fixed file of generated puzzles), one change per
# row, every row trained for the same budget of CPU time on one thread (train --time-limit --budget-clock cpu: the
# time the run would take alone on one core, so rows compare fairly when two run side by side), then evaluated on
# puzzles no row trained on:
#   - graded-5k, 1,000 puzzles (every fifth row: 200 per level), the shipped model's default decoding (iterative
#     commit) and its single pass;
#   - kaggle-25k, its last 1,000 rows (row "fixed public file" trains on the others), single pass.
# Rows: base; base with another seed (the spread one row's figures have); without deep supervision; without EMA; without augmentation; vector gates; the constraint-aware loss
# (weight 1); 2 supervision steps (TRM's deep supervision); curriculum by difficulty; fresh generated puzzles (the generator, same settings as the fixed file)
# instead of the file; the fixed public file (kaggle-25k) instead; the reference architecture (flat, reference
# defaults) on the base data.
# Usage: experiments/ablations.sh [MINUTES] [ROW...]   (default 8 per row; two rows at a time: about 45 min of
# wall-clock on 2 idle cores, plus evaluation; ROW names run only those rows). Rows done before are kept
# (ABLATIONS_RERUN=1 redoes them). Writes the Markdown table of the rows done to stdout and build/ablations/table.md.
set -euo pipefail
minutes=${1:-8}
only=("${@:2}")
source "$(dirname "$0")/../scripts/lib/experiment.sh" build/ablations
for f in graded-5k.csv kaggle-25k.csv; do
  [[ -f $shared/$f ]] || { echo "ablations.sh: needs $shared/$f" >&2; exit 1; }
done

# Data. The fixed file: 20,000 generated puzzles like graded-5k's range (20-28 givens, at least one guess), about
# two epochs in the budget; validation on 500 more (another seed).
GEN=(--min-givens 20 --max-givens 28 --min-guesses 1)
[[ -f $work/fixed.csv ]] || "$trm" generate --count 20000 "${GEN[@]}" --seed 301 --out "$work/fixed.csv" >/dev/null
[[ -f $work/val.csv ]] || "$trm" generate --count 500 "${GEN[@]}" --seed 302 --out "$work/val.csv" >/dev/null
graded_1k "$work/graded-1k.csv"
{ head -1 "$shared/kaggle-25k.csv"; tail -n +2 "$shared/kaggle-25k.csv" | grep -v '^$' | tail -1000; } >"$work/kaggle-test.csv"
tail -n +2 "$work/kaggle-test.csv" | cut -d, -f1 >"$work/kaggle-test-quizzes.txt"
{ head -1 "$shared/kaggle-25k.csv"; tail -n +2 "$shared/kaggle-25k.csv" | grep -v '^$' | grep -v -F -f "$work/kaggle-test-quizzes.txt"; } \
  >"$work/kaggle-train.csv"

BASE=(--val-data "$work/val.csv" --val-limit 500 --time-limit "$minutes" --budget-clock cpu)
# name|what changes|train arguments (beyond BASE)
rows=(
  "base|the recipe: deep supervision, EMA 0.999, augmentation, scalar gates, fixed file|--config experiments/configs/ablation-base.json --data $work/fixed.csv --augment"
  "base-seed-6|the same recipe, another seed (run-to-run spread)|--config experiments/configs/ablation-base.json --data $work/fixed.csv --augment --seed 6"
  "no-deep-supervision|loss on the last cycle only|--config experiments/configs/ablation-base.json --data $work/fixed.csv --augment --deep_supervision false"
  "no-ema|no weight average|--config experiments/configs/ablation-base.json --data $work/fixed.csv --augment --ema_decay 0"
  "no-augmentation|no Sudoku symmetries|--config experiments/configs/ablation-base.json --data $work/fixed.csv"
  "vector-gates|per-channel gates|--config experiments/configs/ablation-base.json --data $work/fixed.csv --augment --gate_type vector"
  "constraint-loss|+ constraint-aware loss (weight 1)|--config experiments/configs/ablation-base.json --data $work/fixed.csv --augment --constraint_weight 1"
  "supervision-steps|+ 2 supervision steps (TRM deep supervision: 8 cycles deep)|--config experiments/configs/ablation-base.json --data $work/fixed.csv --augment --supervision_steps 2"
  "curriculum|+ curriculum by difficulty|--config experiments/configs/ablation-base.json --data $work/fixed.csv --augment --curriculum"
  "fresh-generated|fresh generated puzzles instead of the file|--config experiments/configs/ablation-base.json --generate ${GEN[*]} --augment"
  "kaggle-file|the public fixed file (kaggle-25k) instead|--config experiments/configs/ablation-base.json --data $work/kaggle-train.csv --augment"
  "flat-reference|reference architecture and defaults (flat, d=512)|--data $work/fixed.csv --augment --config configs/reference-flat.json"
)

# Trains and evaluates one row; its summary goes to $work/NAME.row.
run_row() {
  local name=$1 args=$2 seed=(--seed 5)
  [[ " $args " == *" --seed "* ]] && seed=()  # the row sets its own
  # shellcheck disable=SC2086  # args is a list of words by construction
  OMP_NUM_THREADS=1 "$trm" train "${BASE[@]}" "${seed[@]}" $args --out "$work/runs/$name" --force >"$work/$name.train.log" 2>&1
  local steps
  steps=$(grep -o '"step":[0-9]*' "$work/runs/$name/metrics.jsonl" | tail -1 | cut -d: -f2)
  OMP_NUM_THREADS=1 "$trm" eval --model "$work/runs/$name/last.json" --data "$work/graded-1k.csv" --decoding iterative \
    --json >"$work/$name.graded.json"
  OMP_NUM_THREADS=1 "$trm" eval --model "$work/runs/$name/last.json" --data "$work/kaggle-test.csv" --json \
    >"$work/$name.kaggle.json"
  local graded kaggle expert
  graded=$(eval_summary "$work/$name.graded.json")
  kaggle=$(json_eval "$work/$name.kaggle.json" 'pct(r.per_cycle_puzzle_accuracy.at(-1))')  # single pass
  expert=$(json_eval "$work/$name.graded.json" 'pct(r.groups.find(g => g.group == "Expert").puzzle_accuracy)')
  echo "$steps|$graded|$kaggle|$expert" >"$work/$name.row"
}

for row in "${rows[@]}"; do
  IFS='|' read -r name _ args <<<"$row"
  if [[ ${#only[@]} -gt 0 && " ${only[*]} " != *" $name "* ]]; then continue; fi  # not asked for
  if [[ -f $work/$name.row && -z ${ABLATIONS_RERUN:-} ]]; then continue; fi  # done before: keep
  while [[ $(jobs -rp | wc -l) -ge 2 ]]; do wait -n; done
  echo "training $name for $minutes CPU-minutes" >&2
  run_row "$name" "$args" &
done
wait

{
  echo "Each row: $minutes minutes of one core (CPU time), same seed; graded-5k: 1,000 puzzles (200 per level), kaggle: 1,000 held-out rows."
  echo
  echo "| row | change | steps | graded: single pass | graded: iterative commit (default) | graded Expert (iterative) | graded blank cells | kaggle held out: single pass |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|"
  for row in "${rows[@]}"; do
    IFS='|' read -r name what _ <<<"$row"
    [[ -f $work/$name.row ]] || continue  # not run (yet) on this machine
    IFS='|' read -r steps n base sb se fb fe passes kaggle expert <"$work/$name.row"
    echo "| $name | $what | $steps | $se | **$fe** | $expert | $fb | $kaggle |"
  done
} | tee "$work/table.md"
