#!/usr/bin/env python3
"""Writes tokushima-csv-cp932/ and tokushima-csv-utf8bom/ from ../../../examples/tokushima-2026-12.xlsx (written by
`rinban workbook instances/tokushima-2026-12.json`): one CSV file per sheet, the way
Japanese Excel's 「CSV (コンマ区切り)」 (Shift_JIS/CP932, CRLF) and 「CSV UTF-8」 (UTF-8
with a byte-order mark) save them: dates as 2026/12/1, times as 18:00, numbers plain.
Run from this folder: python3 make_csv_folders.py (needs openpyxl)."""
import csv
import datetime
import os
import openpyxl


def text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.hour == 0 and value.minute == 0 and value.year > 1900:
            return f"{value.year}/{value.month}/{value.day}"
        return f"{value.hour}:{value.minute:02d}"
    if isinstance(value, datetime.date):
        return f"{value.year}/{value.month}/{value.day}"
    if isinstance(value, datetime.time):
        return f"{value.hour}:{value.minute:02d}"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def write(folder, encoding):
    os.makedirs(folder, exist_ok=True)
    wb = openpyxl.load_workbook("../../../examples/tokushima-2026-12.xlsx")
    for ws in wb.worksheets:
        if ws.title == "読み方":
            continue
        with open(os.path.join(folder, ws.title + ".csv"), "w", encoding=encoding, newline="") as f:
            out = csv.writer(f, lineterminator="\r\n")
            for row in ws.iter_rows(values_only=True):
                out.writerow([text(v) for v in row])


if __name__ == "__main__":
    write("tokushima-csv-cp932", "cp932")
    write("tokushima-csv-utf8bom", "utf-8-sig")
