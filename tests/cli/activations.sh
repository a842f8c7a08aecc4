#!/usr/bin/env bash
# train --checkpoint-activations: the same run bit for bit (weights, metrics) in far less memory.
#   activations.sh TRM WORKDIR
set -euo pipefail
source "$(dirname "$0")/lib.sh"
TRM=$1 work=$2
scratch "$work"
cd "$work"
run "$TRM" generate --count 120 --seed 8 --out puzzles.csv
expect_rc 0 "generate"
ARGS=(--data puzzles.csv --arch cells --hidden_dim 24 --L_layers 2 --L_cycles 3 --H_cycles 3 --deep_supervision true
      --dropout 0.1 --batch_size 16 --max-steps 6 --seed 4)
peak_kb() { /usr/bin/time -f "%M" -o "$1.rss" "${@:2}" >/dev/null 2>&1; cat "$1.rss"; }
plain=$(OMP_NUM_THREADS=1 peak_kb plain "$TRM" train "${ARGS[@]}" --out plain)
saved=$(OMP_NUM_THREADS=1 peak_kb saved "$TRM" train "${ARGS[@]}" --out saved --checkpoint-activations)
[[ -s plain/last.json && -s saved/last.json ]] || fail "a run wrote no last.json"
run "$TRM" export --checkpoint plain/last.json --out plain.json
expect_rc 0 "export plain"
run "$TRM" export --checkpoint saved/last.json --out saved.json
expect_rc 0 "export saved"
cmp -s plain.json saved.json || fail "--checkpoint-activations changed the trained weights"
[[ $(grep '"type":"step"' plain/metrics.jsonl) == "$(grep '"type":"step"' saved/metrics.jsonl)" ]] ||
  fail "--checkpoint-activations changed the step losses"
echo "peak RSS: $plain KB plain, $saved KB with --checkpoint-activations"
(( saved < plain )) || fail "--checkpoint-activations did not lower peak memory ($saved KB vs $plain KB)"
echo "ok"
