#!/usr/bin/env bash
# Hostile and careless input (issue 22): what no bad-input case can show alone (files that are not regular,
# two processes, data swapped under a resume).   hostile.sh CASE TRM WORKDIR
#   force_special    --force never replaces a FIFO or a device node; errors name the target, not the temporary
#   run_folder       a folder holding any file of a run (not only last.json) is refused without --force
#   reader_variants  solve --input and the CSV reader accept the same honest variants: BOM, CRLF, CR only, trailing
#                    spaces, '.' or '0' blanks, no final newline; the answers equal those of the plain file
#   resume_data      --resume refuses other data of the same size (training rows or validation file) unless
#                    --allow-other-data, by checksum
#   val_same         --val-data naming the training file (by another path too) warns, and still trains
#   run_lock         a second trainer on a folder in use fails at once naming the holder's pid; a stale lock is taken
set -euo pipefail
source "$(dirname "$0")/lib.sh"
case_name=$1 TRM=$2 work=$3
TINY=(--hidden_dim 8 --L_layers 1 --L_cycles 1 --H_cycles 1 --batch_size 16 --epochs 1 --dropout 0)
scratch "$work"
cd "$work"

case $case_name in
  force_special)
    mkfifo fifo
    for cmd in "generate --count 1 --out fifo --force" "generate --count 1 --out fifo"; do
      run $TRM $cmd
      expect_error nonzero "fifo is a FIFO, not a regular file" "trm $cmd"
      [[ -p fifo ]] || fail "trm $cmd replaced the FIFO"
    done
    if [[ $(id -u) == 0 ]]; then  # a device node needs root; /dev/null itself is never put at risk
      mknod null c 1 3
      run "$TRM" generate --count 1 --out null --force
      expect_error nonzero "null is a character device, not a regular file" "generate --out DEVICE --force"
      [[ -c null ]] || fail "generate --force replaced a character device with: $(ls -l null)"
    fi
    mkdir folder
    run "$TRM" generate --count 1 --out folder --force
    expect_error nonzero "folder is a directory" "generate --out DIR --force"
    # A regular file is still replaced with --force, and a new path is created.
    echo old >old.csv
    run "$TRM" generate --count 2 --out old.csv --force
    expect_rc 0 "generate --force over a regular file"
    grep -q '^quizzes,solutions' old.csv || fail "generate --force did not replace the regular file"
    # A failed write names the target, never the hidden temporary.
    run "$TRM" generate --count 1 --out no-such-dir/x.csv
    expect_error nonzero "cannot write no-such-dir/x\.csv: No such file or directory" "generate into a missing folder"
    grep -q '\.tmp\.' "$ERR" && fail "the message names the temporary file: $(cat "$ERR")"
    ;;
  run_folder)
    run "$TRM" generate --count 60 --seed 3 --out puzzles.csv
    expect_rc 0 "generate"
    for name in best.json report.html metrics.jsonl; do
      rm -rf run && mkdir run && echo keep >"run/$name"
      run "$TRM" train --data puzzles.csv --out run "${TINY[@]}" --max-steps 1
      expect_error nonzero "run already holds a run.* \\($name\\); pass --force" "train into a folder holding only $name"
      [[ $(cat "run/$name") == keep && $(ls run) == "$name" ]] || fail "a refused train changed run/ (holding $name)"
    done
    run "$TRM" train --data puzzles.csv --out run "${TINY[@]}" --max-steps 1 --force
    expect_rc 0 "train --force over a folder holding metrics.jsonl"
    [[ -s run/last.json ]] || fail "train --force wrote no last.json"
    ;;
  reader_variants)
    run "$TRM" generate --count 3 --seed 4 --out plain.csv
    expect_rc 0 "generate"
    model=$(dirname "$0")/../bad-inputs/good/weights.json
    tail -n +2 plain.csv | cut -d, -f1 >plain.txt
    { printf '\xef\xbb\xbf'; sed 's/$/  \r/' plain.txt; } >bom-crlf-spaces.txt
    tr '\n' '\r' <plain.txt >cr-only.txt
    { sed 's/0/./g' plain.txt | head -c -1; } >dots-no-final-newline.txt
    run "$TRM" solve --model "$model" --decoding single --json --input plain.txt
    expect_rc 0 "solve --input plain.txt"
    want=$(grep -o '"prediction":"[0-9]*"' "$OUT")
    [[ $(grep -c . <<<"$want") == 3 ]] || fail "solve --input plain.txt: expected 3 predictions"
    for f in bom-crlf-spaces.txt cr-only.txt dots-no-final-newline.txt; do
      run "$TRM" solve --model "$model" --decoding single --json --input $f
      expect_rc 0 "solve --input $f"
      [[ $(grep -o '"prediction":"[0-9]*"' "$OUT") == "$want" ]] || fail "solve --input $f answers differently from plain.txt"
    done
    { printf '\xef\xbb\xbf'; sed 's/$/ \r/' plain.csv; } >bom-crlf.csv
    tr '\n' '\r' <plain.csv >cr-only.csv
    for f in bom-crlf.csv cr-only.csv; do
      run "$TRM" eval --model "$model" --data $f --json
      expect_rc 0 "eval --data $f"
      grep -q '"puzzles": 3' "$OUT" || fail "eval --data $f did not read 3 puzzles"
    done
    ;;
  resume_data)
    run "$TRM" generate --count 120 --seed 21 --out a.csv
    run "$TRM" generate --count 120 --seed 22 --out b.csv
    run "$TRM" generate --count 30 --seed 23 --out val.csv
    run "$TRM" generate --count 30 --seed 24 --out val-other.csv
    expect_rc 0 "generate"
    run "$TRM" train --data a.csv --out run "${TINY[@]}" --max-steps 2
    expect_rc 0 "train on a.csv"
    before=$(md5sum run/*)
    run "$TRM" train --data b.csv --out run --resume run/last.json
    expect_error nonzero "b\.csv: the training rows differ from those the checkpoint was trained on \(checksum [0-9a-f]{16}.*--allow-other-data" \
      "resume on other data of the same size"
    [[ $(md5sum run/*) == "$before" ]] || fail "a refused resume changed the run folder"
    run "$TRM" train --data b.csv --out run --resume run/last.json --allow-other-data
    expect_rc 0 "resume on other data with --allow-other-data"
    expect_err "note: b\.csv: the training rows differ" "resume --allow-other-data says so"
    run "$TRM" train --data a.csv --out run --resume run/last.json
    expect_rc 0 "resume on the same data"
    # The validation file is checked too (its path is the run's; here its content changed under it).
    run "$TRM" train --data a.csv --val-data val.csv --out run2 "${TINY[@]}" --max-steps 2
    expect_rc 0 "train with --val-data"
    cp val-other.csv val.csv
    run "$TRM" train --data a.csv --out run2 --resume run2/last.json
    expect_error nonzero "val\.csv: the validation puzzles differ" "resume with another validation file"
    ;;
  val_same)
    run "$TRM" generate --count 60 --seed 3 --out puzzles.csv
    expect_rc 0 "generate"
    run "$TRM" train --data puzzles.csv --val-data ./puzzles.csv --out run "${TINY[@]}" --max-steps 1
    expect_rc 0 "train --val-data equal to --data"
    expect_err "^warning: --val-data \./puzzles\.csv is the training file" "train --val-data equal to --data warns"
    run "$TRM" generate --count 20 --seed 4 --out val.csv
    run "$TRM" train --data puzzles.csv --val-data val.csv --out run2 "${TINY[@]}" --max-steps 1
    expect_rc 0 "train with a separate --val-data"
    grep -q "warning" "$ERR" && fail "a separate --val-data warned: $(cat "$ERR")"
    ;;
  run_lock)
    run "$TRM" generate --count 300 --seed 3 --out puzzles.csv
    expect_rc 0 "generate"
    "$TRM" train --data puzzles.csv --out run "${TINY[@]:0:10}" --epochs 100000 >first.log 2>&1 &
    holder=$!
    for _ in $(seq 100); do [[ -s run/last.json ]] && break; sleep 0.1; done
    [[ -s run/last.json ]] || { kill "$holder"; fail "the first trainer wrote no checkpoint in 10 s"; }
    for flags in "--resume run/last.json" "${TINY[*]} --force"; do
      start=$(date +%s%N)
      run "$TRM" train --data puzzles.csv --out run $flags
      took=$((($(date +%s%N) - start) / 1000000))
      if [[ $rc == 0 ]]; then kill "$holder"; fail "a second trainer ($flags) on a folder in use exited 0"; fi
      grep -Eq "^trm: error: run is in use by another trm process \\(pid $holder\\)" "$ERR" ||
        { kill "$holder"; fail "the second trainer ($flags) does not name the holder's pid $holder: $(cat "$ERR")"; }
      ((took < 5000)) || { kill "$holder"; fail "the second trainer took $took ms to fail (expected at once)"; }
    done
    kill "$holder"
    wait "$holder" || true
    grep -q '"type":"resume"' run/metrics.jsonl && fail "a refused trainer wrote to metrics.jsonl"
    # The holder is gone: its lock is stale, and the next trainer takes it (here with a made-up dead pid in it).
    echo 999999999 >run/.lock
    run "$TRM" train --data puzzles.csv --out run "${TINY[@]}" --max-steps 2 --force
    expect_rc 0 "train after the holder ended (stale lock)"
    ;;
  *) fail "unknown case $case_name" ;;
esac
echo "ok: $case_name"
