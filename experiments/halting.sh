#!/usr/bin/env bash
# Learned halting on top of the shipped model: a halting head (TRM's Q-head, config halt_weight; the head reads the
# state as a constant, so its loss never moves the answer) trained by fine-tuning checkpoints/shipped.json on fresh
# generated puzzles, then the hard development set scored with and without halting (the ablation).
#   experiments/halting.sh [CPU_MINUTES]      (default 35 minutes of one core, then two evaluations)
# Writes build/halting/halting.json (exported at the shipped model's 24 outer cycles) and build/halting/table.md.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-35}
trm=${TRM:-build/native/trm}
work=build/halting
mkdir -p "$work"
export OMP_NUM_THREADS=1
[[ -f build/hard-sets/dev.csv ]] || { echo "halting.sh: run scripts/hard-sets.sh first (the development set)" >&2; exit 1; }

# 12 outer cycles as stage 3 trained, loss on every cycle, lr 2e-4, halt_weight 0.5; puzzles from the generator
# (17-30 givens, at least one solver guess), augmented, a fresh one for every sample.
"$trm" train --generate --min-givens 17 --max-givens 30 --min-guesses 1 --config experiments/configs/halting-head.json \
  --init-from checkpoints/shipped.json --augment --time-limit "$minutes" --budget-clock cpu --checkpoint-every 250 \
  --val-limit 300 --seed 31 --out "$work/run" --force
"$trm" export --checkpoint "$work/run/last.json" --out "$work/halting.json" --h-cycles 24 --force

# The default decoding (verified search) on the development set: with the head, without it, and the shipped model.
"$trm" eval --model "$work/halting.json" --data build/hard-sets/dev.csv --json >"$work/dev-halting.json" &
"$trm" eval --model "$work/halting.json" --data build/hard-sets/dev.csv --json --no-halting >"$work/dev-no-halting.json" &
wait
{
  echo "| model | decoding | exact puzzles | forward passes / puzzle | outer cycles / puzzle |"
  echo "|---|---|---:|---:|---:|"
  for f in dev-halting dev-no-halting; do
    node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      console.log(`| fine-tuned with a halting head | ${r.decoding} x${r.symmetries}${r.halting ? ", learned halting" : ", no halting"} | ` +
        `${(100 * r.puzzle_accuracy).toFixed(1)}% | ${r.mean_forward_passes.toFixed(1)} | ${r.mean_outer_cycles.toFixed(0)} |`);
    ' "$work/$f.json"
  done
} >"$work/table.md"
cat "$work/table.md"
