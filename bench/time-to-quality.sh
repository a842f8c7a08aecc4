#!/usr/bin/env bash
# Time to quality: training minutes until a fixed generated development set reaches a fixed share of exact
# puzzles, with the quickstart run (scripts/run.sh: configs/quickstart.json on its 30,000 generated puzzles, one
# epoch of 937 steps, augmentation), on the threads given (2 by default: the machine's cores). The number users feel.
#
#   bench/time-to-quality.sh [--before TRM] [--rounds N] [--threads T] [--target P] [--precision fp32|bf16|both]
#                            [--write-docs]
#
# Each run validates every 100 steps on 500 development puzzles (generated with seed 77, 26-36 givens, never
# trained on) by iterative commit on the puzzle alone, the model alone as `trm eval --decoding iterative
# --symmetries 1` scores it, and its time to quality is the training time (the steps' own wall clock, validation
# not counted) at the first validation at or above --target (default 0.5 of the puzzles).
# --before TRM: an earlier trm binary, which may predate --val-every: it trains the same run with a checkpoint every 100
# steps, each copied as it appears and scored afterwards the same way (`trm eval --decoding iterative --symmetries 1`
# on the development set), its training time read from the checkpoint.
# Runs alternate round by round (before, trm, trm-bf16, before, ...); the table's values are medians over rounds,
# its ratios per round. --write-docs rewrites the time-to-quality section of docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
before="" rounds=3 threads=2 target=0.5 precision=fp32 write_docs=""
while (($#)); do
  case "$1" in
    --before) before=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --target) target=$2; shift 2 ;;
    --precision) precision=$2; shift 2 ;;
    --write-docs) write_docs=1; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/time-to-quality.sh: unknown argument '$1' (--help lists them)" >&2; exit 2 ;;
  esac
done
case "$precision" in fp32) precisions=(fp32) ;; bf16) precisions=(bf16) ;; both) precisions=(fp32 bf16) ;;
  *) echo "bench/time-to-quality.sh: --precision: fp32, bf16 or both, got '$precision'" >&2; exit 2 ;; esac
if [[ -n $before && ! -x $before ]]; then echo "bench/time-to-quality.sh: --before $before: not an executable" >&2; exit 2; fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target trm >/dev/null
trm=build/native/trm
work=build/time-to-quality
mkdir -p "$work"
# The quickstart's data (scripts/run.sh generates the same 30,000 puzzles) and a development set apart from it.
[[ -s $work/train.csv ]] || "$trm" generate --count 30000 --seed 1 --min-givens 26 --max-givens 36 --out "$work/train.csv" --force >/dev/null
[[ -s $work/dev.csv ]] || "$trm" generate --count 500 --seed 77 --min-givens 26 --max-givens 36 --out "$work/dev.csv" --force >/dev/null
run_args=(--data "$work/train.csv" --val-data "$work/dev.csv" --val-limit 500 --config configs/quickstart.json
          --augment --max-steps 1200 --seed 1 --force)
batch=$(/usr/bin/python3 -c 'import json; print(json.load(open("configs/quickstart.json"))["batch_size"])')
rows=$work/rows.jsonl
: >"$rows"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# seconds of training and steps at the first validation line at or above the target; the run's totals
read_run() {  # read_run RUN_DIR -> "hit_step hit_seconds total_steps total_seconds" (hit fields "-" if never)
  /usr/bin/python3 - "$1/metrics.jsonl" "$target" <<'EOF'
import json, sys
hit, last = None, None
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    if r.get("type") not in ("validation", "epoch"):
        continue
    last = r
    if hit is None and "val_puzzle_accuracy" in r and r["val_puzzle_accuracy"] >= float(sys.argv[2]):
        hit = r
print(hit["step"] if hit else "-", hit["train_seconds"] if hit else "-", last["step"], last["train_seconds"])
EOF
}
row() {  # row IMPL METRIC VALUE REPEAT
  printf '[{"workload":"quickstart-to-%s","impl":"%s","metric":"%s","value":%s,"repeat":%s}]\n' \
    "$target" "$1" "$2" "$3" "$4" >>"$rows"
}

