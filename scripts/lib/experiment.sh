# Shared set-up of the training and experiment scripts (scripts/train-shipped.sh, scripts/results.sh, and
# experiments/: ablations.sh, baseline-flat.sh, stage3-*.sh): run from the repository root, find the shared puzzle
# sets, build the release `trm` quietly, make the script's work folder, the data mixes the shipped model's stages
# train on, and the readers of `trm eval --json` / `trm info --json`.
# Usage (after `set -euo pipefail`): source "$(dirname "$0")/lib/experiment.sh" WORK_FOLDER   (from scripts/)
#                                    source "$(dirname "$0")/../scripts/lib/experiment.sh" WORK_FOLDER   (from experiments/)
# Sets: shared (../shared/data or $TRM_SHARED_DATA), trm (absolute path to build/native/trm), work.
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
shared=${TRM_SHARED_DATA:-../shared/data}
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target trm >/dev/null
trm=$PWD/build/native/trm
work=$1
mkdir -p "$work"

# Writes to $2 the kaggle-25k rows of the held-out split $1 (a run's validation.csv), as quizzes,solutions.
kaggle_heldout() {
  local split=$1 out=$2
  { echo "quizzes,solutions"
    tail -n +2 "$shared/kaggle-25k.csv" | grep -v '^$' | cut -d, -f1 | sort >"$work/kaggle-quizzes.txt"
    tail -n +2 "$split" | sort | join -t, - "$work/kaggle-quizzes.txt"
  } >"$out"
}

# Stage 1's data and held-out split: all of kaggle-25k plus 100,000 generated puzzles with 22-30 givens, 2% held out
# by puzzle. Deterministic, so scripts/train-shipped.sh --split-only rebuilds the same split on any machine.
STAGE1_SPLIT=(--val-fraction 0.02 --seed 11)
stage1_mix() {
  local out=$1
  "$trm" generate --count 100000 --out "$work/generated.csv" --seed 7 --min-givens 22 --max-givens 30 --force >/dev/null
  { echo "quizzes,solutions"; tail -n +2 "$shared/kaggle-25k.csv" | grep -v '^$'; tail -n +2 "$work/generated.csv" | cut -d, -f1,2; } \
    >"$out"
}

# Writes to $1 a later stage's training mix (quizzes,solutions): the kaggle-25k rows stage 1 trained on (the rows of its held-out
# split, checkpoints/runs/shipped/validation.csv, stay out: they are a test set) and the first two columns of each
# further CSV given, in order (a file given twice is in the mix twice).
training_mix() {
  local out=$1 f
  shift
  cut -d, -f1 checkpoints/runs/shipped/validation.csv | tail -n +2 >"$work/stage1-heldout.txt"
  { echo "quizzes,solutions"
    tail -n +2 "$shared/kaggle-25k.csv" | grep -v '^$' | grep -v -F -f "$work/stage1-heldout.txt"
    for f in "$@"; do tail -n +2 "$f" | cut -d, -f1,2; done
  } >"$out"
}

# The stage-2 model every stage-3 experiment starts from, build/shipped/stage2.json (scripts/train-shipped.sh writes
# it; checkpoints/shipped.json is stage 3's result). Prints its path; stops the script when it is missing.
stage2_model() {
  local model=build/shipped/stage2.json
  [[ -f $model ]] || { echo "error: $model is missing: run scripts/train-shipped.sh first" >&2; exit 1; }
  echo "$model"
}

# Writes to $1 graded-5k's every fifth row (1,000 puzzles, 200 per level): the subset docs/results.md's decoding table,
# the ablations and the baseline row are scored on.
graded_1k() {
  awk -F, 'NR == 1 || NR % 5 == 2' "$shared/graded-5k.csv" >"$1"
}

# Stage 3's fresh generator strata, $work/s3{a,b,c,d}.csv (seeds 201-204): 50,000 puzzles needing at least 1 solver
# guess, 50,000 at least 10, 20,000 at least 20, 20,000 of any difficulty.
stage3_strata() {
  "$trm" generate --count 50000 --min-givens 20 --max-givens 28 --min-guesses 1 --seed 201 --out "$work/s3a.csv" --force
  "$trm" generate --count 50000 --min-givens 17 --max-givens 28 --min-guesses 10 --seed 202 --out "$work/s3b.csv" --force
  "$trm" generate --count 20000 --min-givens 17 --max-givens 28 --min-guesses 20 --seed 203 --out "$work/s3c.csv" --force
  "$trm" generate --count 20000 --min-givens 20 --max-givens 30 --seed 204 --out "$work/s3d.csv" --force
}

# The development set stage 3 was chosen and validated on, $work/dev.csv (quizzes,solutions; seeds 301-302, never
# trained on, not a test set): 500 puzzles needing at least 20 guesses, then 500 needing at least 1.
stage3_dev_set() {
  "$trm" generate --count 500 --min-givens 17 --max-givens 28 --min-guesses 20 --seed 301 --out "$work/dev-hard.csv" --force
  "$trm" generate --count 500 --min-givens 20 --max-givens 28 --min-guesses 1 --seed 302 --out "$work/dev-mid.csv" --force
  { cat "$work/dev-hard.csv"; tail -n +2 "$work/dev-mid.csv"; } | cut -d, -f1,2 >"$work/dev.csv"
}

# Prints the JavaScript expression $2 evaluated on the JSON file $1, which it names r; pct(x) writes a fraction as
# trm's text does ("96.9%"). Scripts read `trm eval --json` and `trm info --json` this way, never the printed text.
json_eval() {
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const pct = x => (100 * x).toFixed(1) + "%";
    const v = eval(process.argv[2]);
    if (v !== "") console.log(v);' "$1" "$2"
}

# Prints "puzzles|no-model blank cells|single pass blank cells|single pass puzzles|final blank cells|final puzzles|
# forward passes per puzzle" of the `trm eval --json` output $1 (single pass = the last outer cycle's frame of the
# puzzle as given; final = the decoding asked for; forward passes count every reading).
eval_summary() {
  json_eval "$1" '[r.puzzles, pct(r.baseline.blank_cell_accuracy), pct(r.per_cycle_blank_cell_accuracy.at(-1)),
    pct(r.per_cycle_puzzle_accuracy.at(-1)), pct(r.blank_cell_accuracy), pct(r.puzzle_accuracy),
    r.mean_forward_passes.toFixed(1)].join("|")'
}

# Prints one line of the `trm eval --json` output $1: the puzzles, the decoding, its blank cells and whole puzzles.
eval_line() {
  json_eval "$1" '`${r.puzzles} puzzles, ${r.decoding} x${r.symmetries} (final): blank cells ${pct(r.blank_cell_accuracy)}, ` +
    `puzzles ${pct(r.puzzle_accuracy)}, ${r.mean_forward_passes.toFixed(1)} forward passes per puzzle`'
}
