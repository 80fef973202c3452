#!/usr/bin/env bash
# Writes *-libreoffice.xlsx: workbooks of `rinban workbook` opened and saved again by
# LibreOffice, which rewrites shared strings, styles and number formats. Run from this
# folder after `swift build`: bash make_libreoffice_fixtures.sh (needs soffice).
set -euo pipefail
rinban=../../../.build/debug/rinban
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for pair in tokushima:../../../instances/tokushima-2026-12.json takamatsu:../../../instances/takamatsu-2027-04.json \
            deputies:../../RinbanCoreTests/Fixtures/deputies.json; do
    name=${pair%%:*}
    "$rinban" workbook "${pair#*:}" -o "$tmp/$name.xlsx" > /dev/null
    soffice --headless --convert-to xlsx --outdir "$tmp/lo" "$tmp/$name.xlsx" > /dev/null 2>&1
    cp "$tmp/lo/$name.xlsx" "$name-libreoffice.xlsx"
done
