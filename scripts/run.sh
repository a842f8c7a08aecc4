#!/usr/bin/env bash
# The main job on defaults, from a fresh clone: set up, get data, train a small cell-wise model for
# a few minutes, export it, evaluate it on held-out puzzles, and solve an example.
#   scripts/run.sh                    (TRM_MINUTES=N to change the training budget, default 4)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target trm
trm=build/native/trm

# Data: data/sudoku.csv (quizzes,solutions) if you put one there, else 30,000 generated puzzles.
if [[ ! -f data/sudoku.csv ]]; then
  echo "== no data/sudoku.csv: generating 30,000 puzzles with unique solutions"
  "$trm" generate --count 30000 --out data/sudoku.csv --seed 1 --min-givens 26 --max-givens 36
fi

# Train: configs/quickstart.json, one epoch or TRM_MINUTES x 300 steps, whichever is fewer.
minutes=${TRM_MINUTES:-4}
steps=$((minutes * 60 * 5))  # measured: about 5.8 steps/s on an idle 2-core machine
echo "== training for about $minutes minutes ($steps steps)"
"$trm" train --data data/sudoku.csv --config configs/quickstart.json --augment --max-steps "$steps" \
  --val-fraction 0.05 --val-limit 500 --out checkpoints/runs/quickstart --force

echo "== exporting checkpoints/quickstart.json"
"$trm" export --checkpoint checkpoints/runs/quickstart/last.json --out checkpoints/quickstart.json --force

echo "== evaluating on the held-out split"
"$trm" eval --model checkpoints/quickstart.json --data checkpoints/runs/quickstart/validation.csv --limit 1000 --decoding iterative

example=$(sed -n 2p checkpoints/runs/quickstart/validation.csv | cut -d, -f1)
echo "== solving a held-out puzzle: $example"
# Every outer cycle's frame goes to a file; the answer and its verdict line are shown whole.
"$trm" solve --model checkpoints/quickstart.json "$example" --trace >checkpoints/runs/quickstart/solve-trace.txt
echo "(every outer cycle of this solve: checkpoints/runs/quickstart/solve-trace.txt)"
"$trm" solve --model checkpoints/quickstart.json "$example"
echo "== done: training report in checkpoints/runs/quickstart/report.html; open www/index.html to watch the shipped model"
