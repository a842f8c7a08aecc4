#!/usr/bin/env bash
# Before/after of our own native build: two `trm` binaries (e.g. main's and this branch's), the same workloads,
# alternated round by round (before, after, before, after, ...), one thread each, timed by process CPU time, so a
# busy machine disturbs both alike. Prints the table: medians and the per-round ratio after / before.
#
#   bench/ab.sh BEFORE_TRM AFTER_TRM [--rounds N] [--seconds S] [--precision fp32|bf16] WORKLOAD...
#
# Both binaries must have `bench --child --cpu-time` (every trm since issue 5). --precision applies to AFTER only
# (BEFORE may predate it): `--precision bf16` compares the branch's bf16 with BEFORE's float32.
set -euo pipefail
cd "$(dirname "$0")/.."
(($# >= 3)) || { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
before=$1 after=$2; shift 2
rounds=3 seconds=3 precision=() workloads=()
while (($#)); do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --precision) precision=(--precision "$2"); shift 2 ;;
    *) workloads+=("$1"); shift ;;
  esac
done
for b in "$before" "$after"; do [[ -x "$b" ]] || { echo "bench/ab.sh: $b: not an executable" >&2; exit 2; }; done
rows=$(mktemp /tmp/trm-ab-XXXXXX)
trap 'rm -f "$rows"' EXIT
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
tag() {  # rows of one child run, impl renamed, repeat added
  /usr/bin/python3 -c 'import json,sys; print(json.dumps([dict(r, impl=sys.argv[1], repeat=int(sys.argv[2])) for r in json.loads(sys.argv[3])]))' "$@"
}
for ((round = 1; round <= rounds; ++round)); do
  for w in "${workloads[@]}"; do
    echo "bench/ab.sh: round $round/$rounds: $w" >&2
    out=$(OMP_NUM_THREADS=1 "$before" bench --child --cpu-time --seconds "$seconds" --workload "$w" | grep '^\[' | tail -n 1)
    tag before "$round" "$out" >>"$rows"
    out=$(OMP_NUM_THREADS=1 "$after" bench --child --cpu-time --seconds "$seconds" --workload "$w" "${precision[@]}" | grep '^\[' | tail -n 1)
    tag after "$round" "$out" >>"$rows"
  done
done
header="Measured $(date -u +%Y-%m-%d) with \`bench/ab.sh BEFORE AFTER --rounds $rounds --seconds $seconds ${precision[*]} ${workloads[*]}\`, one thread each, process CPU time; load average before ${load_before}, after $(cut -d' ' -f1-3 /proc/loadavg)."
/usr/bin/python3 bench/table.py "$rows" --ratio after/before --header "$header"
