#!/usr/bin/env bash
# Numerical faults in `trm train`: a learning rate of 1e30 blows the loss up at step 2.
#   stop   the run stops (exit 3) naming the step; last.json (written every step) holds step 1 and loads (export
#          refuses it: its forward pass already overflows)
#   skip   --skip-nonfinite skips each bad step, halving the learning rate, logs it, gives up after 10 (exit 3)
#   nonfinite.sh CASE TRM WORKDIR JSON_QUERY
set -euo pipefail
source "$(dirname "$0")/../cli/lib.sh"
case_name=$1 TRM=$2 work=$3 JQ=$4
scratch "$work"
cd "$work"
BLOWUP=(--arch cells --hidden_dim 4 --L_layers 1 --O_layers 1 --L_cycles 1 --H_cycles 1 --batch_size 4 --epochs 2
        --dropout 0 --lr 1e30 --grad_clip 0 --checkpoint-every 1)
run "$TRM" generate --count 100 --seed 2 --out puzzles.csv
expect_rc 0 "generate"

case $case_name in
  stop)
    run "$TRM" train --data puzzles.csv --out run "${BLOWUP[@]}"
    expect_rc 3 "train --lr 1e30"
    expect_err "^trm: numerical error: step 2 \(epoch 1\): the loss is not finite" "train --lr 1e30"
    expect_err "run/last\.json holds the last good state" "train --lr 1e30"
    expect_err "--skip-nonfinite" "train --lr 1e30 (suggests --skip-nonfinite)"
    [[ $("$JQ" run/last.json training.step) == 1 ]] || fail "last.json is not at step 1"
    run "$TRM" info --model run/last.json
    expect_rc 0 "the last good checkpoint loads (trm info)"
    # Its weights are finite, but step 1's learning rate of 1e30 already makes the forward pass overflow: export
    # refuses to ship such a model (issue 22) rather than write weights that answer nan.
    run "$TRM" export --checkpoint run/last.json --out w.json
    expect_error 3 "run/last\.json: not exporting: the model's output is not finite: logits after outer cycle 1" \
      "export of a checkpoint whose forward pass overflows"
    ;;
  skip)
    run "$TRM" train --data puzzles.csv --out run "${BLOWUP[@]}" --skip-nonfinite
    expect_rc 3 "train --lr 1e30 --skip-nonfinite"
    expect_out "^step 2 skipped: the loss is not finite \(.*\); learning rate now x0\.5$" "train --skip-nonfinite"
    expect_out "^step 11 skipped: .*learning rate now x0\.000976562" "train --skip-nonfinite"
    expect_err "^trm: numerical error: step 12 \(epoch 1\): the loss is not finite .*stopping: 10 steps were skipped already" \
      "train --skip-nonfinite"
    n=$(grep -c '"type":"skip"' run/metrics.jsonl) || true
    [[ $n == 10 ]] || fail "metrics.jsonl has $n skip lines, expected 10"
    run "$TRM" info --model run/last.json
    expect_rc 0 "the last good checkpoint loads (trm info)"
    # --skip-nonfinite is a run setting: a resume keeps it and refuses the flag.
    [[ $("$JQ" run/last.json run.skip_nonfinite) == true ]] || fail "the checkpoint does not record skip_nonfinite"
    run "$TRM" train --data puzzles.csv --out run --resume run/last.json --skip-nonfinite
    expect_error nonzero "--resume.*--skip-nonfinite" "train --resume --skip-nonfinite"
    ;;
  *) fail "unknown case $case_name" ;;
esac
echo "ok: nonfinite $case_name"
