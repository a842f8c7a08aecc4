#!/usr/bin/env bash
# Crash safety of `trm train`: SIGKILL at random moments, checkpoints written every 3 steps (so many kills land
# inside a write), then --resume; repeated KILLS times (default 20; TRM_KILLS overrides, e.g. 500 for the long
# version). After every kill: last.json, when there is one, loads (trm export validates it whole), never goes
# back in steps, and lags the killed process's last logged step by at most the checkpoint interval; no temporary
# file is visible (a hidden one left by the kill is gone once the next run starts). At the end the run is
# completed and must equal, bit for bit, the same run never interrupted.
#   kill_train.sh TRM WORKDIR JSON_QUERY [KILLS]
set -euo pipefail
source "$(dirname "$0")/../cli/lib.sh"
TRM=$1 work=$2 JQ=$3
kills=${TRM_KILLS:-${4:-20}}
EVERY=3
scratch "$work"
cd "$work"
RANDOM=${TRM_KILL_SEED:-7}
TINY=(--arch cells --hidden_dim 8 --L_layers 1 --O_layers 1 --L_cycles 2 --H_cycles 2 --batch_size 8 --epochs 3
      --dropout 0.1 --seed 5 --val-limit 32)

run "$TRM" generate --count 400 --seed 4 --out puzzles.csv
expect_rc 0 "generate"

# The reference: the same run, never interrupted.
start=$(date +%s%N)
run "$TRM" train --data puzzles.csv --out reference "${TINY[@]}" --checkpoint-every "$EVERY"
expect_rc 0 "reference run"
run_ms=$((($(date +%s%N) - start) / 1000000))
total=$("$JQ" reference/last.json training.step)
echo "reference run: $total steps in $run_ms ms"

# Kill times are drawn from [0, run_ms]: early kills hit start-up and the first writes, late ones the epochs.
last_step=0 resumed=0 in_write=0 k=0 tries=0
while ((k < kills)); do
  tries=$((tries + 1))
  ((tries <= 3 * kills + 10)) || fail "only $k of $kills kills landed in $tries tries"
  args=(train --data puzzles.csv --out run)
  if [[ -f run/last.json ]]; then args+=(--resume run/last.json); resumed=$((resumed + 1)); else args+=("${TINY[@]}" --checkpoint-every "$EVERY" --force); fi
  "$TRM" "${args[@]}" >"run.out" 2>&1 &
  pid=$!
  delay_ms=$((RANDOM % (run_ms + 1)))
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  kill -KILL "$pid" 2>/dev/null || true
  set +e
  { wait "$pid"; } 2>/dev/null  # no "Killed" notice from bash
  rc=$?
  set -e
  if [[ $rc == 0 ]]; then
    # Finished before the kill: start over from the reference's first epoch to keep killing something.
    grep -q "done in" run.out || fail "try $tries: exit 0 without finishing: $(cat run.out)"
    echo "try $tries: too late (the run had finished); starting again"
    rm -rf run
    last_step=0
    continue
  fi
  [[ $rc == 137 ]] || fail "try $tries: trm train exited $rc before the kill: $(tail -5 run.out)"
  k=$((k + 1))
  ls -a run 2>/dev/null | grep -q '^\..*\.tmp\.' && in_write=$((in_write + 1))
  visible=$(find run -name '*.tmp.*' ! -name '.*' 2>/dev/null || true)
  [[ -z $visible ]] || fail "kill $k: a visible temporary file: $visible"
  if [[ -f run/last.json ]]; then
    run "$TRM" export --checkpoint run/last.json --out check.json --force
    expect_rc 0 "kill $k: the last checkpoint loads"
    step=$("$JQ" run/last.json training.step)
    ((step >= last_step)) || fail "kill $k: last.json went back from step $last_step to $step"
    # The killed process's last logged step (metrics.jsonl logs every step here; a cut last line is ignored).
    logged=$(awk '/"type":"resume"/ { max = 0 } /^\{.*"type":"step".*\}$/ { if (match($0, /"step":[0-9]+/)) { s = substr($0, RSTART + 7, RLENGTH - 7) + 0; if (s > max) max = s } } END { print max + 0 }' run/metrics.jsonl)
    ((logged - step <= EVERY)) || fail "kill $k: the process had logged step $logged but last.json holds step $step (more than $EVERY steps lost)"
    last_step=$step
  fi
  echo "kill $k after ${delay_ms} ms: $([[ -f run/last.json ]] && echo "checkpoint at step $last_step of $total" || echo "no checkpoint yet")"
done

# Finish and compare with the reference.
if [[ -f run/last.json ]]; then
  run "$TRM" train --data puzzles.csv --out run --resume run/last.json
else
  run "$TRM" train --data puzzles.csv --out run "${TINY[@]}" --checkpoint-every "$EVERY" --force
fi
expect_rc 0 "the final resume"
leftovers=$(find run -name '*.tmp.*')
[[ -z $leftovers ]] || fail "temporary files left after the final run: $leftovers"
run "$TRM" export --checkpoint run/last.json --out final.json --force
expect_rc 0 "export the final checkpoint"
run "$TRM" export --checkpoint reference/last.json --out reference.json --force
expect_rc 0 "export the reference"
cmp -s final.json reference.json || fail "the killed and resumed run ended with other weights than the reference"
for path in training.step training.optimizer.m training.optimizer.v training.dropout_rng training.lr_scale; do
  [[ $("$JQ" run/last.json "$path") == "$("$JQ" reference/last.json "$path")" ]] ||
    fail "the killed and resumed run differs from the reference at $path"
done
# The report still renders from a metrics.jsonl with cut lines.
[[ -s run/report.html ]] || fail "no report.html"
echo "ok: $kills kills ($resumed resumes, $in_write inside a checkpoint write), final run identical to the uninterrupted one"
