#!/usr/bin/env bash
# Runs every fuzz target for FUZZTIME each (default 60s; `make test` runs
# them for 20000x (a count) through scripts/test.sh). A crasher is written to
# <package>/testdata/fuzz/<target>/ and stays there as a regression case
# that plain `go test` replays. No database is needed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
fuzztime=${FUZZTIME:-60s}
# package target: every `func Fuzz…` in the module (docs/security.md).
targets=(
  "./internal/seed FuzzParseCSV"
  "./internal/seed FuzzParseYAML"
  "./graph/scalar FuzzUnmarshalDate"
  "./graph/paging FuzzDecodeCursor"
  "./graph FuzzImportLicences"
  "./graph FuzzQueryLimits"
)
found=$(grep -rh --include='*_test.go' '^func Fuzz' . | wc -l)
if [ "$found" -ne "${#targets[@]}" ]; then
  echo "fuzz.sh: the module has $found fuzz targets but ${#targets[@]} are listed here: add the new one" >&2
  exit 1
fi
for t in "${targets[@]}"; do
  set -- $t
  echo "fuzz: $2 in $1 for $fuzztime"
  go test -run '^$' -fuzz "^$2\$" -fuzztime "$fuzztime" "$1"
done
