#!/usr/bin/env python3
"""Writes clerk.xlsx and clerk-typo.xlsx with openpyxl: a workbook made by another tool,
the way an office's own spreadsheet arrives (ids typed as numbers, dates as date cells or
as text in several forms, full-width digits, stray spaces, a time cell).

clerk.expected.json is the instance these sheets mean, written by hand. Run from this
folder: python3 make_clerk_workbooks.py (needs openpyxl)."""
import datetime
import openpyxl


def table(wb, name, headers, keys, rows):
    ws = wb.create_sheet(name)
    ws.append([name])
    ws.append(headers)
    ws.append(keys)
    for row in rows:
        ws.append(row)
    return ws


def build(typo):
    wb = openpyxl.Workbook()
    settings = wb.active
    settings.title = "期間・設定"
    settings.append(["期間・設定"])
    settings.append(["項目", "rinban/1", "値", "説明"])
    settings.append(["label", "key", "value", "help"])
    settings.append(["医師会名", "association", "  テスト医師会　", ""])
    settings.append(["開始日", "period.start", datetime.date(2027, 1, 1), ""])
    settings.append(["終了日", "period.end", "2027/1/31", ""])
    settings.append(["追加の休日", "calendar.extraHolidays", "2027/1/2、２０２７／１／３", ""])
    settings.append(["医師: 当番の間隔", "rules.minDaysBetween", "３", ""])
    table(wb, "ブロック", ["ID", "名前", "隣接ブロック"], ["id", "name", "neighbors"],
          [["north", "北部", None], ["south", "南部", "north "]])
    table(wb, "診療所", ["ID", "名前", "ブロック"], ["id", "name", "block"],
          [[101, "北クリニック", "north"], ["１０２", "南クリニック", "south　"]])
    table(wb, "医師", ["ID", "氏名", "診療所", "技能", "負担割合", "年度累計点数"],
          ["id", "name", "clinic", "skills", "share", "history.points"],
          [["p1", "北 一郎", 101, "eol、home", 1, 2.5],
           ["p2", "南 次郎", "c99" if typo else "102", None, "１.５", None],
           [None, None, None, None, None, None],
           ["p3", "北 三郎", "１０１", None, None, None]])
    shifts = table(wb, "勤務帯", ["ID", "名前", "開始", "終了", "点数(休日)"],
                   ["id", "name", "start", "end", "points.holiday"],
                   [["night", "夜間", datetime.time(18, 0), "8:00", 1.5]])
    shifts["C4"].number_format = "hh:mm"
    table(wb, "当番", ["当番 ID", "当番名", "対象", "単位", "隣接ブロック可", "勤務帯", "必要人数(平日)", "必要人数(休日)"],
          ["id", "name", "pool", "scope", "allowNeighbors", "demand.shift", "demand.weekday", "demand.holiday"],
          [["substitute", "代診当番", "医師", "ブロックごと", "はい", "night", 1, 1]])
    absences = table(wb, "不在・避けたい日", ["医師・ステーション ID", "種類", "開始日", "終了日"],
                     ["member", "kind", "from", "to"],
                     [["p1", "不可", datetime.date(2027, 1, 5), "令和9年1月6日"],
                      ["p2", "避けたい", "2027/13/5" if typo else "2027/1/10", None],
                      ["p3", "unavailable", 46404, None]])
    # A serial number typed into a plain (General) cell: 46404 is 2027-01-17.
    absences["C6"].number_format = "General"
    return wb


if __name__ == "__main__":
    build(False).save("clerk.xlsx")
    build(True).save("clerk-typo.xlsx")
