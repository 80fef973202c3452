#!/usr/bin/env bash
# The live LibreOffice round trip of docs/workbook.md: every bundled instance written by
# `rinban workbook`, opened and saved again by LibreOffice (soffice --convert-to xlsx, which
# rewrites shared strings, styles and number formats), imported, and checked to be the same
# month: `rinban validate` says the same, and one plan scores the same on both.
# Usage: scripts/libreoffice-roundtrip.sh [RINBAN]   (default .build/release/rinban)
set -euo pipefail
cd "$(dirname "$0")/.."
rinban=${1:-.build/release/rinban}
command -v soffice >/dev/null || { echo "libreoffice-roundtrip: soffice not found" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for instance in instances/*.json ../shared/examples/tiny.json; do
    name=$(basename "$instance" .json)
    "$rinban" workbook "$instance" -o "$tmp/$name.xlsx" > /dev/null
    soffice -env:UserInstallation="file://$tmp/profile" --headless --convert-to xlsx --outdir "$tmp/lo" "$tmp/$name.xlsx" > /dev/null 2>&1
    "$rinban" import "$tmp/lo/$name.xlsx" -o "$tmp/$name.json" > /dev/null
    if ! diff <("$rinban" validate "$instance" | tail -n +2) <("$rinban" validate "$tmp/$name.json" | tail -n +2) > "$tmp/diff"; then
        echo "libreoffice-roundtrip: $name differs after LibreOffice:" >&2
        head -20 "$tmp/diff" >&2
        exit 1
    fi
    status=0
    "$rinban" plan "$instance" -o "$tmp/$name.plan.json" --engine greedy --time-limit 5 --quiet > /dev/null 2>&1 || status=$?
    [ "$status" -eq 0 ] || [ "$status" -eq 3 ] || { echo "libreoffice-roundtrip: plan of $name failed ($status)" >&2; exit 1; }
    a=$("$rinban" score "$instance" "$tmp/$name.plan.json" | tail -n 1)
    b=$("$rinban" score "$tmp/lo/$name.xlsx" "$tmp/$name.plan.json" | tail -n 1)
    [ "$a" = "$b" ] || { echo "libreoffice-roundtrip: $name scores '$a' vs '$b'" >&2; exit 1; }
    echo "libreoffice-roundtrip: $name ok ($a)"
done
