#!/usr/bin/env bash
# What `trm train` refuses, and how it says so.   train_errors.sh CASE TRM WORKDIR FIXTURES JSON_QUERY
#   existing_run    an --out folder holding a run is refused (untouched) unless --force
#   resume_flags    --resume with config flags or --config is refused; a plain --resume is accepted
#   config_file     an unknown key in --config is refused naming it; a good file is used
#   bad_csv         a malformed row stops with FILE:LINE; --skip-invalid counts and continues
#   init_from       --init-from starts a new run from another model's weights; another architecture is refused
#   data_options    --generate, --time-limit, --curriculum, constraint_weight, supervision_steps: recorded in the run,
#                   resumable, exported as inference needs them; conflicting or out-of-range uses refused by name
set -euo pipefail
source "$(dirname "$0")/lib.sh"
case_name=$1 TRM=$2 work=$3 fixtures=$4 JQ=$5
TINY=(--hidden_dim 16 --L_layers 1 --L_cycles 2 --H_cycles 2 --batch_size 16 --max-steps 6 --epochs 1 --dropout 0)
scratch "$work"
cd "$work"
run "$TRM" generate --count 120 --seed 21 --out puzzles.csv
expect_rc 0 "generate"

case $case_name in
  existing_run)
    run "$TRM" train --data puzzles.csv --out run "${TINY[@]}"
    expect_rc 0 "train (first run)"
    before=$(md5sum run/last.json run/best.json run/metrics.jsonl)
    run "$TRM" train --data puzzles.csv --out run "${TINY[@]}"
    expect_error nonzero "already holds a run" "train into a folder holding a run"
    expect_err "--force" "train into a folder holding a run (mentions --force)"
    expect_err "--resume" "train into a folder holding a run (mentions --resume)"
    [[ $(md5sum run/last.json run/best.json run/metrics.jsonl) == "$before" ]] ||
      fail "a refused train changed the run folder"
    # --force starts over: one run's worth of metrics, not two.
    run "$TRM" train --data puzzles.csv --out run "${TINY[@]}" --seed 5 --force
    expect_rc 0 "train --force"
    n=$(grep -c '"type":"epoch"' run/metrics.jsonl) || true
    [[ $n == 1 ]] || fail "train --force: metrics.jsonl has $n epoch lines, expected 1 (the old run's lines kept?)"
    n=$(grep -c '"type":"step"' run/metrics.jsonl) || true
    [[ $n == 6 ]] || fail "train --force: metrics.jsonl has $n step lines, expected 6"
    [[ $(md5sum run/last.json) != "${before%% *}"* ]] || fail "train --force did not write a new last.json"
    ;;
  resume_flags)
    run "$TRM" train --data puzzles.csv --out run "${TINY[@]}"
    expect_rc 0 "train"
    before=$(md5sum run/last.json)
    run "$TRM" train --data puzzles.csv --out run --resume run/last.json --hidden_dim 32
    expect_error nonzero "--resume.*config|config.*--resume" "train --resume with --hidden_dim"
    run "$TRM" train --data puzzles.csv --out run --resume run/last.json --lr 0.01
    expect_error nonzero "--resume.*config|config.*--resume" "train --resume with --lr"
    printf '{"hidden_dim": 16}\n' >config.json
    run "$TRM" train --data puzzles.csv --out run --resume run/last.json --config config.json
    expect_error nonzero "--resume.*config|config.*--resume" "train --resume with --config"
    [[ $(md5sum run/last.json) == "$before" ]] || fail "a refused --resume changed last.json"
    # Resuming a finished run is accepted and changes nothing it has.
    run "$TRM" train --data puzzles.csv --out run --resume run/last.json
    expect_rc 0 "train --resume of a finished run"
    # Resuming from production weights (no training state) is refused.
    run "$TRM" export --checkpoint run/last.json --out weights.json
    expect_rc 0 "export"
    run "$TRM" train --data puzzles.csv --out run2 --resume weights.json
    expect_error nonzero "weights\.json" "train --resume from exported weights"
    # Resuming with other data is refused.
    run "$TRM" generate --count 200 --seed 22 --out other.csv
    expect_rc 0 "generate other.csv"
    before=$(md5sum run/*)
    run "$TRM" train --data other.csv --out run --resume run/last.json
    expect_error nonzero "other\.csv|rows" "train --resume with another --data"
    [[ $(md5sum run/*) == "$before" ]] ||
      fail "a refused --resume with another --data changed the run folder: $(diff <(echo "$before") <(md5sum run/*) | grep '^>')"
    ;;
  config_file)
    printf '{"hidden_dim": 16, "L_layers": 1, "hidden_dimm": 32}\n' >typo.json
    run "$TRM" train --data puzzles.csv --out run --config typo.json
    expect_error nonzero "typo\.json.*hidden_dimm" "train --config with an unknown key"
    [[ ! -e run/last.json ]] || fail "train with a bad --config wrote a checkpoint"
    printf '{"hidden_dim": "sixteen"}\n' >wrong-type.json
    run "$TRM" train --data puzzles.csv --out run --config wrong-type.json
    expect_error nonzero "wrong-type\.json.*hidden_dim" "train --config with a string hidden_dim"
    run "$TRM" train --data puzzles.csv --out run --config "$fixtures/truncated.json"
    expect_error nonzero "truncated\.json.*(invalid JSON|JSON)" "train --config with truncated JSON"
    run "$TRM" train --data puzzles.csv --out run --config missing.json
    expect_error nonzero "missing\.json" "train --config missing.json"
    # A good file is used, and command-line flags override it.
    printf '{"hidden_dim": 24, "L_layers": 1, "L_cycles": 2, "H_cycles": 3, "batch_size": 16, "epochs": 1, "dropout": 0}\n' >good.json
    run "$TRM" train --data puzzles.csv --out run --config good.json --H_cycles 2 --max-steps 4
    expect_rc 0 "train --config good.json --H_cycles 2"
    got=$("$JQ" run/last.json weights.config.hidden_dim weights.config.H_cycles | tr '\n' ' ')
    [[ $got == "24 2 " ]] || fail "train --config good.json --H_cycles 2 trained hidden_dim/H_cycles = $got, expected 24 2"
    # Bad config values are refused with the field named.
    run "$TRM" train --data puzzles.csv --out run3 "${TINY[@]}" --epochs 0
    expect_error nonzero "epochs" "train --epochs 0"
    run "$TRM" train --data puzzles.csv --out run3 "${TINY[@]}" --hidden_dim -4
    expect_error nonzero "hidden_dim" "train --hidden_dim -4"
    ;;
  init_from)
    run "$TRM" train --data puzzles.csv --out A "${TINY[@]}"
    expect_rc 0 "train A"
    # One step at a negligible learning rate from A's weights: the model is still A's.
    ONE_STEP=(--hidden_dim 16 --L_layers 1 --L_cycles 2 --H_cycles 2 --batch_size 16 --epochs 1 --dropout 0 --max-steps 1)
    run "$TRM" train --data puzzles.csv --out B "${ONE_STEP[@]}" --init-from A/last.json --lr 1e-12 --seed 9
    expect_rc 0 "train --init-from A/last.json"
    [[ $("$JQ" B/last.json run.init_from) == A/last.json ]] || fail "B/last.json does not record where it started"
    # A fresh run with the same flags for comparison.
    run "$TRM" train --data puzzles.csv --out C "${ONE_STEP[@]}" --lr 1e-12 --seed 9
    expect_rc 0 "train C (fresh)"
    for m in A B C; do
      run "$TRM" eval --model $m/last.json --data puzzles.csv --json
      expect_rc 0 "eval $m"
      cp "$OUT" eval-$m.json
    done
    loss_a=$("$JQ" eval-A.json loss) loss_b=$("$JQ" eval-B.json loss) loss_c=$("$JQ" eval-C.json loss)
    awk -v a="$loss_a" -v b="$loss_b" 'BEGIN { d = a - b; exit !(d < 1e-4 && d > -1e-4) }' ||
      fail "--init-from A: eval loss $loss_b, expected A's $loss_a"
    awk -v a="$loss_a" -v c="$loss_c" 'BEGIN { d = a - c; exit !(d > 1e-3 || d < -1e-3) }' ||
      fail "a fresh run has A's eval loss $loss_a too: the comparison cannot tell --init-from apart"
    # Another architecture is refused, naming a tensor that differs; nothing is written.
    run "$TRM" train --data puzzles.csv --out D "${ONE_STEP[@]/16/8}" --init-from A/last.json
    expect_error nonzero "A/last.json.*--init-from.*weight" "train --init-from with another hidden_dim"
    [[ ! -e D/last.json ]] || fail "a refused --init-from wrote D/last.json"
    # It starts a new run; it does not mix with --resume.
    run "$TRM" train --data puzzles.csv --out A --resume A/last.json --init-from C/last.json
    expect_error nonzero "--init-from" "train --resume with --init-from"
    ;;
  bad_csv)
    csv=$fixtures/bad-rows.csv
    run "$TRM" train --data "$csv" --out run "${TINY[@]}"
    expect_error nonzero "bad-rows\.csv:5: .*80" "train on a CSV whose line 5 has an 80-character puzzle"
    [[ ! -e run/last.json ]] || fail "train on a bad CSV wrote a checkpoint"
    run "$TRM" train --data "$csv" --out run "${TINY[@]}" --skip-invalid
    expect_rc 0 "train --skip-invalid"
    expect_err "skipped 3 invalid rows|3 invalid rows" "train --skip-invalid (count of skipped rows)"
    expect_err "bad-rows\.csv:5" "train --skip-invalid (names the first bad row)"
    expect_err "bad-rows\.csv:9" "train --skip-invalid (names the second bad row)"
    [[ -s run/last.json ]] || fail "train --skip-invalid wrote no checkpoint"
    [[ $("$JQ" run/last.json run.train_rows) -lt 21 ]] || fail "train --skip-invalid trained on more rows than the 21 valid ones"
    # eval stops the same way, and --skip-invalid counts.
    run "$TRM" eval --model run/last.json --data "$csv"
    expect_error nonzero "bad-rows\.csv:5" "eval on a CSV with bad rows"
    run "$TRM" eval --model run/last.json --data "$csv" --skip-invalid --json
    expect_rc 0 "eval --skip-invalid --json"
    [[ $("$JQ" "$OUT" puzzles) == 21 ]] || fail "eval --skip-invalid evaluated $("$JQ" "$OUT" puzzles) puzzles, expected the 21 valid ones"
    # A header without a puzzle column, and a missing file.
    run "$TRM" train --data "$fixtures/wrong-header.csv" --out run4 "${TINY[@]}"
    expect_error nonzero "wrong-header\.csv.*(header|column)" "train on a CSV without a puzzle column"
    run "$TRM" train --data no-such.csv --out run4 "${TINY[@]}"
    expect_error nonzero "no-such\.csv" "train --data no-such.csv"
    run "$TRM" train --data "$fixtures/header-only.csv" --out run4 "${TINY[@]}"
    expect_error nonzero "empty|no puzzles|0 puzzles" "train on a CSV with a header and no rows"
    ;;
  data_options)
    # Fresh puzzles under a time budget: no --data, the budget ends the run long before its step count.
    # One epoch of generated puzzles is 1,250 steps of 16: far more than 1.2 s of steps.
    run "$TRM" train --generate --min-givens 24 --max-givens 28 --out gen --hidden_dim 16 --L_layers 1 --L_cycles 2 \
      --H_cycles 2 --batch_size 16 --epochs 1 --dropout 0 --time-limit 0.02 --val-limit 20 --constraint_weight 0.3
    expect_rc 0 "train --generate --time-limit 0.02"
    expect_out "fresh generated puzzles \(24-28 givens" "train --generate (says what it trains on)"
    [[ $("$JQ" gen/last.json run.generate.min_givens run.generate.max_givens | tr '\n' ' ') == "24 28 " ]] ||
      fail "gen/last.json does not record the generator's range"
    [[ $("$JQ" gen/last.json weights.config.constraint_weight) == 0.3* ]] || fail "constraint_weight not in the config"
    steps=$("$JQ" gen/last.json training.step) total=$("$JQ" gen/last.json training.total_steps)
    [[ $steps -lt $total ]] || fail "the time budget did not end the run early ($steps of $total steps)"
    [[ $(grep -c . gen/validation.csv) == 21 ]] || fail "train --generate: validation.csv is not 20 generated puzzles"
    # A finished generated run resumes without --data (it has none).
    run "$TRM" train --out gen --resume gen/last.json
    expect_rc 0 "train --resume of a --generate run"
    # The curriculum ranks the file's rows; it runs and is recorded.
    run "$TRM" train --data puzzles.csv --out cur "${TINY[@]}" --curriculum
    expect_rc 0 "train --curriculum"
    [[ $("$JQ" cur/last.json run.curriculum) == true ]] || fail "cur/last.json does not record the curriculum"
    # Supervision steps: the production file states the depth they reach (H_cycles x steps) and no multiplier.
    run "$TRM" train --data puzzles.csv --out sup "${TINY[@]}" --supervision_steps 3
    expect_rc 0 "train --supervision_steps 3"
    run "$TRM" export --checkpoint sup/last.json --out sup.json
    expect_rc 0 "export of a supervision-steps run"
    [[ $("$JQ" sup.json config.H_cycles config.supervision_steps | tr '\n' ' ') == "6 1 " ]] ||
      fail "export: config H_cycles/supervision_steps = $("$JQ" sup.json config.H_cycles config.supervision_steps | tr '\n' ' '), expected 6 1"
    run "$TRM" eval --model sup/last.json --data puzzles.csv --json
    expect_rc 0 "eval of a supervision-steps checkpoint"
    [[ $("$JQ" "$OUT" h_cycles) == 6 ]] || fail "eval of a supervision-steps checkpoint ran $("$JQ" "$OUT" h_cycles) cycles, expected 6"
    # Conflicts and ranges, each refused naming the flag, with nothing written.
    run "$TRM" train --generate --data puzzles.csv --out bad "${TINY[@]}"
    expect_error nonzero "--data.*--generate|--generate.*--data" "train --generate --data"
    run "$TRM" train --data puzzles.csv --min-givens 20 --out bad "${TINY[@]}"
    expect_error nonzero "--min-givens.*--generate" "train --min-givens without --generate"
    run "$TRM" train --generate --curriculum --out bad "${TINY[@]}"
    expect_error nonzero "--curriculum.*--generate|--generate.*--curriculum" "train --generate --curriculum"
    run "$TRM" train --generate --min-givens 28 --max-givens 24 --out bad "${TINY[@]}"
    expect_error nonzero "givens range \[28, 24\]" "train --generate with an empty givens range"
    run "$TRM" train --data puzzles.csv --time-limit 0 --out bad "${TINY[@]}"
    expect_error nonzero "--time-limit" "train --time-limit 0"
    run "$TRM" train --data puzzles.csv --constraint_weight -1 --out bad "${TINY[@]}"
    expect_error nonzero "constraint_weight" "train --constraint_weight -1"
    run "$TRM" train --out bad
    expect_error nonzero "--data" "train without --data or --generate"
    [[ ! -e bad ]] || fail "a refused train created its --out folder"
    ;;
  *) echo "train_errors.sh: unknown case $case_name" >&2; exit 2 ;;
esac
echo "ok: train $case_name"
