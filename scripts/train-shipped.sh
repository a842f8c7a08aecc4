#!/usr/bin/env bash
# Trains the model the page ships (checkpoints/shipped.json) with the recipe it was trained with:
# the kaggle-25k set from ../shared/data plus 100,000 generated puzzles with 22-30 givens, a 2%
# held-out split (disjoint by puzzle), configs/shipped.json, augmentation, 4,500 steps.
# Measured: about 40 minutes on the 2-core machine with other work running beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${TRM_SHARED_DATA:-../shared/data}
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target trm
trm=build/native/trm
mkdir -p build/shipped
"$trm" generate --count 100000 --out build/shipped/generated.csv --seed 7 --min-givens 22 --max-givens 30 --force
{ echo "quizzes,solutions"; tail -n +2 "$shared/kaggle-25k.csv" | grep -v '^$'; tail -n +2 build/shipped/generated.csv | cut -d, -f1,2; } \
  > build/shipped/mix.csv
"$trm" train --data build/shipped/mix.csv --config configs/shipped.json --augment --max-steps 4500 \
  --val-fraction 0.02 --val-limit 1000 --seed 11 --out checkpoints/runs/shipped --force
"$trm" export --checkpoint checkpoints/runs/shipped/last.json --out checkpoints/shipped.json --force
