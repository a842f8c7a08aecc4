#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each for SECONDS (default 60) from its seed
# corpus, then prints the executions per target. Exits non-zero when a target finds a crash, a leak or a hang;
# the input that did it is left under build-fuzz/artifacts/ (replay: build-fuzz/fuzz/TARGET FILE).
#   scripts/fuzz.sh                      every target, 60 s each
#   scripts/fuzz.sh 600 fuzz_csv         one target, 10 minutes
#   TRM_FUZZ_DIR=build-fuzz2 scripts/fuzz.sh ...   another build folder (to run two at once)
# New inputs the fuzzer finds go to BUILD/corpus/TARGET, never into the committed seeds (fuzz/corpus/TARGET).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(fuzz_csv fuzz_grid fuzz_weights fuzz_checkpoint)
build=${TRM_FUZZ_DIR:-build-fuzz}

cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTRM_FUZZ=ON \
  -DTRM_BUILD_TESTS=OFF -DTRM_OPENMP=OFF ${TRM_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"

mkdir -p "$build/artifacts"
status=0
summary=()
for t in "${targets[@]}"; do
  mkdir -p "$build/corpus/$t"
  log=$build/$t.log
  echo "fuzz: $t for ${seconds} s (log $log)"
  set +e
  # -timeout: one input taking longer is a hang; -rss_limit_mb: more memory is a failure (sizes are checked
  # before allocating, so no input of these sizes should need much).
  "$build/fuzz/$t" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$t-" "$build/corpus/$t" "fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
  secs=$(grep -m1 'stat::average_exec_per_sec' "$log" | awk '{print $2}')
  if ((rc != 0)); then
    status=1
    summary+=("$t: FAILED (exit $rc) after ${execs:-?} executions; see $log and $build/artifacts/")
    grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -5 >&2 || true
  else
    summary+=("$t: ok, ${execs:-?} executions in ${seconds} s (${secs:-?}/s), corpus $(find "$build/corpus/$t" -type f | wc -l) new inputs")
  fi
done
printf '%s\n' "${summary[@]}"
exit $status
