#!/usr/bin/env bash
# Training is a function of the data, config and seed only.   determinism.sh TRM WORKDIR
# The same command twice, and the same run with --data spelled differently (data.csv, ./data.csv,
# ././data.csv, ..., an absolute path), must give identical step losses and byte-identical weights. The
# spellings move the process's heap by a few bytes, so a kernel whose floating-point result depends on
# where its buffers happen to lie (alignment) shows up here; it is also what breaks exact resume, where
# the resumed process allocates the model after parsing a checkpoint.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
TRM=$1 work=$2
scratch "$work"
cd "$work"
ARGS=(--arch flat --hidden_dim 16 --L_layers 1 --L_cycles 2 --H_cycles 2 --batch_size 16 --epochs 2 --dropout 0.1
      --val-fraction 0.05 --val-limit 16 --seed 7)

run "$TRM" generate --count 340 --seed 5 --out data.csv
expect_rc 0 "generate"

train_as() {  # train_as NAME DATA_PATH: trains into NAME, exports NAME.json
  run "$TRM" train --data "$2" --out "$1" "${ARGS[@]}"
  expect_rc 0 "train --data $2"
  run "$TRM" export --checkpoint "$1/last.json" --out "$1.json"
  expect_rc 0 "export $1/last.json"
}

same_as_ref() {  # same_as_ref NAME WHAT
  local a b
  a=$(grep '"type":"step"' ref/metrics.jsonl)
  b=$(grep '"type":"step"' "$1/metrics.jsonl")
  if [[ $a != "$b" ]]; then
    first_difference "reference" "$a" "$1" "$b" >&2
    last_cmd=""
    fail "$2: the step losses differ from the reference run"
  fi
  cmp -s ref.json "$1.json" || { last_cmd=""; fail "$2: the trained weights differ from the reference run"; }
}

train_as ref data.csv
train_as again data.csv
same_as_ref again "the same command run twice"

prefix=""
for k in 1 2 3 4 5 6 7 8; do
  prefix+="./"
  train_as "dots$k" "${prefix}data.csv"
  same_as_ref "dots$k" "--data ${prefix}data.csv instead of data.csv (heap layout / buffer alignment dependence?)"
done
train_as absolute "$PWD/data.csv"
same_as_ref absolute "--data $PWD/data.csv instead of data.csv (heap layout / buffer alignment dependence?)"
echo "ok: training is deterministic"
