#!/usr/bin/env bash
# Seeds each fuzz target's corpus from the shared sample data (HL7, FHIR, CSV) and
# the project's own definition files, then runs every target for SECONDS (default 60).
#   fuzz/seed.sh [SECONDS]
# Needs cargo-fuzz (cargo install cargo-fuzz); on a stable toolchain it runs with
# RUSTC_BOOTSTRAP=1 and without a sanitizer.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
data=../tests/fixtures/shared
mkdir -p corpus/{hl7,fhir,csv,definitions,frame}
cp "$data"/hl7/* corpus/hl7/ 2>/dev/null || true
find "$data/fhir" -name '*.json' -size -200k -exec cp {} corpus/fhir/ \;
find "$data/csv" -name '*.csv' | while read -r f; do head -c 20000 "$f" > "corpus/csv/$(basename "$f")"; done
cp ../questionnaires/*.toml ../rules/*.toml ../keymaps/*.toml corpus/definitions/
for target in hl7 fhir csv definitions frame; do
  RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none -O "$target" "corpus/$target" \
    -- -max_total_time="$seconds" -max_len=20000
done
