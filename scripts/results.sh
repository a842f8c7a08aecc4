#!/usr/bin/env bash
# The accuracy tables in README.md, as Markdown, from the shipped model and test sets it never trained on:
#   - kaggle-25k held out: the kaggle rows of stage 1's held-out split (checkpoints/runs/shipped/validation.csv,
#     written by scripts/train-shipped.sh, rebuilt by its --split-only when missing; later stages leave them out);
#   - graded-5k.csv (../shared/data), never used for training or choosing anything, by level;
#   - the generator's hardest: 1,000 new puzzles (a seed no training set used) with the fewest givens it
#     reaches (17-21 asked; in practice 20-22: some stay at 22 after 500 attempts), any difficulty; and 1,000
#     that need at least 20 solver guesses
#     (graded-5k's Expert level averages 30, Hard 18);
#   - the same model stored as float16 and int8 (trm export --dtype) on graded-5k.
# Every row is `trm eval` with the default decoding of trm solve and the page (iterative commit over the puzzle and
# 3 symmetric copies, `trm info`'s default_decoding) and its single-pass numbers (the puzzle as given).
# Then the ablation table (scripts/ablations.sh) and the baseline row (scripts/baseline-flat.sh), from their last
# runs on this machine; --all runs them first (about 45 minutes and 173 minutes of one core more).
# The evaluations run first, one thread each, as many at once as there are cores; the tables are printed after.
# Usage: scripts/results.sh [--all] [MODEL]     (default checkpoints/shipped.json); about 80 minutes on 2 cores.
set -euo pipefail
all=false
if [[ ${1:-} == --all ]]; then all=true; shift; fi
model=${1:-checkpoints/shipped.json}
source "$(dirname "$0")/lib/experiment.sh" build/results
if $all; then
  ABLATIONS_RERUN=1 scripts/ablations.sh 8 >/dev/null
  scripts/baseline-flat.sh 173 >/dev/null
fi

info=$("$trm" info --model "$model" --json)
h_default=$(grep -o '"h_cycles":[0-9]*' <<<"$info" | head -1 | cut -d: -f2)
symmetries=$(grep -o '"symmetries":[0-9]*' <<<"$info" | cut -d: -f2)  # the default decoding's

# Test sets.
sets=()
if [[ ! -f checkpoints/runs/shipped/validation.csv && -f $shared/kaggle-25k.csv ]]; then
  scripts/train-shipped.sh --split-only >&2  # a fresh machine: the split is deterministic, rebuild it
fi
if [[ -f checkpoints/runs/shipped/validation.csv && -f $shared/kaggle-25k.csv ]]; then
  kaggle_heldout checkpoints/runs/shipped/validation.csv "$work/kaggle-heldout.csv"
  sets+=("kaggle-25k held out|$work/kaggle-heldout.csv")
else
  echo "(no kaggle held-out set: needs checkpoints/runs/shipped/validation.csv and $shared/kaggle-25k.csv)" >&2
fi
if [[ -f $shared/graded-5k.csv ]]; then
  sets+=("graded-5k|$shared/graded-5k.csv")
else
  echo "(no graded-5k: $shared/graded-5k.csv is missing)" >&2
fi
"$trm" generate --count 1000 --min-givens 17 --max-givens 21 --seed 900 --out "$work/hardest.csv" --force >/dev/null
sets+=("generator's hardest (17-21 givens)|$work/hardest.csv")
"$trm" generate --count 1000 --min-givens 17 --max-givens 28 --min-guesses 20 --seed 901 --out "$work/expert-like.csv" \
  --force >/dev/null
sets+=("generated, at least 20 guesses (Expert-like)|$work/expert-like.csv")

# Where the full `trm eval` output of the test set named $1 is kept.
eval_file() { echo "$work/$(tr -c 'a-z0-9\n' '-' <<<"${1,,}").txt"; }

# One eval of model $1 on $2, iterative commit over $4 symmetries (more options after $4), full output to $3.
# A finished eval leaves $3.key: the command and the checksums of the model, the data and trm. A rerun whose key is
# the same reuses the output, so an interrupted run resumes (delete $work to start afresh).
run_eval() {
  local model=$1 data=$2 out=$3 k=$4
  shift 4
  local args=(eval --model "$model" --data "$data" --decoding iterative --symmetries "$k" "$@")
  local key
  key="${args[*]} $(sha256sum "$model" "$data" "$trm" | cut -d' ' -f1 | tr '\n' ' ')"
  if [[ -f $out.key && $(<"$out.key") == "$key" ]]; then return 0; fi
  rm -f "$out.key"
  OMP_NUM_THREADS=1 "$trm" "${args[@]}" >"$out" 2>>"$work/eval.log"
  echo "$key" >"$out.key"
}
# Prints "puzzles|no-model blank|single blank|single exact|final blank|final exact|forward passes per puzzle" of the
# eval output $1 (eval counts passes; each pass reads the puzzle and its copies, $2 of them, default the default's).
summary() {
  awk -v k="${2:-$symmetries}" -F'|' -v OFS='|' '{ $7 = sprintf("%.1f", k * $7); print }' \
    <<<"$(awk -f scripts/lib/eval_summary.awk "$1")"
}

