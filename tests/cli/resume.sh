#!/usr/bin/env bash
# Exact resume.   resume.sh TRM WORKDIR JSON_QUERY ARCH
# Run A trains 4 epochs of 20 steps straight. Run B is the same command stopped by SIGINT once epoch 1 is
# logged (it saves last.json and exits 130), then continued with --resume; run C is stopped mid-epoch 1.
# B and C must end exactly where A does: the same step losses, the same epoch metrics (but wall time), and
# byte-identical exported weights. Four epochs, so 60 steps (about a second) follow B's trigger line: a SIGINT sent
# from a loaded machine still lands before the run ends. Dropout, augmentation, warmup and a cosine floor are on, so
# the generator states, the optimizer moments and the schedule position all have to survive the checkpoint.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
TRM=$1 work=$2 JQ=$3 arch=$4
scratch "$work"
cd "$work"

case $arch in
  # Each step must take long enough (tens of ms) that the interrupt lands before the run ends.
  flat) MODEL=(--arch flat --hidden_dim 96 --L_layers 2 --L_cycles 4 --H_cycles 3) ;;
  # cells also keeps a weight average: its state must resume exactly too, and export writes it.
  cells) MODEL=(--arch cells --hidden_dim 16 --L_layers 1 --L_cycles 2 --H_cycles 2 --deep_supervision true --ema_decay 0.9) ;;
  *) echo "resume.sh: unknown arch $arch" >&2; exit 2 ;;
esac
# 340 puzzles, 5% held out -> 323 training rows -> 20 steps of 16 per epoch.
ARGS=(--data data.csv "${MODEL[@]}" --batch_size 16 --epochs 4 --dropout 0.1 --augment --warmup_steps 5
      --min_lr_ratio 0.1 --lr 0.002 --val-fraction 0.05 --val-limit 16 --seed 7)
TOTAL=80

run "$TRM" generate --count 340 --seed 5 --out data.csv
expect_rc 0 "generate"

# A: straight through.
run "$TRM" train "${ARGS[@]}" --out A
expect_rc 0 "train A (straight)"
expect_out "20 per epoch" "train A: 20 steps per epoch"
n=$(grep -c '"type":"step"' A/metrics.jsonl) || true
[[ $n == "$TOTAL" ]] || fail "run A logged $n step lines, expected $TOTAL"

# Starts `train --out DIR` in the background, waits until its metrics.jsonl has a line matching ERE, sends
# SIGINT, and checks it stopped early: exit 130, a checkpoint, "stopped at step K" with K < TOTAL.
interrupt_when() {
  local dir=$1 pattern=$2
  "$TRM" train "${ARGS[@]}" --out "$dir" >"$dir.stdout" 2>"$dir.stderr" &
  local pid=$! waited=0
  until grep -Eq -- "$pattern" "$dir/metrics.jsonl" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid" || true
      OUT=$dir.stdout ERR=$dir.stderr last_cmd="train --out $dir" rc="(ended)"
      fail "run $dir ended before its metrics.jsonl matched /$pattern/"
    fi
    sleep 0.01
    waited=$((waited + 1))
    if [[ $waited -gt 12000 ]]; then kill -KILL "$pid"; fail "run $dir: no /$pattern/ line after 120 s"; fi
  done
  kill -INT "$pid"
  wait_rc "$pid"
  OUT=$dir.stdout ERR=$dir.stderr last_cmd="train ${ARGS[*]} --out $dir (SIGINT after /$pattern/)"
  [[ $rc != 0 ]] || fail "run $dir finished all $TOTAL steps before SIGINT stopped it (steps too fast for this test?)"
  [[ $rc == 130 ]] || fail "run $dir: exit status $rc after SIGINT, expected 130"
  stopped=$(grep -Eo 'stopped at step [0-9]+' "$dir.stdout" | grep -Eo '[0-9]+$') || fail "run $dir: no 'stopped at step K' line"
  [[ $stopped -lt $TOTAL ]] || fail "run $dir: stopped at step $stopped, not before $TOTAL"
  expect_out "--resume" "run $dir: tells how to continue"
  [[ -s $dir/last.json ]] || fail "run $dir: no last.json after SIGINT"
  [[ $("$JQ" "$dir/last.json" training.step) == "$stopped" ]] ||
    fail "run $dir: last.json is at step $("$JQ" "$dir/last.json" training.step), the run said it stopped at $stopped"
  echo "run $dir stopped at step $stopped"
}

resume() {
  local dir=$1
  run "$TRM" train --data data.csv --out "$dir" --resume "$dir/last.json"
  expect_rc 0 "train --resume $dir/last.json"
  expect_out "resuming at step $stopped" "train --resume $dir/last.json"
}

strip_seconds() { grep '"type":"epoch"' "$1" | sed -E 's/"(train_)?seconds":[-0-9.e+]+,?//g'; }

compare() {
  local dir=$1
  local steps_a steps_b
  steps_a=$(grep '"type":"step"' A/metrics.jsonl)
  steps_b=$(grep '"type":"step"' "$dir/metrics.jsonl")
  if [[ $steps_a != "$steps_b" ]]; then
    first_difference "A (straight)" "$steps_a" "$dir (resumed at step $stopped)" "$steps_b" >&2
    last_cmd=""
    fail "[$arch] resuming at step $stopped changed the training: step lines differ from the straight run"
  fi
  if [[ $(strip_seconds A/metrics.jsonl) != "$(strip_seconds "$dir/metrics.jsonl")" ]]; then
    first_difference "A (straight)" "$(strip_seconds A/metrics.jsonl)" "$dir (resumed at step $stopped)" \
      "$(strip_seconds "$dir/metrics.jsonl")" >&2
    last_cmd=""
    fail "[$arch] resuming at step $stopped changed the epoch metrics (train/val loss or accuracy)"
  fi
  run "$TRM" export --checkpoint "$dir/last.json" --out "$dir.weights.json"
  expect_rc 0 "export $dir/last.json"
  cmp -s A.weights.json "$dir.weights.json" ||
    { last_cmd=""; fail "[$arch] final weights of $dir (stopped at step $stopped, resumed) differ from the straight run A"; }
  grep -q '"type":"resume"' "$dir/metrics.jsonl" || fail "$dir/metrics.jsonl does not record the resume"
  grep -q '<svg' "$dir/report.html" || fail "$dir/report.html has no chart after the resume"
  echo "run $dir matches A"
}

run "$TRM" export --checkpoint A/last.json --out A.weights.json
expect_rc 0 "export A/last.json"
if [[ $arch == cells ]]; then expect_out "the weight average" "export A/last.json (a run with ema_decay)"; fi

# B: stopped once epoch 1 is logged (at the boundary or early in epoch 2).
interrupt_when B '"type":"epoch"'
resume B
compare B

# C: stopped in the middle of epoch 1.
interrupt_when C '"step":6,'
resume C
compare C
echo "ok: exact resume ($arch)"
