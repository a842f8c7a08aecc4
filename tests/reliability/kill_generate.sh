#!/usr/bin/env bash
# A killed command leaves no half-written output: `trm generate` gets SIGKILL or SIGINT at random moments
# (TRM_KILLS times, default 10); each time its --out is either absent or complete, no temporary file is visible,
# and the hidden one a kill may leave is removed by the next write of the same file.
#   kill_generate.sh TRM WORKDIR [KILLS]
set -euo pipefail
source "$(dirname "$0")/../cli/lib.sh"
TRM=$1 work=$2
kills=${TRM_KILLS:-${3:-10}}
scratch "$work"
cd "$work"
RANDOM=${TRM_KILL_SEED:-11}
N=2000

start=$(date +%s%N)
run "$TRM" generate --count "$N" --seed 3 --out reference.csv
expect_rc 0 "generate (reference)"
run_ms=$((($(date +%s%N) - start) / 1000000))
complete=0 absent=0
for ((k = 1; k <= kills; k++)); do
  signal=KILL
  ((k % 3 == 0)) && signal=INT
  rm -f out.csv
  "$TRM" generate --count "$N" --seed 3 --out out.csv >/dev/null 2>&1 &
  pid=$!
  delay_ms=$((RANDOM % (run_ms + 20)))
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  kill -"$signal" "$pid" 2>/dev/null || true
  { wait "$pid"; } 2>/dev/null || true
  visible=$(find . -name '*.tmp.*' ! -name '.*')
  [[ -z $visible ]] || fail "kill $k ($signal after $delay_ms ms): a visible temporary file: $visible"
  if [[ -e out.csv ]]; then
    cmp -s out.csv reference.csv || fail "kill $k ($signal after $delay_ms ms): out.csv exists but is not the whole output"
    complete=$((complete + 1))
  else
    absent=$((absent + 1))
  fi
done
# The next write of out.csv removes any temporary a kill left.
rm -f out.csv
run "$TRM" generate --count 5 --seed 3 --out out.csv
expect_rc 0 "generate after the kills"
leftovers=$(find . -name '*.tmp.*')
[[ -z $leftovers ]] || fail "temporaries left after the next write: $leftovers"
echo "ok: $kills kills of generate: $absent left no output, $complete the whole output, never a part"
