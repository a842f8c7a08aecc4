#!/usr/bin/env bash
# trm generate.   generate.sh CASE TRM WORKDIR
#   csv          header, row count, every row a valid puzzle/solution pair within the givens range
#   same_seed    same seed (and any thread count) -> identical bytes; another seed -> other puzzles
#   no_overwrite an existing output is refused (file unchanged) unless --force
set -euo pipefail
source "$(dirname "$0")/lib.sh"
case_name=$1 TRM=$2 work=$3
scratch "$work"
cd "$work"

# Checks a generated CSV: header, N rows, 81-char puzzle and solution, the solution a complete valid grid that
# keeps the givens, givens within [lo, hi], an integer difficulty, no repeated puzzle.
check_csv() {
  local file=$1 n=$2 lo=$3 hi=$4
  [[ $(head -n 1 "$file") == "quizzes,solutions,difficulty" ]] ||
    fail "$file: header is '$(head -n 1 "$file")', expected 'quizzes,solutions,difficulty'"
  local rows
  rows=$(tail -n +2 "$file" | grep -c .) || true
  [[ $rows == "$n" ]] || fail "$file: $rows rows, expected $n"
  awk -F, -v lo="$lo" -v hi="$hi" -v file="$file" '
    function bad(msg) { printf "FAIL: %s:%d: %s\n", file, NR, msg > "/dev/stderr"; failed = 1; exit 1 }
    NR == 1 { next }
    {
      if (NF != 3) bad("expected 3 fields, got " NF)
      q = $1; s = $2
      if (length(q) != 81 || q !~ /^[0-9]+$/) bad("puzzle is not 81 digits: " q)
      if (length(s) != 81 || s !~ /^[1-9]+$/) bad("solution is not 81 digits 1-9: " s)
      if ($3 !~ /^[0-9]+$/) bad("difficulty is not an integer: " $3)
      if (q in seen) bad("puzzle repeated from line " seen[q])
      seen[q] = NR
      givens = 0
      for (i = 1; i <= 81; i++) {
        c = substr(q, i, 1)
        if (c != "0") { givens++; if (c != substr(s, i, 1)) bad("solution changes the given at cell " i) }
      }
      if (givens < lo || givens > hi) bad(givens " givens, outside [" lo ", " hi "]")
      for (u = 0; u < 9; u++) {
        delete row; delete col; delete box
        for (k = 0; k < 9; k++) {
          r = substr(s, u * 9 + k + 1, 1); c = substr(s, k * 9 + u + 1, 1)
          b = substr(s, (int(u / 3) * 3 + int(k / 3)) * 9 + (u % 3) * 3 + (k % 3) + 1, 1)
          if (r in row) bad("solution repeats " r " in row " u + 1)
          if (c in col) bad("solution repeats " c " in column " u + 1)
          if (b in box) bad("solution repeats " b " in box " u + 1)
          row[r]; col[c]; box[b]
        }
      }
    }' "$file" || exit 1
}

