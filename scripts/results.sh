#!/usr/bin/env bash
# The accuracy tables of the shipped model on test sets it never trained on or was chosen on; writes
# docs/test-sets.md (and prints it). Sets:
#   - kaggle-25k held out: the kaggle rows of stage 1's held-out split (checkpoints/runs/shipped/validation.csv,
#     written by scripts/train-shipped.sh, rebuilt by its --split-only when missing; later stages leave them out);
#   - graded-5k.csv (../shared/data), never used for training or choosing anything, by level;
#   - generated, fewest givens: 1,000 new puzzles (seed 900) with 17-22 givens, any difficulty (random removal seldom
#     gets below 22, so `trm generate` refuses a lower maximum);
#   - generated, at least 20 guesses (Expert-like): 1,000 (seed 901) that need at least 20 solver guesses
#     (graded-5k's Expert level averages 30, Hard 18).
# The hard development and test sets (the hardest generated puzzles, where the default decoding was chosen) have their
# own script and page: scripts/hard-sets.sh, docs/hard-puzzles.md.
# Every set is scored with the product's default decoding (`trm eval` without decoding flags: what trm solve and the
# page do, `trm info`'s default_decoding) and with the model alone (iterative commit, no branching: on the puzzle as
# given, and over 4 readings); graded-5k's every fifth row (1,000 puzzles) also with the other decodings and stored
# precisions.
# Then the ablation table (experiments/ablations.sh) and the baseline row (experiments/baseline-flat.sh), from their
# last runs on this machine, when there are any; --all runs them first (about 45 and 173 minutes of one core more).
# Evaluations run one thread each, as many at once as there are cores; an interrupted run resumes (each finished
# evaluation is kept with a checksum key in build/results/).
# Usage: scripts/results.sh [--all] [MODEL]     (default checkpoints/shipped.json); about an hour on 2 cores.
set -euo pipefail
all=false
if [[ ${1:-} == --all ]]; then all=true; shift; fi
model=${1:-checkpoints/shipped.json}
source "$(dirname "$0")/lib/experiment.sh" build/results
start=$SECONDS
if $all; then
  ABLATIONS_RERUN=1 experiments/ablations.sh 8 >/dev/null
  experiments/baseline-flat.sh 173 >/dev/null
fi

"$trm" info --model "$model" --json >"$work/info.json"
h_default=$(json_eval "$work/info.json" r.h_cycles)
default_name=$(json_eval "$work/info.json" '`${r.default_decoding.decoding} x${r.default_decoding.symmetries}`')

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
[[ -f $work/fewest-givens.csv ]] ||
  "$trm" generate --count 1000 --min-givens 17 --max-givens 22 --seed 900 --out "$work/fewest-givens.csv" --force >/dev/null
sets+=("generated, fewest givens (17-22)|$work/fewest-givens.csv")
[[ -f $work/expert-like.csv ]] ||
  "$trm" generate --count 1000 --min-givens 17 --max-givens 28 --min-guesses 20 --seed 901 --out "$work/expert-like.csv" \
    --force >/dev/null
sets+=("generated, at least 20 guesses (Expert-like)|$work/expert-like.csv")

# Where the `trm eval --json` output of the test set named $1 with decoding $2 (default | alone) is kept.
eval_file() { echo "$work/$(tr -c 'a-z0-9\n' '-' <<<"${1,,}")-$2.json"; }

# One eval of model $1 on $2, its JSON to $3; further arguments are eval's decoding flags.
# A finished eval leaves $3.key: the command and the checksums of the model, the data and trm. A rerun whose key is
# the same reuses the output, so an interrupted run resumes (delete build/results to start afresh).
run_eval() {
  local model=$1 data=$2 out=$3
  shift 3
  local args=(eval --model "$model" --data "$data" --json "$@")
  local key
  key="${args[*]} $(sha256sum "$model" "$data" "$trm" | cut -d' ' -f1 | tr '\n' ' ')"
  if [[ -f $out.key && $(<"$out.key") == "$key" ]]; then return 0; fi
  rm -f "$out.key"
  OMP_NUM_THREADS=1 "$trm" "${args[@]}" >"$out" 2>>"$work/eval.log"
  echo "$key" >"$out.key"
}

