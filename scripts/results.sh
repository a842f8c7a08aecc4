#!/usr/bin/env bash
# The accuracy tables in README.md: the shipped model (checkpoints/shipped.json) on its held-out
# split (checkpoints/runs/shipped/validation.csv, written by scripts/train-shipped.sh) and on
# ../shared/data/graded-5k.csv (never seen in training), single pass and iterative commit.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${TRM_SHARED_DATA:-../shared/data}
trm=build/native/trm
model=${1:-checkpoints/shipped.json}
for data in checkpoints/runs/shipped/validation.csv "$shared/graded-5k.csv"; do
  [[ -f $data ]] || { echo "(skipping $data: not present)"; continue; }
  for decoding in single iterative; do
    echo "### $(basename "$data"), $decoding"
    "$trm" eval --model "$model" --data "$data" --decoding "$decoding"
    echo
  done
done
