# shellcheck shell=bash
# Helpers the CLI test scripts source. Each script runs `set -euo pipefail` itself.
#   run CMD...           runs CMD with stdout -> $OUT, stderr -> $ERR and its exit status in $rc (never exits)
#   expect_rc N WHAT     fail unless $rc is N ("nonzero" accepts any failure)
#   expect_out ERE WHAT / expect_err ERE WHAT / expect_no_out WHAT
#   fail MESSAGE         print FAIL: MESSAGE and the last command's output, exit 1

fail() {
  echo "FAIL: $*" >&2
  if [[ -n "${last_cmd:-}" ]]; then
    echo "  last command: ${last_cmd}" >&2
    echo "  exit status: ${rc:-?}" >&2
    echo "--- its stdout (first 3000 bytes):" >&2
    head -c 3000 "$OUT" >&2 || true
    echo "--- its stderr (first 3000 bytes):" >&2
    head -c 3000 "$ERR" >&2 || true
  fi
  exit 1
}

# A fresh scratch folder for this test: $1 (under the build tree).
scratch() {
  rm -rf -- "$1"
  mkdir -p -- "$1"
  OUT="$1/.stdout"
  ERR="$1/.stderr"
}

run() {
  last_cmd="$*"
  set +e
  "$@" >"$OUT" 2>"$ERR"
  rc=$?
  set -e
}

expect_rc() {
  local want=$1 what=$2
  if [[ $want == nonzero ]]; then
    [[ $rc != 0 ]] || fail "$what: exited 0, expected a failure"
    [[ $rc -lt 128 || $rc == 130 ]] || fail "$what: died with status $rc (a signal or crash?), expected an error exit"
  else
    [[ $rc == "$want" ]] || fail "$what: exit status $rc, expected $want"
  fi
}

# Waits for the background job $1 and sets rc to its exit status (without set -e stopping the test at a non-zero one).
wait_rc() { rc=0; wait "$1" || rc=$?; }
expect_out() { grep -Eq -- "$1" "$OUT" || fail "$2: stdout does not match /$1/"; }
expect_err() { grep -Eq -- "$1" "$ERR" || fail "$2: stderr does not match /$1/"; }
expect_no_out() { [[ ! -s "$OUT" ]] || fail "$1: expected nothing on stdout"; }

# An error exit: status $1, nothing on stdout, and on stderr one "trm: ..." line (after any progress
# lines such as "read N puzzles from FILE") whose reason matches ERE $2.
expect_error() {
  local status=$1 pattern=$2 what=$3
  expect_rc "$status" "$what"
  expect_no_out "$what"
  local line
  line=$(grep -m 1 '^trm: ' "$ERR") || fail "$what: no 'trm: <reason>' line on stderr"
  grep -Eq -- "$pattern" <<<"$line" || fail "$what: the reason '$line' does not match /$pattern/"
}

# Numeric comparison with awk: num_test A OP B (OP one of < <= > >= ==).
num_test() { awk -v a="$1" -v b="$3" -v op="$2" 'BEGIN {
  if (op == "<") r = a < b; else if (op == "<=") r = a <= b; else if (op == ">") r = a > b;
  else if (op == ">=") r = a >= b; else if (op == "==") r = a == b; else r = 0; exit !r }'; }

# Digits of a 9x9 grid printed by `trm solve` (rows like "1 2 3 | 4 5 6 | 7 8 9"), concatenated.
grid_digits() { grep -E '^[0-9] [0-9] [0-9] \| [0-9] [0-9] [0-9] \| [0-9] [0-9] [0-9]$' | tr -cd '0-9'; }

# Whether grid $2 (81 digits) keeps every given of puzzle $1; prints the first differing cell otherwise.
keeps_givens() {
  local puzzle=$1 grid=$2 i
  for ((i = 0; i < 81; i++)); do
    local p=${puzzle:i:1}
    if [[ $p != 0 && $p != . && $p != "${grid:i:1}" ]]; then
      echo "r$((i / 9 + 1))c$((i % 9 + 1)): given $p, printed ${grid:i:1}"
      return 1
    fi
  done
}

# The first line where two texts differ, both sides: first_difference LABEL_A TEXT_A LABEL_B TEXT_B.
first_difference() {
  awk -v la="$1" -v lb="$3" 'NR == FNR { a[FNR] = $0; na = FNR; next }
    { if (!(FNR in a) || a[FNR] != $0) { printf "first difference at line %d:\n  %s: %s\n  %s: %s\n", FNR, la, a[FNR], lb, $0; found = 1; exit } }
    END { if (!found && FNR < na) printf "%s has %d more lines\n", la, na - FNR }' <(echo "$2") <(echo "$4")
}