# Evaluations, longest first, at most one per core at a time (one thread each: the later passes of a decoding are
# too small to share between threads). A failing one stops the script.
pids=()
limit_jobs() {
  while (($(jobs -rp | wc -l) >= $(nproc))); do wait -n || { echo "an evaluation failed: $work/eval.log" >&2; exit 1; }; done
}
launch() { limit_jobs; "$@" & pids+=($!); }
alone=(--decoding iterative --symmetries 1)
readings=(--decoding iterative --symmetries 4)
for entry in "${sets[@]}"; do
  name=${entry%%|*} data=${entry#*|}
  if [[ $name == graded-5k ]]; then launch run_eval "$model" "$data" "$(eval_file "$name" default)"; fi
done
if [[ -f $shared/graded-5k.csv ]]; then
  graded_1k "$work/graded-1k.csv"
  # Decodings on 1,000 of graded-5k: iterative commit over 4 readings, averaged (the default before verified search)
  # and as a product, and on
  # the puzzle alone at the default depth and twice it (whose single-pass rows give cycles h/2, h and 2h).
  launch run_eval "$model" "$work/graded-1k.csv" "$work/decoding-default.json"
  launch run_eval "$model" "$work/graded-1k.csv" "$work/decoding-iterative-x4-mean.json" "${readings[@]}" --combine-readings mean
  launch run_eval "$model" "$work/graded-1k.csv" "$work/decoding-iterative-x4.json" "${readings[@]}"
  for h in "$h_default" $((2 * h_default)); do
    launch run_eval "$model" "$work/graded-1k.csv" "$work/decoding-h$h.json" "${alone[@]}" --h-cycles "$h"
  done
  # Stored precision: float32 holds exactly the floats the model loads, so its row is the default run above.
  for dtype in float32 float16 int8; do
    "$trm" export --checkpoint "$model" --out "$work/model-$dtype.json" --dtype "$dtype" --force >/dev/null
  done
  for dtype in float16 int8; do
    launch run_eval "$work/model-$dtype.json" "$work/graded-1k.csv" "$work/dtype-$dtype.json"
  done
fi
for entry in "${sets[@]}"; do
  name=${entry%%|*} data=${entry#*|}
  if [[ $name != graded-5k ]]; then launch run_eval "$model" "$data" "$(eval_file "$name" default)"; fi
  launch run_eval "$model" "$data" "$(eval_file "$name" alone)" "${alone[@]}"
  launch run_eval "$model" "$data" "$(eval_file "$name" readings)" "${readings[@]}"
done
for pid in "${pids[@]}"; do wait "$pid" || { echo "an evaluation failed: $work/eval.log" >&2; exit 1; }; done

# Prints the row cells "blank cells|puzzles|outer cycles per puzzle|ms per puzzle" of the eval JSON $1.
final_cells() {
  json_eval "$1" '[pct(r.blank_cell_accuracy), pct(r.puzzle_accuracy), r.mean_outer_cycles.toFixed(0),
    r.ms_per_puzzle.toFixed(0)].join("|")'
}

{
echo "# Accuracy on the test sets"
echo
echo "Written by \`scripts/results.sh\` on $(date -u +%Y-%m-%d) for \`$model\` in $(((SECONDS - start) / 60)) minutes"
echo "($(nproc --all) cores, one thread per evaluation, $(nproc) at a time; times are wall time per puzzle beside"
echo "whatever else ran, so compare them within one table only). No set below was used for training or for choosing"
echo "anything. Default decoding: $default_name, what \`trm solve\` and the page do (\`trm info\`'s default_decoding);"
echo "the model alone: iterative commit, no branching, on the puzzle as given (x1) and over 4 readings combined as a"
echo "product (x4); single pass: one forward pass of $h_default outer cycles. Outer cycles count every reading of every"
echo "pass and branch."
echo
echo "| test set | puzzles | no model: blank cells | single pass: puzzles | the model alone x1: puzzles | the model alone x4: puzzles | default: blank cells | default: puzzles | outer cycles / puzzle | ms / puzzle |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for entry in "${sets[@]}"; do
  name=${entry%%|*}
  def=$(eval_file "$name" default) one=$(eval_file "$name" alone) four=$(eval_file "$name" readings)
  IFS='|' read -r n base _ se _ _ _ <<<"$(eval_summary "$def")"
  IFS='|' read -r _ _ _ _ _ ae _ <<<"$(eval_summary "$one")"
  IFS='|' read -r _ _ _ _ _ re _ <<<"$(eval_summary "$four")"
  IFS='|' read -r fb fe cycles ms <<<"$(final_cells "$def")"
  echo "| $name | $n | $base | $se | $ae | $re | $fb | **$fe** | $cycles | $ms |"
  # Per level, where the set has levels.
  ALONE=$one FOUR=$four json_eval "$def" '
    const groups = (file) => JSON.parse(require("fs").readFileSync(file, "utf8")).groups;
    const alone = groups(process.env.ALONE), four = groups(process.env.FOUR);
    r.groups.map((g, i) => [g, r.baseline.groups[i], alone[i], four[i]])
    .filter(([g]) => ["Beginner", "Easy", "Medium", "Hard", "Expert"].includes(g.group))
    .map(([g, b, a, f]) => `| &nbsp;&nbsp;${g.group} | ${g.puzzles} | ${pct(b.blank_cell_accuracy)} | | ` +
                           `${pct(a.puzzle_accuracy)} | ${pct(f.puzzle_accuracy)} | ${pct(g.blank_cell_accuracy)} | ` +
                           `**${pct(g.puzzle_accuracy)}** | | |`).join("\n")'
done

echo
echo "Every outer cycle's frame (what the page shows), single pass, whole puzzles solved after cycle 1 ... $h_default:"
echo
for entry in "${sets[@]}"; do
  name=${entry%%|*}
  echo "- $name: $(json_eval "$(eval_file "$name" default)" 'r.per_cycle_puzzle_accuracy.map(pct).join(" / ")')"
done

if [[ -f $shared/graded-5k.csv ]]; then
  echo
  echo "## Decodings"
  echo
  echo "graded-5k's every fifth row (1,000 puzzles, 200 per level); the model's default depth is $h_default outer cycles:"
  echo
  echo "| decoding | outer cycles per pass | blank cells | puzzles | forward passes / puzzle | outer cycles / puzzle | ms / puzzle |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  # Single pass after cycle h/2 (the depth the shipped model's last stage trained at), h and 2h: rows of the longest run.
  for h in $((h_default / 2)) "$h_default" $((2 * h_default)); do
    H=$h json_eval "$work/decoding-h$((2 * h_default)).json" \
      '`| single pass | ${process.env.H} | ${pct(r.per_cycle_blank_cell_accuracy[process.env.H - 1])} | ` +
       `${pct(r.per_cycle_puzzle_accuracy[process.env.H - 1])} | 1 | ${process.env.H} | |`'
  done
  row() {  # row LABEL CYCLES FILE
    IFS='|' read -r _ _ _ _ _ _ passes <<<"$(eval_summary "$3")"
    IFS='|' read -r fb fe cycles ms <<<"$(final_cells "$3")"
    echo "| $1 | $2 | $fb | $fe | $passes | $cycles | $ms |"
  }
  for h in "$h_default" $((2 * h_default)); do
    row "iterative commit, the puzzle alone" "$h" "$work/decoding-h$h.json"
  done
  row "iterative commit over 4 readings averaged (the default before 2026-12-07)" "$h_default" "$work/decoding-iterative-x4-mean.json"
  row "iterative commit over 4 readings as a product (the model alone x4)" "$h_default" "$work/decoding-iterative-x4.json"
  row "**$default_name (the default)**" "$h_default" "$work/decoding-default.json"

  echo
  echo "## Stored precision"
  echo
  echo "The same 1,000 puzzles, the default decoding, the weights stored as \`trm export --dtype D\` writes them:"
  echo
  echo "| weights | file size | blank cells | puzzles | outer cycles / puzzle |"
  echo "|---|---:|---:|---:|---:|"
  cp "$work/decoding-default.json" "$work/dtype-float32.json"
  for dtype in float32 float16 int8; do
    IFS='|' read -r fb fe cycles _ <<<"$(final_cells "$work/dtype-$dtype.json")"
    echo "| $dtype | $(($(stat -c %s "$work/model-$dtype.json") / 1024)) KiB | $fb | $fe | $cycles |"
  done
fi

for part in "Ablations (experiments/ablations.sh)|build/ablations/table.md" \
    "Baseline: the reference architecture (experiments/baseline-flat.sh)|build/baseline/table.md"; do
  if [[ -f ${part#*|} ]]; then
    echo
    echo "## ${part%%|*}, from its last run here"
    echo
    cat "${part#*|}"
  fi
done
} >docs/test-sets.md
cat docs/test-sets.md