# Evaluations, longest first, at most one per core at a time (one thread each: iterative commit's later passes
# are too small to share between threads). A failing one stops the script.
pids=()
limit_jobs() {
  while (($(jobs -rp | wc -l) >= $(nproc))); do wait -n || { echo "an evaluation failed: $work/eval.log" >&2; exit 1; }; done
}
launch() { limit_jobs; "$@" & pids+=($!); }
for entry in "${sets[@]}"; do
  name=${entry%%|*} data=${entry#*|}
  if [[ $name == graded-5k ]]; then launch run_eval "$model" "$data" "$(eval_file "$name")" "$symmetries"; fi
done
if [[ -f $shared/graded-5k.csv ]]; then
  graded_1k "$work/graded-1k.csv"
  # Decoding options: the default, and iterative commit on the puzzle alone at the default depth and twice it
  # (whose single-pass rows give cycles h/2, h and 2h).
  launch run_eval "$model" "$work/graded-1k.csv" "$work/decoding-default.txt" "$symmetries"
  for h in "$h_default" $((2 * h_default)); do
    launch run_eval "$model" "$work/graded-1k.csv" "$work/decoding-h$h.txt" 1 --h-cycles "$h"
  done
  # Stored precision: float32 holds exactly the floats the model loads, so its row is the default run above.
  for dtype in float32 float16 int8; do
    "$trm" export --checkpoint "$model" --out "$work/model-$dtype.json" --dtype "$dtype" --force >/dev/null
  done
  for dtype in float16 int8; do
    launch run_eval "$work/model-$dtype.json" "$work/graded-1k.csv" "$work/dtype-$dtype.txt" "$symmetries"
  done
fi
for entry in "${sets[@]}"; do
  name=${entry%%|*} data=${entry#*|}
  if [[ $name != graded-5k ]]; then launch run_eval "$model" "$data" "$(eval_file "$name")" "$symmetries"; fi
done
for pid in "${pids[@]}"; do wait "$pid" || { echo "an evaluation failed: $work/eval.log" >&2; exit 1; }; done

echo "Model: \`$model\`; decoding: iterative commit over $symmetries symmetries (the default of trm solve and the page),"
echo "and a single pass over the puzzle as given."
echo
echo "| test set | puzzles | no model: blank cells | single pass: blank cells | single pass: puzzles | default decoding: blank cells | default decoding: puzzles | forward passes/puzzle |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for entry in "${sets[@]}"; do
  name=${entry%%|*}
  out=$(eval_file "$name")
  IFS='|' read -r n base sb se fb fe passes <<<"$(summary "$out")"
  echo "| $name | $n | $base | $sb | $se | $fb | **$fe** | $passes |"
  if grep -q '^Expert' "$out"; then
    # Per level (the default decoding): "Level  puzzles  blank  exact  baseline".
    awk '/^(Beginner|Easy|Medium|Hard|Expert) / {
           printf "| &nbsp;&nbsp;%s | %s | %s | | | %s | **%s** | |\n", $1, $2, $5, $3, $4 }' "$out"
  fi
done

echo
echo "Every outer cycle's frame (what the page shows), single pass, whole puzzles solved after cycle 1 ... N:"
echo
for entry in "${sets[@]}"; do
  name=${entry%%|*}
  awk -v name="$name" '/^single pass, cycle/ { cycles = cycles sep $NF; sep = " / " }
    END { printf "- %s: %s\n", name, cycles }' "$(eval_file "$name")"
done

echo
echo "Decoding options (graded-5k, every fifth row: 1,000 puzzles, 200 per level). The model's default is $h_default"
echo "outer cycles; the default decoding reads each pass through the puzzle and $((symmetries - 1)) symmetric copies:"
echo
echo "| decoding | outer cycles | blank cells | puzzles | forward passes per puzzle |"
echo "|---|---:|---:|---:|---:|"
if [[ -f $shared/graded-5k.csv ]]; then
  # Single pass after cycle h/2 (the depth the shipped model trained at), h and 2h: rows of the longest run.
  for h in $((h_default / 2)) "$h_default" $((2 * h_default)); do
    awk -v h="$h" '$0 ~ "^single pass, cycle " h " " { printf "| single pass | %s | %s | %s | 1 |\n", h, $(NF - 1), $NF }' \
      "$work/decoding-h$((2 * h_default)).txt"
  done
  for h in "$h_default" $((2 * h_default)); do
    IFS='|' read -r _ _ _ _ fb fe passes <<<"$(summary "$work/decoding-h$h.txt" 1)"
    echo "| iterative commit, the puzzle alone | $h | $fb | $fe | $passes |"
  done
  IFS='|' read -r _ _ _ _ fb fe passes <<<"$(summary "$work/decoding-default.txt")"
  echo "| iterative commit over $symmetries symmetries (the default) | $h_default | $fb | **$fe** | $passes |"
fi

echo
echo "Stored precision (graded-5k's every fifth row, the default decoding):"
echo
echo "| weights | file size | blank cells | puzzles |"
echo "|---|---:|---:|---:|"
if [[ -f $shared/graded-5k.csv ]]; then
  cp "$work/decoding-default.txt" "$work/dtype-float32.txt"
  for dtype in float32 float16 int8; do
    IFS='|' read -r n base sb se fb fe passes <<<"$(summary "$work/dtype-$dtype.txt")"
    size=$(stat -c %s "$work/model-$dtype.json")
    echo "| $dtype | $((size / 1024)) KiB | $fb | $fe |"
  done
fi

for part in "Ablations (scripts/ablations.sh)|build/ablations/table.md" \
    "Baseline: the reference architecture (scripts/baseline-flat.sh)|build/baseline/table.md"; do
  echo
  if [[ -f ${part#*|} ]]; then
    echo "${part%%|*}, from its last run here:"
    echo
    cat "${part#*|}"
  else
    echo "${part%%|*}: not run on this machine yet (scripts/results.sh --all runs it)."
  fi
done
