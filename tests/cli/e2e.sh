#!/usr/bin/env bash
# generate -> train -> export -> eval / solve on a tiny model.   e2e.sh CASE TRM ROOT JSON_QUERY FIXTURES
# `setup` (a CTest fixture) writes ROOT/puzzles.csv, the run folder ROOT/run and ROOT/model.json; every
# other case reads them and works in its own folder ROOT/CASE.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
case_name=$1 TRM=$2 root=$3 JQ=$4 fixtures=$5
H_CYCLES=2
TINY=(--hidden_dim 16 --L_layers 1 --L_cycles 2 --H_cycles "$H_CYCLES" --batch_size 16 --max-steps 20 --epochs 1
      --dropout 0 --seed 3)

if [[ $case_name == setup ]]; then
  mkdir -p "$root"
  rm -rf -- "$root/run" "$root/puzzles.csv" "$root/model.json"
  scratch "$root/setup"
  run "$TRM" generate --count 500 --seed 2 --out "$root/puzzles.csv"
  expect_rc 0 "generate --count 500"
  run "$TRM" train --data "$root/puzzles.csv" --out "$root/run" "${TINY[@]}"
  expect_rc 0 "train (tiny)"
  expect_out "^epoch 1: train loss [0-9.]+, validation loss [0-9.]+" "train (tiny)"
  expect_out "done in" "train (tiny)"
  run "$TRM" export --checkpoint "$root/run/last.json" --out "$root/model.json"
  expect_rc 0 "export"
  expect_out "exported [0-9]+ parameters" "export"
  echo "ok: setup"
  exit 0
fi

