#!/usr/bin/env bash
# Runs one case of the bad-input corpus: line N of manifest.tsv.   run.sh TRM WORKDIR N
# The command must fail cleanly: a non-zero exit below 128 (no crash, no signal), nothing on stdout, a first
# "trm: ..." line on stderr that matches the manifest's pattern (the problem and its place), at most 300
# printable ASCII characters long, and no output file ({out}) left behind.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../cli/lib.sh"
TRM=$1 work=$2 n=$3
line=$(grep -v '^#' "$here/manifest.tsv" | grep -v '^$' | sed -n "${n}p")
[[ -n $line ]] || { echo "run.sh: no case $n in manifest.tsv" >&2; exit 2; }
IFS=$'\t' read -r file args pattern <<<"$line"
scratch "$work"
cd "$work"

# Cases too big to commit are made here: gen/NAME.
generate() {
  local name=$1 path=$work/$1
  mkdir -p "$(dirname "$path")"
  local big=$((4 * 1024 * 1024))
  case $name in
    gen/huge-header.csv) head -c "$big" /dev/zero | tr '\0' 'q' >"$path" ;;
    gen/huge-row.csv) { echo "quizzes,solutions"; head -c "$big" /dev/zero | tr '\0' '7'; echo ",${good_row#*,}"; } >"$path" ;;
    gen/junk-4mb.csv | gen/junk-4mb.json | gen/junk-4mb.txt)
      for _ in $(seq 1024); do cat "$here/csv/binary-junk.csv"; done >"$path" ;;
    gen/huge-line.txt) head -c "$big" /dev/zero | tr '\0' '5' >"$path" ;;
    gen/deep-nesting.json) { head -c 1000000 /dev/zero | tr '\0' '['; head -c 1000000 /dev/zero | tr '\0' ']'; } >"$path" ;;
    gen/deep-format.json) { printf '{"format": '; head -c 100000 /dev/zero | tr '\0' '[';
                            head -c 100000 /dev/zero | tr '\0' ']'; printf '}'; } >"$path" ;;
    gen/deep-config.json) { printf '{"format": "trm-sudoku-weights", "version": 1, "tensors": {}, "config": {"arch": ';
                            head -c 100000 /dev/zero | tr '\0' '['; head -c 100000 /dev/zero | tr '\0' ']'; printf '}}'; } >"$path" ;;
    gen/directory.csv) mkdir -p "$path" ;;
    gen/huge-extra-column.csv | gen/huge-extra-column.txt)
      { [[ $name == *.csv ]] && echo "quizzes,solutions,note"; printf '%s,' "$good_row"; head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' 'n'; echo; } >"$path" ;;
    *) echo "run.sh: no generator for $name" >&2; exit 2 ;;
  esac
}
good_row=$(sed -n 2p "$here/good/puzzles.csv")

case $file in
  gen/*) generate "$file"; path=$work/$file ;;
  missing/*) path=$work/$file ;;
  /dev/*) path=$file ;;  # a device as input (/dev/zero: a line without end)
  *) path=$here/$file ;;
esac
text=""
[[ $args != *"{text}"* ]] || text=$(<"$path")
out=$work/out
expanded=()
for word in $args; do
  word=${word//\{file\}/$path}
  word=${word//\{model\}/$here/good/weights.json}
  word=${word//\{checkpoint\}/$here/good/checkpoint.json}
  word=${word//\{data\}/$here/good/puzzles.csv}
  word=${word//\{out\}/$out}
  [[ $word != "{text}" ]] || word=$text
  expanded+=("$word")
done

what="trm $args   [$file]"
run "$TRM" "${expanded[@]}"
expect_error nonzero "$pattern" "$what"
message=$(grep -m 1 '^trm: ' "$ERR")
((${#message} <= 300)) || fail "$what: the message is ${#message} characters long (at most 300): ${message:0:400}..."
LC_ALL=C grep -q '[^ -~]' <<<"$message" && fail "$what: the message holds unprintable or non-ASCII bytes: $(od -c <<<"$message" | head -5)"
[[ ! -e $out ]] || fail "$what: a failed command left $out behind"
leftovers=$(find "$work" -name '.*.tmp.*')
[[ -z $leftovers ]] || fail "$what: a temporary file was left: $leftovers"
echo "ok: $what -> $message"
