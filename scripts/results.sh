#!/usr/bin/env bash
# The accuracy tables in docs/results.md, as Markdown, from the shipped model and test sets it never trained on:
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
# Then the ablation table (experiments/ablations.sh) and the baseline row (experiments/baseline-flat.sh), from their last
# runs on this machine; --all runs them first (about 45 minutes and 173 minutes of one core more).
# The evaluations run first, one thread each, as many at once as there are cores; the tables are printed after.
# Usage: scripts/results.sh [--all] [MODEL]     (default checkpoints/shipped.json); about 80 minutes on 2 cores.
set -euo pipefail
all=false
if [[ ${1:-} == --all ]]; then all=true; shift; fi
model=${1:-checkpoints/shipped.json}
source "$(dirname "$0")/lib/experiment.sh" build/results
if $all; then
  ABLATIONS_RERUN=1 experiments/ablations.sh 8 >/dev/null
  experiments/baseline-flat.sh 173 >/dev/null
fi

"$trm" info --model "$model" --json >"$work/info.json"
h_default=$(json_eval "$work/info.json" r.h_cycles)
symmetries=$(json_eval "$work/info.json" r.default_decoding.symmetries)  # the default decoding's

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

# Where the `trm eval --json` output of the test set named $1 is kept.
eval_file() { echo "$work/$(tr -c 'a-z0-9\n' '-' <<<"${1,,}").json"; }

# One eval of model $1 on $2, iterative commit over $4 symmetries (more options after $4), its JSON to $3.
# A finished eval leaves $3.key: the command and the checksums of the model, the data and trm. A rerun whose key is
# the same reuses the output, so an interrupted run resumes (delete $work to start afresh).
run_eval() {
  local model=$1 data=$2 out=$3 k=$4
  shift 4
  local args=(eval --model "$model" --data "$data" --decoding iterative --symmetries "$k" --json "$@")
  local key
  key="${args[*]} $(sha256sum "$model" "$data" "$trm" | cut -d' ' -f1 | tr '\n' ' ')"
  if [[ -f $out.key && $(<"$out.key") == "$key" ]]; then return 0; fi
  rm -f "$out.key"
  OMP_NUM_THREADS=1 "$trm" "${args[@]}" >"$out" 2>>"$work/eval.log"
  echo "$key" >"$out.key"
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
  launch run_eval "$model" "$work/graded-1k.csv" "$work/decoding-default.json" "$symmetries"
  for h in "$h_default" $((2 * h_default)); do
    launch run_eval "$model" "$work/graded-1k.csv" "$work/decoding-h$h.json" 1 --h-cycles "$h"
  done
  # Stored precision: float32 holds exactly the floats the model loads, so its row is the default run above.
  for dtype in float32 float16 int8; do
    "$trm" export --checkpoint "$model" --out "$work/model-$dtype.json" --dtype "$dtype" --force >/dev/null
  done
  for dtype in float16 int8; do
    launch run_eval "$work/model-$dtype.json" "$work/graded-1k.csv" "$work/dtype-$dtype.json" "$symmetries"
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
  IFS='|' read -r n base sb se fb fe passes <<<"$(eval_summary "$out")"
  echo "| $name | $n | $base | $sb | $se | $fb | **$fe** | $passes |"
  # Per level, where the set has levels (the default decoding; no model: blank cells).
  json_eval "$out" 'r.groups.map((g, i) => [g, r.baseline.groups[i]])
    .filter(([g]) => ["Beginner", "Easy", "Medium", "Hard", "Expert"].includes(g.group))
    .map(([g, b]) => `| &nbsp;&nbsp;${g.group} | ${g.puzzles} | ${pct(b.blank_cell_accuracy)} | | | ` +
                     `${pct(g.blank_cell_accuracy)} | **${pct(g.puzzle_accuracy)}** | |`).join("\n")'
done

echo
echo "Every outer cycle's frame (what the page shows), single pass, whole puzzles solved after cycle 1 ... N:"
echo
for entry in "${sets[@]}"; do
  name=${entry%%|*}
  echo "- $name: $(json_eval "$(eval_file "$name")" 'r.per_cycle_puzzle_accuracy.map(pct).join(" / ")')"
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
    H=$h json_eval "$work/decoding-h$((2 * h_default)).json" \
      '`| single pass | ${process.env.H} | ${pct(r.per_cycle_blank_cell_accuracy[process.env.H - 1])} | ` +
       `${pct(r.per_cycle_puzzle_accuracy[process.env.H - 1])} | 1 |`'
  done
  for h in "$h_default" $((2 * h_default)); do
    IFS='|' read -r _ _ _ _ fb fe passes <<<"$(eval_summary "$work/decoding-h$h.json")"
    echo "| iterative commit, the puzzle alone | $h | $fb | $fe | $passes |"
  done
  IFS='|' read -r _ _ _ _ fb fe passes <<<"$(eval_summary "$work/decoding-default.json")"
  echo "| iterative commit over $symmetries symmetries (the default) | $h_default | $fb | **$fe** | $passes |"
fi

echo
echo "Stored precision (graded-5k's every fifth row, the default decoding):"
echo
echo "| weights | file size | blank cells | puzzles |"
echo "|---|---:|---:|---:|"
if [[ -f $shared/graded-5k.csv ]]; then
  cp "$work/decoding-default.json" "$work/dtype-float32.json"
  for dtype in float32 float16 int8; do
    IFS='|' read -r n base sb se fb fe passes <<<"$(eval_summary "$work/dtype-$dtype.json")"
    size=$(stat -c %s "$work/model-$dtype.json")
    echo "| $dtype | $((size / 1024)) KiB | $fb | $fe |"
  done
fi

for part in "Ablations (experiments/ablations.sh)|build/ablations/table.md" \
    "Baseline: the reference architecture (experiments/baseline-flat.sh)|build/baseline/table.md"; do
  echo
  if [[ -f ${part#*|} ]]; then
    echo "${part%%|*}, from its last run here:"
    echo
    cat "${part#*|}"
  else
    echo "${part%%|*}: not run on this machine yet (scripts/results.sh --all runs it)."
  fi
done
