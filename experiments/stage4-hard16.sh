#!/usr/bin/env bash
# A fourth stage tried for the model alone (issue 18): checkpoints/shipped.json fine-tuned at 16 outer cycles (loss on
# every cycle, stage 3's recipe at lr 2e-4) on harder generated puzzles (12,000 needing at least 20 solver guesses,
# 17-28 givens; 8,000 needing at least one, 17-30 givens), then scored on the hard development set with the model
# alone (iterative commit, 1 and 4 readings), a single pass and the default decoding (verified search).
#   experiments/stage4-hard16.sh [CPU_MINUTES]      (default 30 minutes of one core, then four evaluations)
# Writes build/stage4-hard16/hard16.json (exported at the shipped model's 24 outer cycles) and table.md.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-30}
trm=${TRM:-build/native/trm}
work=build/stage4-hard16
mkdir -p "$work"
export OMP_NUM_THREADS=1
[[ -f build/hard-sets/dev.csv ]] || { echo "stage4-hard16.sh: run scripts/hard-sets.sh first (the development set)" >&2; exit 1; }

"$trm" generate --count 12000 --min-givens 17 --max-givens 28 --min-guesses 20 --seed 502 --out "$work/g20.csv" --force
"$trm" generate --count 8000 --min-givens 17 --max-givens 30 --min-guesses 1 --seed 503 --out "$work/g1.csv" --force
{ cat "$work/g20.csv"; tail -n +2 "$work/g1.csv"; } >"$work/mix.csv"
# Validation watches the development set (one pass): this is where choices are made, never the test set.
"$trm" train --data "$work/mix.csv" --val-data build/hard-sets/dev.csv --val-limit 200 \
  --config experiments/configs/stage4-hard16.json --init-from checkpoints/shipped.json --augment \
  --time-limit "$minutes" --budget-clock cpu --checkpoint-every 100 --seed 21 --out "$work/run" --force
"$trm" export --checkpoint "$work/run/last.json" --out "$work/hard16.json" --h-cycles 24 --force

dev=build/hard-sets/dev.csv
"$trm" eval --model "$work/hard16.json" --data "$dev" --json --decoding iterative --symmetries 1 >"$work/iter1.json" &
"$trm" eval --model "$work/hard16.json" --data "$dev" --json --decoding iterative --symmetries 4 >"$work/iter4.json" &
wait
"$trm" eval --model "$work/hard16.json" --data "$dev" --json --decoding single >"$work/single.json" &
"$trm" eval --model "$work/hard16.json" --data "$dev" --json >"$work/default.json" &
wait
{
  echo "| decoding | exact puzzles | forward passes / puzzle | outer cycles / puzzle |"
  echo "|---|---:|---:|---:|"
  for f in single iter1 iter4 default; do
    node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      console.log(`| ${r.decoding} x${r.symmetries} | ${(100 * r.puzzle_accuracy).toFixed(1)}% | ` +
        `${r.mean_forward_passes.toFixed(1)} | ${r.mean_outer_cycles.toFixed(0)} |`);
    ' "$work/$f.json"
  done
} >"$work/table.md"
cat "$work/table.md"
