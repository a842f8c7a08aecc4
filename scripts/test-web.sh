#!/usr/bin/env bash
# WebAssembly and page tests. Each stage runs even if an earlier one failed; the last line is "N passed, N failed".
#   1. staleness: rebuild trm.js into build-wasm/ and compare with the committed www/generated/trm.js (byte for byte)
#   2. node --test tests/web/: wasm vs native fixture and PyTorch golden, hostile weights, rules, shipped assets
#   3. tests/web/browser.js: headless Chromium on file://www/index.html (screenshots in build-wasm/web-artifacts/)
# Options:
#   --regen-fixture   first rewrite tests/web/fixture_native.json from the native CLI (built in build-wasm/native/)
#   --no-browser      skip stage 3 (counted as skipped, not passed)
set -uo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs

regen=0 browser=1
for arg in "$@"; do
  case "$arg" in
    --regen-fixture) regen=1 ;;
    --no-browser) browser=0 ;;
    *) echo "usage: $0 [--regen-fixture] [--no-browser]" >&2; exit 2 ;;
  esac
done

passed=0 failed=0
tally() {  # tally PASSED FAILED LABEL
  passed=$((passed + $1)); failed=$((failed + $2))
  echo "== $3: $1 passed, $2 failed"
}

if (( regen )); then
  # The native CLI's traces (trm solve --trace --json); TRM_BIN=path/to/trm to use an existing build.
  trm=${TRM_BIN:-build-wasm/native/native/trm}
  if [[ -z "${TRM_BIN:-}" ]]; then
    echo "== building the native trm in build-wasm/native/"
    cmake -S . -B build-wasm/native -G Ninja -DCMAKE_BUILD_TYPE=Release -DTRM_BUILD_TESTS=OFF >/dev/null &&
      cmake --build build-wasm/native --target trm || { echo "native build failed" >&2; exit 1; }
  fi
  node tests/web/make-fixture.js "$trm" || { echo "fixture regeneration failed" >&2; exit 1; }
fi

# 1. The committed bundle matches a fresh build of the current sources.
if scripts/build-wasm.sh --check; then tally 1 0 "bundle up to date"; else tally 0 1 "bundle up to date"; fi

# 2. Node tests (TAP summary lines "# pass N" / "# fail N").
log=$(mktemp)
node --test tests/web/ >"$log" 2>&1
status=$?
np=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$log" | tail -1)
nf=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$log" | tail -1)
np=${np:-0} nf=${nf:-0}
if (( status != 0 )); then
  grep -E -A30 '^not ok' "$log" | head -150
  (( nf == 0 )) && nf=1  # crashed before reporting
fi
rm -f "$log"
tally "$np" "$nf" "node tests"

# 3. Browser test.
if (( browser )); then
  log=$(mktemp)
  node tests/web/browser.js | tee "$log"
  status=${PIPESTATUS[0]}
  bp=$(sed -n 's/^browser: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$log")
  bf=$(sed -n 's/^browser: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$log")
  bp=${bp:-0} bf=${bf:-0}
  (( status != 0 && bf == 0 )) && bf=1
  rm -f "$log"
  tally "$bp" "$bf" "browser"
else
  echo "== browser: skipped (--no-browser)"
fi

echo "$passed passed, $failed failed"
(( failed == 0 ))
