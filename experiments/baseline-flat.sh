#!/usr/bin/env bash
# The baseline row in docs/results.md: the reference architecture with the reference defaults (configs/reference-flat.json)
# trained for the shipped model's wall-clock, here of one core's CPU time, on stage 1's data and split (default 98
# minutes: the first two stages with their puzzle generation; all three stages take 173: experiments/baseline-flat.sh 173)
# (the same generated puzzles, seed and 2% held-out split as scripts/train-shipped.sh), then evaluated on the
# kaggle-25k held-out rows and on every fifth row of graded-5k. Prints the row as a Markdown table (also kept in build/baseline/table.md,
# which scripts/results.sh adds to its tables).
# A run cut short (a session's end, a kill) continues from its last checkpoint with --resume: the CPU time spent
# is saved in the checkpoint, so the budget and the learning-rate schedule carry on where they stopped.
# --eval-only skips training and evaluates the run's last checkpoint (after a run whose evaluation was cut short).
# Usage: experiments/baseline-flat.sh [MINUTES] [--resume | --eval-only]   (default 98)
set -euo pipefail
minutes=${1:-98}
source "$(dirname "$0")/../scripts/lib/experiment.sh" build/baseline
out=checkpoints/runs/flat-baseline
if [[ ${2:-} == --eval-only ]]; then
  [[ -f $out/last.json ]] || { echo "error: --eval-only: no run at $out/last.json" >&2; exit 1; }
elif [[ ${2:-} == --resume ]]; then
  stage1_mix "$work/mix.csv"
  OMP_NUM_THREADS=1 "$trm" train --data "$work/mix.csv" --resume "$out/last.json" --out "$out" >&2
else
  stage1_mix "$work/mix.csv"
  OMP_NUM_THREADS=1 "$trm" train --data "$work/mix.csv" --config configs/reference-flat.json --augment "${STAGE1_SPLIT[@]}" \
    --val-limit 1000 --checkpoint-every 500 --time-limit "$minutes" --budget-clock cpu --out "$out" --force >&2
fi
kaggle_heldout "$out/validation.csv" "$work/kaggle-heldout.csv"
# graded-5k's 1,000-puzzle subset, not all 5,000: a model at chance commits one cell per pass, so iterative commit
# costs about 57 passes of this 11M-parameter model per puzzle (an hour of one core for all 5,000).
graded_1k "$work/graded-1k.csv"
# The two test sets side by side, one thread each.
OMP_NUM_THREADS=1 "$trm" eval --model "$out/last.json" --data "$work/kaggle-heldout.csv" --decoding iterative --json \
  >"$work/kaggle.json" &
kaggle_eval=$!
OMP_NUM_THREADS=1 "$trm" eval --model "$out/last.json" --data "$work/graded-1k.csv" --decoding iterative --json \
  >"$work/graded.json"
wait "$kaggle_eval"
# The budget actually trained (minutes of CPU time across resumes), its steps, and the last epoch's mean loss.
read -r steps loss < <(grep '"type":"epoch"' "$out/metrics.jsonl" | tail -n 1 |
  sed -E 's/.*"step":([0-9]+).*"train_loss":([-0-9.e]+).*/\1 \2/')
used=$(grep -o '"train_seconds":[0-9.e+]*' "$out/last.json" | cut -d: -f2)
{
  echo "| model | budget (one core) | steps | training loss, last epoch | kaggle held out: no model, blank cells | single pass, blank cells | iterative commit, puzzles | graded-5k (1,000): no model, blank cells | single pass, blank cells | iterative commit, puzzles |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  IFS='|' read -r _ kb ksb _ _ kfe _ < <(eval_summary "$work/kaggle.json")
  IFS='|' read -r _ gb gsb _ _ gfe _ < <(eval_summary "$work/graded.json")
  printf '| reference flat, `configs/reference-flat.json` | %.0f of %s min | %s | %.4f | %s | %s | %s | %s | %s | %s |\n' \
    "$(awk -v s="${used:-0}" 'BEGIN { print s / 60 }')" "$minutes" "$steps" "$loss" "$kb" "$ksb" "$kfe" "$gb" "$gsb" "$gfe"
} | tee "$work/table.md"