[[ -f $root/model.json && -f $root/puzzles.csv ]] || fail "the setup fixture did not run ($root/model.json missing)"
data=$root/puzzles.csv
model=$root/model.json
scratch "$root/$case_name"
cd "$root/$case_name"
# Puzzles of the generated set: line 2 is the first row.
puzzle=$(sed -n 2p "$data" | cut -d, -f1)
[[ ${#puzzle} == 81 ]] || fail "could not read a puzzle from $data"

case $case_name in
  run_folder)
    r=$root/run
    for f in last.json best.json metrics.jsonl report.html; do [[ -s $r/$f ]] || fail "run folder lacks $f"; done
    leftovers=$(find "$r" -maxdepth 1 -name '*.tmp.*')
    [[ -z $leftovers ]] || fail "run folder holds a temporary file: $leftovers"
    steps=$(grep -c '"type":"step"' "$r/metrics.jsonl") || true
    [[ $steps == 20 ]] || fail "metrics.jsonl has $steps step lines, expected 20 (one per step of --max-steps 20)"
    epochs=$(grep -c '"type":"epoch"' "$r/metrics.jsonl") || true
    [[ $epochs == 1 ]] || fail "metrics.jsonl has $epochs epoch lines, expected 1"
    # Every line is JSON; a step line has step, epoch and a finite loss; the epoch line has the losses.
    while IFS= read -r line; do
      "$JQ" - . >/dev/null <<<"$line" || fail "metrics.jsonl line is not JSON: $line"
    done <"$r/metrics.jsonl"
    first_step=$(grep -m1 '"type":"step"' "$r/metrics.jsonl")
    read -r s e l <<<"$("$JQ" - step epoch loss <<<"$first_step" | tr "\n" " ")"
    [[ $s == 1 && $e == 1 ]] || fail "first step line has step=$s epoch=$e, expected 1 and 1: $first_step"
    { num_test "$l" ">" 1.9 && num_test "$l" "<" 2.5; } || fail "first step loss $l is not near ln(9)=2.197"
    epoch_line=$(grep -m1 '"type":"epoch"' "$r/metrics.jsonl")
    for k in epoch step train_loss val_loss val_blank_accuracy val_puzzle_accuracy; do
      [[ $("$JQ" - "$k?" <<<"$epoch_line") == yes ]] || fail "epoch line lacks $k: $epoch_line"
    done
    [[ $("$JQ" - step <<<"$epoch_line") == 20 ]] || fail "epoch line is not at step 20: $epoch_line"
    [[ $("$JQ" - val_per_cycle_puzzle_accuracy# <<<"$epoch_line") == "$H_CYCLES" ]] ||
      fail "epoch line's val_per_cycle_puzzle_accuracy does not have $H_CYCLES entries"
    grep -q '<svg' "$r/report.html" || fail "report.html has no <svg> chart"
    grep -qi '<html' "$r/report.html" || fail "report.html is not an HTML page"
    # Checkpoints are JSON with the config the run was given.
    [[ $("$JQ" "$r/last.json" weights.config.hidden_dim) == 16 ]] || fail "last.json does not hold hidden_dim 16"
    "$JQ" "$r/best.json" . >/dev/null || fail "best.json is not JSON"
    # The held-out split (5% of 500) is kept beside the checkpoints, disjoint from the training rows.
    [[ $("$JQ" "$r/last.json" run.train_rows run.val_rows | tr '\n' ' ') == "475 25 " ]] ||
      fail "last.json: run.train_rows/val_rows are not 475/25 (5% of 500 held out)"
    if [[ -e $r/validation.csv ]]; then
      n=$(tail -n +2 "$r/validation.csv" | grep -c .) || true
      [[ $n == 25 ]] || fail "validation.csv has $n rows, expected 25"
      run "$TRM" eval --model "$model" --data "$r/validation.csv" --json
      expect_rc 0 "eval on the run's validation.csv"
      [[ $("$JQ" "$OUT" puzzles) == 25 ]] || fail "eval on validation.csv saw $("$JQ" "$OUT" puzzles) puzzles"
      # The run's own validation numbers are those of eval on the same puzzles.
      a=$("$JQ" "$OUT" loss) b=$("$JQ" - val_loss <<<"$epoch_line")
      awk -v a="$a" -v b="$b" 'BEGIN { d = a - b; exit !(d < 1e-5 && d > -1e-5) }' ||
        fail "eval on validation.csv: loss $("$JQ" "$OUT" loss) differs from the run's val_loss $("$JQ" - val_loss <<<"$epoch_line")"
    fi
    ;;
  export)
    [[ $("$JQ" "$model" format) == trm-sudoku-weights ]] || fail "model.json: \"format\" is not trm-sudoku-weights"
    [[ $("$JQ" "$model" config.hidden_dim config.H_cycles | tr '\n' ' ') == "16 2 " ]] ||
      fail "model.json: config is not hidden_dim 16, H_cycles 2"
    [[ $("$JQ" "$model" tensors#) -gt 0 ]] || fail "model.json has no tensors"
    [[ $("$JQ" "$model" training?) == no ]] || fail "model.json carries the training state; export should drop it"
    [[ $(stat -c %s "$model") -lt $(stat -c %s "$root/run/last.json") ]] ||
      fail "model.json is not smaller than the checkpoint (optimizer state not dropped?)"
    # Refuses to overwrite without --force; --force overwrites; re-exporting gives the same bytes.
    cp "$model" again.json
    printf 'keep me\n' >existing.json
    run "$TRM" export --checkpoint "$root/run/last.json" --out existing.json
    expect_error nonzero "existing\.json.*--force" "export over an existing file"
    [[ $(cat existing.json) == "keep me" ]] || fail "export without --force changed existing.json"
    run "$TRM" export --checkpoint "$root/run/last.json" --out existing.json --force
    expect_rc 0 "export --force"
    cmp -s existing.json "$model" || fail "exporting the same checkpoint twice gave different bytes"
    # Plain-number encoding loads and predicts the same.
    run "$TRM" export --checkpoint "$root/run/last.json" --out list.json --list-encoding
    expect_rc 0 "export --list-encoding"
    run "$TRM" solve --model "$model" --json "$puzzle"
    expect_rc 0 "solve with the base64 export"
    cp "$OUT" base64.out
    run "$TRM" solve --model list.json --json "$puzzle"
    expect_rc 0 "solve with the --list-encoding export"
    [[ $("$JQ" base64.out results.0.prediction) == "$("$JQ" "$OUT" results.0.prediction)" ]] ||
      fail "the --list-encoding export predicts differently from the base64 one"
    # Smaller dtypes: float16 about half the size, int8 smaller still; both load and solve.
    for dtype in float16 int8; do
      run "$TRM" export --checkpoint "$root/run/last.json" --out $dtype.json --dtype $dtype
      expect_rc 0 "export --dtype $dtype"
      expect_out "$dtype" "export --dtype $dtype"
      grep -q "\"dtype\":\"$dtype\"" $dtype.json || fail "$dtype.json has no $dtype tensor"
      run "$TRM" solve --model $dtype.json --json "$puzzle"
      expect_rc 0 "solve with the $dtype export"
    done
    [[ $(stat -c %s float16.json) -lt $(( $(stat -c %s "$model") * 6 / 10 )) ]] || fail "float16.json is not about half the size"
    [[ $(stat -c %s int8.json) -lt $(stat -c %s float16.json) ]] || fail "int8.json is not smaller than float16.json"
    # --h-cycles sets the exported model's default outer cycles (the weights are the same for any count).
    run "$TRM" export --checkpoint "$root/run/last.json" --out five.json --h-cycles 5
    expect_rc 0 "export --h-cycles 5"
    expect_out "default outer cycles 5 \\(trained with 2\\)" "export --h-cycles 5"
    [[ $("$JQ" five.json config.H_cycles) == 5 ]] || fail "five.json: config.H_cycles is not 5"
    run "$TRM" solve --model five.json --trace "$puzzle"
    expect_rc 0 "solve with five.json"
    expect_out "cycle 5" "solve --trace with five.json shows 5 cycles"
    run "$TRM" export --checkpoint "$root/run/last.json" --out x16.json --dtype float8
    expect_error 2 "--dtype" "export --dtype float8"
    # A missing checkpoint is named.
    run "$TRM" export --checkpoint no-such-checkpoint.json --out x.json
    expect_error nonzero "no-such-checkpoint\.json" "export of a missing checkpoint"
    [[ ! -e x.json ]] || fail "export of a missing checkpoint wrote x.json"
    ;;
  eval_json)
    # With no decoding flags eval measures what solve does by default, and counts every reading.
    run "$TRM" eval --model "$model" --data "$data" --json --limit 20
    expect_rc 0 "eval --json (the default decoding)"
    [[ $("$JQ" "$OUT" decoding) == "verified search" ]] || fail "eval --json: the default decoding is not solve's"
    [[ $("$JQ" "$OUT" symmetries) == 1 ]] || fail "eval --json: the default readings are not solve's 1"
    [[ $("$JQ" "$OUT" halting) == false ]] || fail "eval --json: halting is not false for a model without a halting head"
    [[ -n $("$JQ" "$OUT" ms_per_puzzle) ]] || fail "eval --json: no ms_per_puzzle"
    p=$("$JQ" "$OUT" mean_passes) f=$("$JQ" "$OUT" mean_forward_passes) c=$("$JQ" "$OUT" mean_outer_cycles)
    awk -v a="$f" -v b="$p" 'BEGIN { d = a - b; exit !(d < 1e-9 && d > -1e-9) }' || fail "eval --json: mean_forward_passes $f is not mean_passes $p"
    awk -v a="$c" -v b="$f" -v h="$H_CYCLES" 'BEGIN { d = a - b * h; exit !(d < 1e-6 && d > -1e-6) }' ||
      fail "eval --json: mean_outer_cycles $c is not mean_forward_passes $f x $H_CYCLES cycles"
    # Over 4 readings every reading counts.
    run "$TRM" eval --model "$model" --data "$data" --json --limit 20 --decoding iterative
    expect_rc 0 "eval --json --decoding iterative"
    [[ $("$JQ" "$OUT" symmetries) == 4 ]] || fail "eval --json --decoding iterative: the default readings are not 4"
    p=$("$JQ" "$OUT" mean_passes) f=$("$JQ" "$OUT" mean_forward_passes)
    awk -v a="$f" -v b="$p" 'BEGIN { d = a - 4 * b; exit !(d < 1e-9 && d > -1e-9) }' || fail "eval --json: mean_forward_passes $f is not 4 x mean_passes $p"
    run "$TRM" eval --model "$model" --data "$data" --json --decoding single
    expect_rc 0 "eval --json"
    cp "$OUT" eval.json
    for k in puzzles blank_cell_accuracy puzzle_accuracy per_cycle_puzzle_accuracy baseline \
             baseline.blank_cell_accuracy baseline.puzzle_accuracy; do
      [[ $("$JQ" eval.json "$k?") == yes ]] || fail "eval --json lacks \"$k\""
    done
    [[ $("$JQ" eval.json puzzles) == 500 ]] || fail "eval --json: puzzles is $("$JQ" eval.json puzzles), expected 500"
    [[ $("$JQ" eval.json per_cycle_puzzle_accuracy#) == "$H_CYCLES" ]] ||
      fail "eval --json: per_cycle_puzzle_accuracy has $("$JQ" eval.json per_cycle_puzzle_accuracy#) entries, expected $H_CYCLES"
    for k in blank_cell_accuracy puzzle_accuracy baseline.blank_cell_accuracy per_cycle_puzzle_accuracy.0; do
      v=$("$JQ" eval.json "$k")
      { num_test "$v" ">=" 0 && num_test "$v" "<=" 1; } || fail "eval --json: $k = $v is not in [0, 1]"
    done
    # A single pass's answer is its final cycle.
    [[ $("$JQ" eval.json per_cycle_blank_cell_accuracy.-1) == "$("$JQ" eval.json blank_cell_accuracy)" ]] ||
      fail "eval --json: blank_cell_accuracy differs from the last per-cycle entry"
    # The no-model baseline (a random allowed digit) gets far more than chance (1/9) on blank cells.
    num_test "$("$JQ" eval.json baseline.blank_cell_accuracy)" ">" 0.2 ||
      fail "eval --json: baseline.blank_cell_accuracy $("$JQ" eval.json baseline.blank_cell_accuracy) is implausibly low"
    # The checkpoint and its export are the same model.
    run "$TRM" eval --model "$root/run/last.json" --data "$data" --json --decoding single
    expect_rc 0 "eval --json of the checkpoint"
    for k in blank_cell_accuracy puzzle_accuracy per_cycle_blank_cell_accuracy loss; do
      [[ $("$JQ" "$OUT" "$k") == "$("$JQ" eval.json "$k")" ]] || fail "eval: $k differs between last.json and its export"
    done
    # --limit counts puzzles.
    run "$TRM" eval --model "$model" --data "$data" --json --limit 100
    expect_rc 0 "eval --json --limit 100"
    [[ $("$JQ" "$OUT" puzzles) == 100 ]] || fail "eval --limit 100 evaluated $("$JQ" "$OUT" puzzles) puzzles"
    [[ $("$JQ" "$OUT" baseline.puzzles) == 100 ]] || fail "eval --limit 100: the baseline saw $("$JQ" "$OUT" baseline.puzzles) puzzles"
    ;;
  eval_h_cycles)
    run "$TRM" eval --model "$model" --data "$data" --json --h-cycles 4 --limit 200
    expect_rc 0 "eval --json --h-cycles 4"
    [[ $("$JQ" "$OUT" per_cycle_puzzle_accuracy#) == 4 ]] ||
      fail "eval --h-cycles 4: per_cycle_puzzle_accuracy has $("$JQ" "$OUT" per_cycle_puzzle_accuracy#) entries, expected 4"
    [[ $("$JQ" "$OUT" per_cycle_blank_cell_accuracy#) == 4 ]] || fail "eval --h-cycles 4: per_cycle_blank_cell_accuracy is not 4 long"
    # The first cycles are the same computation as without --h-cycles.
    cp "$OUT" four.json
    run "$TRM" eval --model "$model" --data "$data" --json --limit 200
    expect_rc 0 "eval --json --limit 200"
    [[ $("$JQ" four.json per_cycle_blank_cell_accuracy.1) == "$("$JQ" "$OUT" per_cycle_blank_cell_accuracy.1)" ]] ||
      fail "eval: cycle 2 differs between --h-cycles 4 and the model's 2 cycles"
    # The table names every cycle and the baseline.
    run "$TRM" eval --model "$model" --data "$data" --h-cycles 3 --limit 50
    expect_rc 0 "eval (table) --h-cycles 3"
    expect_out "no model" "eval table"
    expect_out "cycle 1" "eval table"
    expect_out "cycle 3" "eval table"
    expect_out "final" "eval table"
    ! grep -q "cycle 4" "$OUT" || fail "eval --h-cycles 3: the table shows a 4th cycle"
    run "$TRM" eval --model "$model" --data "$data" --h-cycles 0
    expect_error 2 "--h-cycles" "eval --h-cycles 0"
    ;;
  solve_text)
    run "$TRM" solve --model "$model" "$puzzle"
    expect_rc 0 "solve PUZZLE"
    expect_out "^puzzle: (solved|not solved: breaks [0-9]+ rules?)" "solve PUZZLE (verdict line)"
    rows=$(grep -cE '^[0-9] [0-9] [0-9] \| [0-9] [0-9] [0-9] \| [0-9] [0-9] [0-9]$' "$OUT") || true
    [[ $rows == 9 ]] || fail "solve printed $rows grid rows, expected 9"
    grid=$(grid_digits <"$OUT")
    [[ ${#grid} == 81 ]] || fail "solve printed ${#grid} digits, expected 81"
    [[ $grid != *0* ]] || fail "solve printed a blank (0) cell: every cell should hold a digit"
    why=$(keeps_givens "$puzzle" "$grid") || fail "solve did not keep the givens by default ($why)"
    # Dots for blanks mean the same puzzle.
    # Diagnosed before the model runs, by an exact solution count.
    run "$TRM" solve --model "$model" "$(printf '0%.0s' {1..81})"
    expect_error 1 "more than one solution \\(0 givens\\).*the model was not run" "solve of an empty grid"
    run "$TRM" solve --model "$model" "123456780000000009$(printf '0%.0s' {1..63})"
    expect_error 1 "has no solution.*the model was not run" "solve of a puzzle with no solution"
    run "$TRM" solve --model "$model" "${puzzle//0/.}"
    expect_rc 0 "solve with . for blanks"
    [[ $(grid_digits <"$OUT") == "$grid" ]] || fail "solve gives another answer when blanks are written '.'"
    # A grid drawn as solve prints one (rows "5 3 . | . 7 . | . . .", rules between bands), CRLF line ends.
    drawn=""
    for ((r = 0; r < 9; r++)); do
      ((r == 3 || r == 6)) && drawn+=$'------+-------+------\r\n'
      drawn+=$(sed 's/0/./g; s/./& /g; s/ $//; s/^\(.....\) \(.....\) /\1 | \2 | /' <<<"${puzzle:$((9 * r)):9}")$'\r\n'
    done
    run "$TRM" solve --model "$model" "$drawn"
    expect_rc 0 "solve of a drawn grid"
    [[ $(grid_digits <"$OUT") == "$grid" ]] || fail "solve gives another answer for the puzzle drawn as a grid"
    run "$TRM" solve --model "$model" --no-keep-givens "$puzzle"
    expect_rc 0 "solve --no-keep-givens"
    [[ $(grid_digits <"$OUT" | wc -c) == 81 ]] || fail "solve --no-keep-givens did not print a grid"
    ;;
  solve_trace)
    # Frames are single-pass predictions; the default decoding adds its own final grid.
    run "$TRM" solve --model "$model" --decoding single --trace "$puzzle"
    expect_rc 0 "solve --trace"
    n=$(grep -cE '^cycle [0-9]+/[0-9]+' "$OUT") || true
    [[ $n == "$H_CYCLES" ]] || fail "solve --trace printed $n 'cycle k/N' blocks, expected $H_CYCLES"
    for ((k = 1; k <= H_CYCLES; k++)); do expect_out "^cycle $k/$H_CYCLES" "solve --trace"; done
    rows=$(grep -cE '^[0-9] [0-9] [0-9] \| ' "$OUT") || true
    [[ $rows == $((9 * H_CYCLES)) ]] || fail "solve --trace printed $rows grid rows, expected $((9 * H_CYCLES))"
    # The last block is the answer solve prints without --trace.
    last_grid=$(grid_digits <"$OUT" | tail -c 81)
    run "$TRM" solve --model "$model" --decoding single "$puzzle"
    expect_rc 0 "solve"
    [[ $(grid_digits <"$OUT") == "$last_grid" ]] || fail "the last --trace cycle differs from the plain answer"
    run "$TRM" solve --model "$model" --trace --h-cycles 3 "$puzzle"
    expect_rc 0 "solve --trace --h-cycles 3"
    n=$(grep -cE '^cycle [0-9]+/3' "$OUT") || true
    [[ $n == 3 ]] || fail "solve --trace --h-cycles 3 printed $n 'cycle k/3' blocks"
    ;;
  solve_json)
    run "$TRM" solve --model "$model" --json --trace "$puzzle"
    expect_rc 0 "solve --json --trace"
    cp "$OUT" keep.json
    [[ $("$JQ" keep.json results#) == 1 ]] || fail "solve --json: results is not 1 long"
    [[ $("$JQ" keep.json results.0.frames#) == "$H_CYCLES" ]] ||
      fail "solve --json --trace: frames has $("$JQ" keep.json results.0.frames#) entries, expected $H_CYCLES"
    [[ $("$JQ" keep.json h_cycles) == "$H_CYCLES" ]] || fail "solve --json: h_cycles is not $H_CYCLES"
    [[ $("$JQ" keep.json keep_givens) == true ]] || fail "solve --json: keep_givens is not true by default"
    [[ $("$JQ" keep.json results.0.puzzle) == "$puzzle" ]] || fail "solve --json: results[0].puzzle is not the input"
    [[ $("$JQ" keep.json results.0.frames.0.confidence#) == 81 ]] || fail "solve --json --trace: a frame's confidence is not 81 long"
    prediction=$("$JQ" keep.json results.0.prediction)
    [[ ${#prediction} == 81 ]] || fail "solve --json: prediction is not 81 characters"
    why=$(keeps_givens "$puzzle" "$prediction") || fail "solve --json: prediction does not keep the givens ($why)"
    # Without --trace there are no frames.
    run "$TRM" solve --model "$model" --json "$puzzle"
    expect_rc 0 "solve --json"
    [[ $("$JQ" "$OUT" results.0.frames?) == no ]] || fail "solve --json without --trace has frames"
    [[ $("$JQ" "$OUT" results.0.prediction) == "$prediction" ]] || fail "solve --json: prediction depends on --trace"
    [[ $("$JQ" "$OUT" decoding) == "verified search" ]] || fail "solve --json: the default decoding is not verified search"
    [[ $("$JQ" "$OUT" halting) == false ]] || fail "solve --json: halting is not false for a model without a halting head"
    # --no-keep-givens: the model's own digits, i.e. the last frame of a single pass.
    run "$TRM" solve --model "$model" --json --trace --no-keep-givens --decoding single "$puzzle"
    expect_rc 0 "solve --json --trace --no-keep-givens"
    [[ $("$JQ" "$OUT" keep_givens) == false ]] || fail "solve --no-keep-givens: keep_givens is not false"
    [[ $("$JQ" "$OUT" results.0.prediction) == "$("$JQ" "$OUT" results.0.frames.-1.digits)" ]] ||
      fail "solve --no-keep-givens: prediction is not the model's last frame"
    run "$TRM" solve --model "$model" --json --trace --h-cycles 4 "$puzzle"
    expect_rc 0 "solve --json --trace --h-cycles 4"
    [[ $("$JQ" "$OUT" results.0.frames#) == 4 ]] || fail "solve --json --trace --h-cycles 4: frames is not 4 long"
    ;;
  halting)
    # A model with a learned halting head: trained from the tiny model (--init-from adds the head), then eval and
    # solve use it by default (cycles counted as run, never more than without it) and --no-halting turns it off.
    run "$TRM" train --data "$data" --out run --init-from "$model" --halt_weight 0.5 "${TINY[@]}"
    expect_rc 0 "train --halt_weight 0.5 --init-from"
    run "$TRM" export --checkpoint run/last.json --out halting.json
    expect_rc 0 "export (halting)"
    run "$TRM" info --model halting.json --json
    [[ $("$JQ" "$OUT" default_decoding.halting) == true ]] || fail "info --json: a model with a halting head does not say so"
    [[ $("$JQ" "$OUT" parameters) -gt $("$TRM" info --model "$model" --json | "$JQ" - parameters) ]] ||
      fail "info: the halting head adds no parameters"
    run "$TRM" eval --model halting.json --data "$data" --json --limit 30 --decoding single
    expect_rc 0 "eval (halting)"
    cp "$OUT" halting-eval.json
    [[ $("$JQ" halting-eval.json halting) == true ]] || fail "eval --json: halting is not true for a model with a head"
    run "$TRM" eval --model halting.json --data "$data" --json --limit 30 --decoding single --no-halting
    expect_rc 0 "eval --no-halting"
    [[ $("$JQ" "$OUT" halting) == false ]] || fail "eval --no-halting --json: halting is not false"
    num_test "$("$JQ" "$OUT" mean_outer_cycles)" "==" "$H_CYCLES" || fail "eval --no-halting: mean_outer_cycles is not $H_CYCLES"
    c=$("$JQ" halting-eval.json mean_outer_cycles)
    { num_test "$c" ">=" 1 && num_test "$c" "<=" "$H_CYCLES"; } || fail "eval with halting: mean_outer_cycles $c is not in [1, $H_CYCLES]"
    run "$TRM" solve --model halting.json --json "$puzzle"
    expect_rc 0 "solve (halting)"
    [[ $("$JQ" "$OUT" halting) == true ]] || fail "solve --json: halting is not true for a model with a head"
    run "$TRM" solve --model halting.json --no-halting "$puzzle"
    expect_rc 0 "solve --no-halting"
    grep -q "with learned halting" "$OUT" && fail "solve --no-halting says it used learned halting"
    run "$TRM" train --data "$data" --out bad --halt_weight -1 "${TINY[@]}"
    expect_error 1 "halt_weight" "train --halt_weight -1"
    ;;
  symmetries)
    # Decoding over symmetric copies: reported, the givens kept, and bad counts refused by name.
    run "$TRM" eval --model "$model" --data "$data" --json --decoding iterative --symmetries 4 --limit 50
    expect_rc 0 "eval --symmetries 4"
    [[ $("$JQ" "$OUT" symmetries) == 4 ]] || fail "eval --json --symmetries 4: symmetries is $("$JQ" "$OUT" symmetries)"
    v=$("$JQ" "$OUT" puzzle_accuracy)
    { num_test "$v" ">=" 0 && num_test "$v" "<=" 1; } || fail "eval --symmetries 4: puzzle_accuracy $v is not in [0, 1]"
    run "$TRM" eval --model "$model" --data "$data" --decoding single --symmetries 2 --limit 20
    expect_rc 0 "eval (table) --symmetries 2"
    expect_out "single pass x2 symmetries \(final\)" "eval table with --symmetries 2"
    run "$TRM" solve --model "$model" --json --decoding iterative --symmetries 4 "$puzzle"
    expect_rc 0 "solve --json --symmetries 4"
    [[ $("$JQ" "$OUT" symmetries) == 4 ]] || fail "solve --json --symmetries 4: symmetries is not 4"
    prediction=$("$JQ" "$OUT" results.0.prediction)
    why=$(keeps_givens "$puzzle" "$prediction") || fail "solve --symmetries 4 does not keep the givens ($why)"
    run "$TRM" solve --model "$model" --decoding iterative --symmetries 4 "$puzzle"
    expect_rc 0 "solve --symmetries 4"
    expect_out "iterative commit over 4 symmetries" "solve --symmetries 4 (verdict line)"
    # Iterative commit reads 4 symmetries unless told; the default decoding (search) and a single pass read the
    # puzzle as given.
    run "$TRM" solve --model "$model" --json --decoding iterative "$puzzle"
    expect_rc 0 "solve --json --decoding iterative"
    [[ $("$JQ" "$OUT" symmetries) == 4 ]] || fail "solve --json --decoding iterative: the default symmetries is $("$JQ" "$OUT" symmetries), not 4"
    [[ $("$JQ" "$OUT" results.0.prediction) == "$prediction" ]] || fail "iterative commit's default differs from --symmetries 4"
    passes=$("$JQ" "$OUT" results.0.passes)
    [[ $("$JQ" "$OUT" results.0.forward_passes) == $((4 * passes)) ]] ||
      fail "solve --json: forward_passes is not 4 x passes ($passes) over 4 symmetries"
    run "$TRM" solve --model "$model" --json "$puzzle"
    expect_rc 0 "solve --json"
    [[ $("$JQ" "$OUT" symmetries) == 1 ]] || fail "solve --json: the default symmetries is $("$JQ" "$OUT" symmetries), not 1"
    run "$TRM" solve --model "$model" --json --decoding single "$puzzle"
    expect_rc 0 "solve --json --decoding single"
    [[ $("$JQ" "$OUT" symmetries) == 1 ]] || fail "solve --decoding single: symmetries is not 1 by default"
    [[ $("$JQ" "$OUT" results.0.forward_passes) == 1 ]] || fail "solve --decoding single: forward_passes is not 1"
    run "$TRM" solve --model "$model" --decoding single --symmetries 3 "$puzzle"
    expect_rc 0 "solve --decoding single --symmetries 3"
    expect_out "single pass over 3 symmetries, 1 pass of 3 readings, 3 forward passes" "solve --decoding single --symmetries 3"
    run "$TRM" info --model "$model" --json
    expect_rc 0 "info --json"
    [[ $("$JQ" "$OUT" default_decoding.symmetries) == 1 ]] || fail "info --json: default_decoding.symmetries is not 1"
    [[ $("$JQ" "$OUT" default_decoding.decoding) == "verified search" ]] || fail "info --json: default_decoding.decoding is not verified search"
    run "$TRM" eval --model "$model" --data "$data" --symmetries 0
    expect_error 2 "--symmetries" "eval --symmetries 0"
    run "$TRM" solve --model "$model" --symmetries 65 "$puzzle"
    expect_error 2 "--symmetries" "solve --symmetries 65"
    ;;
  solve_input)
    # Three puzzles, a blank line and Windows line ends.
    sed -n '2,4p' "$data" | cut -d, -f1 >three.txt
    { sed -n 1p three.txt; echo; sed -n '2,3p' three.txt | sed 's/$/\r/'; } >input.txt
    run "$TRM" solve --model "$model" --input input.txt
    expect_rc 0 "solve --input (3 puzzles)"
    n=$(grep -cE '^input\.txt:[0-9]+: (solved|not solved)' "$OUT") || true
    [[ $n == 3 ]] || fail "solve --input printed $n verdicts, expected 3"
    for line in 1 3 4; do expect_out "^input\.txt:$line: " "solve --input names FILE:LINE"; done
    rows=$(grep -cE '^[0-9] [0-9] [0-9] \| ' "$OUT") || true
    [[ $rows == 27 ]] || fail "solve --input printed $rows grid rows, expected 27"
    # Each answer is the one solve gives for that puzzle alone (batching changes nothing).
    second=$(sed -n 2p three.txt)
    batch_grid=$(grid_digits <"$OUT" | cut -c 82-162)
    run "$TRM" solve --model "$model" "$second"
    expect_rc 0 "solve (2nd puzzle alone)"
    [[ $(grid_digits <"$OUT") == "$batch_grid" ]] || fail "solve --input: puzzle 2 answered differently than alone"
    # A CSV with a header works: the first field of each row is the puzzle.
    head -n 4 "$data" >some.csv
    run "$TRM" solve --model "$model" --input some.csv --json
    expect_rc 0 "solve --input CSV --json"
    [[ $("$JQ" "$OUT" results#) == 3 ]] || fail "solve --input some.csv --json: $("$JQ" "$OUT" results#) results, expected 3"
    [[ $("$JQ" "$OUT" results.0.source) == some.csv:2 ]] || fail "solve --input CSV: first source is not some.csv:2"
    # A bad line is named by FILE:LINE.
    { cat three.txt; echo "${puzzle:0:80}"; } >bad.txt
    run "$TRM" solve --model "$model" --input bad.txt
    expect_error nonzero "bad\.txt:4.*80" "solve --input with a short line 4"
    # PUZZLE and --input together, or neither, are refused.
    run "$TRM" solve --model "$model" --input three.txt "$puzzle"
    expect_error nonzero "PUZZLE|--input" "solve with PUZZLE and --input"
    run "$TRM" solve --model "$model"
    expect_error nonzero "PUZZLE|--input" "solve with no puzzle"
    run "$TRM" solve --model "$model" --input missing.txt
    expect_error nonzero "missing\.txt" "solve --input missing.txt"
    ;;
  solve_conflict)
    # Two 5s in row 1 (and nothing else wrong).
    run "$TRM" solve --model "$model" "$(printf '550000000%072d' 0)"
    expect_error nonzero "5 twice in row 1" "solve with two 5s in row 1"
    run "$TRM" solve --model "$model" "$(printf '700000000700000000%063d' 0)"
    expect_error nonzero "7 twice in column 1" "solve with two 7s in column 1"
    run "$TRM" solve --model "$model" "$(printf '300000000030000000%063d' 0)"
    expect_error nonzero "3 twice in box 1" "solve with two 3s in box 1"
    # In a file, the line is named.
    { echo "$puzzle"; printf '550000000%072d\n' 0; } >conflict.txt
    run "$TRM" solve --model "$model" --input conflict.txt
    expect_error nonzero "conflict\.txt:2.*twice in row 1" "solve --input with conflicting givens on line 2"
    ;;
  solve_length)
    run "$TRM" solve --model "$model" "${puzzle:0:80}"
    expect_error nonzero "80" "solve with an 80-character puzzle"
    run "$TRM" solve --model "$model" "${puzzle}0"
    expect_error nonzero "82" "solve with an 82-character puzzle"
    run "$TRM" solve --model "$model" "${puzzle:0:80}x"
    expect_error nonzero "'x'|character 81" "solve with a letter in the puzzle"
    ;;
  info)
    # What a model file holds, read without running it: production weights and a training checkpoint.
    run "$TRM" info --model "$model" --json
    expect_rc 0 "info --json (weights)"
    [[ $("$JQ" "$OUT" kind) == weights ]] || fail "info: kind of model.json is $("$JQ" "$OUT" kind), expected weights"
    [[ $("$JQ" "$OUT" h_cycles) == "$H_CYCLES" ]] || fail "info: h_cycles is $("$JQ" "$OUT" h_cycles), expected $H_CYCLES"
    [[ $("$JQ" "$OUT" config.hidden_dim) == 16 ]] || fail "info: config.hidden_dim is not the trained 16"
    params=$("$JQ" "$OUT" parameters)
    run "$TRM" export --checkpoint "$root/run/last.json" --out again.json
    expect_rc 0 "export (for the parameter count)"
    expect_out "^exported $params parameters" "info's parameter count ($params) is export's"
    run "$TRM" info --model "$root/run/last.json" --json
    expect_rc 0 "info --json (checkpoint)"
    [[ $("$JQ" "$OUT" kind) == checkpoint ]] || fail "info: kind of last.json is not checkpoint"
    [[ $("$JQ" "$OUT" step) == 20 ]] || fail "info: the checkpoint's step is $("$JQ" "$OUT" step), expected 20"
    run "$TRM" info --model "$model"
    expect_rc 0 "info (text)"
    expect_out "^default outer cycles: $H_CYCLES$" "info (text)"
    run "$TRM" info --model "$fixtures/truncated.json"
    expect_error nonzero "truncated\.json.*invalid JSON" "info on a truncated model file"
    run "$TRM" info
    expect_error 2 "--model" "info without --model"
    ;;
  solve_bad_model)
    run "$TRM" solve --model no-such-model.json "$puzzle"
    expect_error nonzero "no-such-model\.json" "solve with a missing model file"
    run "$TRM" solve --model "$fixtures/truncated.json" "$puzzle"
    expect_error nonzero "truncated\.json.*invalid JSON" "solve with a truncated model file"
    run "$TRM" eval --model "$fixtures/truncated.json" --data "$data"
    expect_error nonzero "truncated\.json.*invalid JSON" "eval with a truncated model file"
    run "$TRM" export --checkpoint "$fixtures/truncated.json" --out x.json
    expect_error nonzero "truncated\.json.*invalid JSON" "export of a truncated checkpoint"
    # A truncated copy of the real model.
    head -c 2000 "$model" >cut.json
    run "$TRM" solve --model cut.json "$puzzle"
    expect_error nonzero "cut\.json.*invalid JSON" "solve with the model cut at 2000 bytes"
    run "$TRM" solve --model "$fixtures/not-weights.json" "$puzzle"
    expect_error nonzero "not-weights\.json.*(format|weights)" "solve with a JSON file that is not weights"
    run "$TRM" solve --model "$fixtures/empty.json" "$puzzle"
    expect_error nonzero "empty\.json" "solve with an empty model file"
    run "$TRM" solve --model . "$puzzle"
    expect_error nonzero "directory" "solve with a folder as the model"
    ;;
  page_trained)
    # A model trained in the page (web/bindings.cpp TrainSession.exportWeights, 20 steps; tests/web/train.test.js
    # checks that the page still exports this layout) is read by info, solve and eval unchanged.
    page=$fixtures/page-trained.json
    run "$TRM" info --model "$page" --json
    expect_rc 0 "info --json (trained in the page)"
    [[ $("$JQ" "$OUT" kind) == weights ]] || fail "info: kind of page-trained.json is $("$JQ" "$OUT" kind), expected weights"
    [[ $("$JQ" "$OUT" config.hidden_dim) == 16 ]] || fail "info: config.hidden_dim of page-trained.json is not 16"
    run "$TRM" solve --model "$page" "$puzzle"
    expect_rc 0 "solve (trained in the page)"
    run "$TRM" eval --model "$page" --data "$data" --json --limit 10
    expect_rc 0 "eval --json (trained in the page)"
    [[ $("$JQ" "$OUT" puzzles) == 10 ]] || fail "eval: puzzles is $("$JQ" "$OUT" puzzles), expected 10"
    ;;
  *) echo "e2e.sh: unknown case $case_name" >&2; exit 2 ;;
esac
echo "ok: $case_name"
