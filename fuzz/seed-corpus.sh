#!/usr/bin/env bash
# Fills fuzz/corpus/ with seed inputs: the bundled scenarios for `scenario`, and for `data_file`
# the bundled bank data (first byte: 0 our bank CSV, 1 EBA 2018, 2 exposure matrix).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/scenario corpus/data_file
cp ../scenarios/*.toml corpus/scenario/
cp regressions/scenario/* corpus/scenario/ 2>/dev/null || true
cp regressions/data_file/* corpus/data_file/ 2>/dev/null || true
{ printf '\x00'; printf 'id,equity,sme_loans,other_assets,regions,family\nX1,10,100,50,north,A\nX2,4,30,0,north:0.5;south:0.5,B\n'; } > corpus/data_file/banks-ours
{ printf '\x01'; cat ../scenarios/data/eba2018_banks.csv; } > corpus/data_file/banks-eba2018
{ printf '\x01'; head -4 ../scenarios/data/eba2018_banks.csv; } > corpus/data_file/banks-eba2018-short
{ printf '\x02'; printf 'lender,B1,B2\nB1,0,5\nB2,5,0\n'; } > corpus/data_file/exposures
echo "seeded: $(ls corpus/scenario | wc -l) scenario inputs, $(ls corpus/data_file | wc -l) data-file inputs"