case $case_name in
  csv)
    run "$TRM" generate --count 120 --seed 3 --min-givens 24 --max-givens 28 --out puzzles.csv
    expect_rc 0 "generate"
    expect_out "wrote 120 puzzles" "generate"
    check_csv puzzles.csv 120 24 28
    # A narrow range is honoured too.
    run "$TRM" generate --count 20 --seed 4 --min-givens 30 --max-givens 30 --out thirty.csv
    expect_rc 0 "generate --min-givens 30 --max-givens 30"
    check_csv thirty.csv 20 30 30
    # An empty range is refused before anything is written.
    run "$TRM" generate --count 5 --min-givens 30 --max-givens 25 --out empty-range.csv
    expect_error nonzero "30.*25|25.*30|givens" "generate with --min-givens > --max-givens"
    [[ ! -e empty-range.csv ]] || fail "generate with an empty givens range wrote empty-range.csv"
    # A difficulty floor: every puzzle's difficulty column (the solver's guesses) is at least the floor.
    run "$TRM" generate --count 30 --seed 5 --min-givens 17 --max-givens 26 --min-guesses 8 --out hard.csv
    expect_rc 0 "generate --min-guesses 8"
    expect_out "at least 8 guesses" "generate --min-guesses 8"
    check_csv hard.csv 30 17 26
    awk -F, 'NR > 1 && $3 < 8 { printf "FAIL: hard.csv:%d: difficulty %s below the floor 8\n", NR, $3; bad = 1 }
             END { exit bad }' hard.csv || exit 1
    run "$TRM" generate --count 5 --min-guesses -3 --out negative.csv
    expect_error 2 "--min-guesses" "generate with a negative floor"
    # Climbing by the trial rating: the difficulty column is the sweeps (random puzzles take 0-2; climbing keeps
    # at least 1 here), and no false note about the guesses floor.
    run "$TRM" generate --count 8 --seed 6 --min-givens 20 --max-givens 26 --min-guesses 2 --climb 40 --climb-by trial --out deep.csv
    expect_rc 0 "generate --climb-by trial"
    check_csv deep.csv 8 20 26
    awk -F, 'NR > 1 && ($3 < 1 || $3 > 9) { printf "FAIL: deep.csv:%d: %s sweeps, expected 1-9\n", NR, $3; bad = 1 }
             END { exit bad }' deep.csv || exit 1
    grep -q "below the difficulty floor" "$OUT" && fail "generate --climb-by trial: a false note about the floor"
    run "$TRM" generate --count 5 --climb-by luck --out luck.csv
    expect_error 2 "--climb-by" "generate --climb-by luck"
    [[ ! -e luck.csv ]] || fail "generate --climb-by luck wrote luck.csv"
    ;;
  same_seed)
    run "$TRM" generate --count 60 --seed 9 --out a.csv
    expect_rc 0 "generate --seed 9 (1st)"
    run "$TRM" generate --count 60 --seed 9 --out b.csv
    expect_rc 0 "generate --seed 9 (2nd)"
    cmp -s a.csv b.csv || fail "generate --seed 9 twice gave different files: $(cmp a.csv b.csv 2>&1 | head -1)"
    # The generator runs in parallel; the puzzles must not depend on the thread count.
    OMP_NUM_THREADS=1 run "$TRM" generate --count 60 --seed 9 --out one-thread.csv
    expect_rc 0 "generate --seed 9 with OMP_NUM_THREADS=1"
    cmp -s a.csv one-thread.csv || fail "generate --seed 9 differs between OMP_NUM_THREADS=1 and the default"
    OMP_NUM_THREADS=3 run "$TRM" generate --count 60 --seed 9 --out three-threads.csv
    expect_rc 0 "generate --seed 9 with OMP_NUM_THREADS=3"
    cmp -s a.csv three-threads.csv || fail "generate --seed 9 differs between OMP_NUM_THREADS=3 and the default"
    run "$TRM" generate --count 60 --seed 10 --out c.csv
    expect_rc 0 "generate --seed 10"
    ! cmp -s a.csv c.csv || fail "generate --seed 9 and --seed 10 gave identical files"
    # The first rows of a larger set are not required to match, but the count must.
    check_csv a.csv 60 17 81
    ;;
  no_overwrite)
    printf 'keep me\n' >existing.csv
    run "$TRM" generate --count 5 --seed 1 --out existing.csv
    expect_error nonzero "existing\.csv.*--force" "generate over an existing file"
    [[ $(cat existing.csv) == "keep me" ]] || fail "generate without --force changed existing.csv"
    run "$TRM" generate --count 5 --seed 1 --out existing.csv --force
    expect_rc 0 "generate --force over an existing file"
    check_csv existing.csv 5 17 81
    leftovers=$(find . -maxdepth 1 -name '*.tmp.*')
    [[ -z $leftovers ]] || fail "generate left a temporary file behind: $leftovers"
    # An output in a folder that does not exist fails with a message naming it.
    run "$TRM" generate --count 5 --seed 1 --out no-such-dir/x.csv
    expect_error nonzero "no-such-dir" "generate into a missing folder"
    ;;
  *) echo "generate.sh: unknown case $case_name" >&2; exit 2 ;;
esac
echo "ok: generate $case_name"