for ((round = 1; round <= rounds; ++round)); do
  if [[ -n $before ]]; then
    echo "bench/time-to-quality.sh: round $round/$rounds: before ($before)" >&2
    rm -rf "$work/before-checkpoints" && mkdir -p "$work/before-checkpoints"
    OMP_NUM_THREADS=$threads "$before" train "${run_args[@]}" --checkpoint-every 100 --out "$work/before" >"$work/before.log" &
    pid=$!
    # Keep each checkpoint (written atomically: a rename) as it appears; the last one is the run's end.
    touch "$work/before-checkpoints/.seen"
    while kill -0 "$pid" 2>/dev/null; do
      if [[ $work/before/last.json -nt $work/before-checkpoints/.seen ]]; then
        touch "$work/before-checkpoints/.seen"
        cp "$work/before/last.json" "$work/before-checkpoints/now.json"
        step=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["training"]["step"])' "$work/before-checkpoints/now.json")
        mv "$work/before-checkpoints/now.json" "$work/before-checkpoints/$step.json"
      fi
      sleep 0.2
    done
    wait "$pid"
    cp "$work/before/last.json" "$work/before-checkpoints/last.json"
    hit="" total_steps="" total_seconds=""
    for f in $(ls "$work/before-checkpoints" | grep -E '^[0-9]+\.json$' | sort -n) last.json; do
      read -r step seconds <<<"$(/usr/bin/python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["training"]; print(t["step"], t["train_seconds"])' "$work/before-checkpoints/$f")"
      total_steps=$step total_seconds=$seconds
      [[ -n $hit ]] && continue
      accuracy=$("$trm" eval --model "$work/before-checkpoints/$f" --data "$work/dev.csv" --decoding iterative --symmetries 1 --json |
        /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["puzzle_accuracy"])')
      if /usr/bin/python3 -c "import sys; sys.exit(not $accuracy >= $target)"; then hit="$step $seconds"; fi
    done
    [[ -n $hit ]] || { echo "bench/time-to-quality.sh: before never reached $target of the development puzzles" >&2; exit 1; }
    read -r hit_step hit_seconds <<<"$hit"
    row trm-before minutes_to_quality "$(/usr/bin/python3 -c "print($hit_seconds / 60)")" "$round"
    row trm-before steps_to_quality "$hit_step" "$round"
    row trm-before samples_per_s "$(/usr/bin/python3 -c "print($total_steps * $batch / $total_seconds)")" "$round"
  fi
  for p in "${precisions[@]}"; do
    impl=trm; [[ $p == bf16 ]] && impl=trm-bf16
    echo "bench/time-to-quality.sh: round $round/$rounds: $impl" >&2
    OMP_NUM_THREADS=$threads "$trm" train "${run_args[@]}" --val-every 100 --val-decoding iterative \
      --precision "$p" --out "$work/$impl" >"$work/$impl.log"
    read -r hit_step hit_seconds total_steps total_seconds <<<"$(read_run "$work/$impl")"
    if [[ $hit_step == - ]]; then
      echo "bench/time-to-quality.sh: $impl never reached $target of the development puzzles in $total_steps steps" >&2
      exit 1
    fi
    row "$impl" minutes_to_quality "$(/usr/bin/python3 -c "print($hit_seconds / 60)")" "$round"
    row "$impl" steps_to_quality "$hit_step" "$round"
    row "$impl" samples_per_s "$(/usr/bin/python3 -c "print($total_steps * $batch / $total_seconds)")" "$round"
  done
done

header="Measured $(date -u +%Y-%m-%d) with \`bench/time-to-quality.sh${before:+ --before BEFORE} --rounds $rounds --threads $threads --target $target --precision $precision\` on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') ($(nproc) cores); load average before ${load_before}, after $(cut -d' ' -f1-3 /proc/loadavg). Training minutes (validation not counted) until iterative commit on the puzzle alone solves $target of 500 generated development puzzles, validated every 100 steps."
ratios=()
[[ -n $before ]] && ratios+=(--ratio trm/trm-before --ratio trm-bf16/trm-before)
# (trm-bf16 / trm is one of table.py's own ratios)
docs=()
[[ -n $write_docs ]] && docs=(--write-docs time-to-quality --writer bench/time-to-quality.sh)
/usr/bin/python3 bench/table.py "$rows" --header "$header" "${ratios[@]}" "${docs[@]}"
