#!/usr/bin/env bash
# Runs one command and checks its exit status and output.
#   expect.sh [--in DIR] --rc N|nonzero [--out ERE]... [--err ERE]... [--error ERE] [--absent FILE]... -- CMD...
# --out/--err: stdout/stderr must match the extended regex (each given one).
# --error ERE: an error exit: nothing on stdout, first stderr line "trm: <reason>" matching ERE.
# --absent FILE: FILE (relative to DIR) must not exist afterwards (the command wrote nothing).
# --in DIR: run in DIR, created empty first.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

dir=""
want_rc=""
outs=() errs=() absents=()
error_pattern=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --in) dir=$2; shift 2 ;;
    --rc) want_rc=$2; shift 2 ;;
    --out) outs+=("$2"); shift 2 ;;
    --err) errs+=("$2"); shift 2 ;;
    --error) error_pattern=$2; shift 2 ;;
    --absent) absents+=("$2"); shift 2 ;;
    --) shift; break ;;
    *) echo "expect.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ $# -gt 0 && -n $want_rc ]] || { echo "expect.sh: need --rc and a command after --" >&2; exit 2; }

if [[ -z $dir ]]; then dir=$(mktemp -d); trap 'rm -rf -- "$dir"' EXIT; fi
scratch "$dir"
cd "$dir"
what="$(basename "$1") ${*:2}"
run "$@"
if [[ -n $error_pattern ]]; then
  expect_error "$want_rc" "$error_pattern" "$what"
else
  expect_rc "$want_rc" "$what"
fi
for re in "${outs[@]+"${outs[@]}"}"; do expect_out "$re" "$what"; done
for re in "${errs[@]+"${errs[@]}"}"; do expect_err "$re" "$what"; done
for f in "${absents[@]+"${absents[@]}"}"; do [[ ! -e $f ]] || fail "$what: created $f"; done
echo "ok: $what (exit $rc)"
