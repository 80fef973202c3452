#!/usr/bin/env python3
"""Write the reference list of Japanese national holidays, 1980-2030, for rinban's tests.

Origin: the PyPI package `holidays` (python-holidays, "Open World Holidays Framework"),
class `holidays.Japan` with `language="ja"` so the names are the Japanese ones. It is an
implementation independent of rinban's Swift code, which is the point: the Swift tests
compare every date of 1980-2030 against this file.

The fixture is generated once and committed as data; do not edit the CSV by hand. To
regenerate it (only when deliberately moving to a newer library version):

    python3 -m venv /tmp/holiday-venv
    /tmp/holiday-venv/bin/pip install 'holidays==0.109'
    /tmp/holiday-venv/bin/python scripts/make-holiday-fixture.py

The first line of the CSV is a comment naming the library, its version and the date of
generation. Every other line is `YYYY-MM-DD,name`, in date order. The library's names are
kept as they are; the Swift test maps the few that differ from rinban's (see
JapaneseHolidaysTests.swift).

Written for rinban; version used for the committed fixture: holidays 0.109.
"""

import datetime
import pathlib
import sys

import holidays

FIRST_YEAR = 1980
LAST_YEAR = 2030
DEFAULT_OUTPUT = (
    pathlib.Path(__file__).resolve().parent.parent
    / "Tests" / "RinbanCoreTests" / "Fixtures" / "jp-holidays-1980-2030.csv"
)


def main() -> int:
    output = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT
    calendar = holidays.Japan(language="ja", years=range(FIRST_YEAR, LAST_YEAR + 1))
    rows = sorted(calendar.items())
    today = datetime.date.today().isoformat()
    lines = [
        f"# source: python-holidays {holidays.__version__} "
        f"(holidays.Japan, language=ja), years {FIRST_YEAR}-{LAST_YEAR}, generated {today}"
    ]
    for day, name in rows:
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            continue
        if "," in name or "\n" in name:
            raise SystemExit(f"unexpected character in holiday name {name!r} on {day}")
        lines.append(f"{day.isoformat()},{name}")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines) - 1} holidays to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
