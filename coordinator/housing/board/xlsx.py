"""The board as a spreadsheet (XlsxWriter), in the legend's colours: a sheet for the
legend and the counts, a sheet per compound drawn as the page draws it (per building a
grid of floors × units' doors, each cell filled with its state's colour, a stale one in a
dashed frame, one the filters did not pick left white), and a list of every dwelling for
sorting and filtering. Pure: the board in, the file's bytes out."""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Any

import xlsxwriter

from coordinator.housing.board import words
from coordinator.housing.board.layout import ink
from coordinator.housing.models import DwellingState, DwellingUse
from coordinator.labels import render
from coordinator.platform.i18n import Lang

DASHED, THIN = 3, 1
OUT_INK = "#8c959f"
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


class _Formats:
    """One format per look, made once (a workbook holds a limited number)."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.book = book
        self.made: dict[tuple[str, str, int], Any] = {}
        self.bold = book.add_format({"bold": True})
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.head = book.add_format({"bold": True, "align": "center", "bg_color": "#f1f3f5"})
        self.border = book.add_format({"border": THIN, "align": "center"})

    def cell(self, fill: str, text: str, border: int) -> Any:
        key = (fill, text, border)
        if key not in self.made:
            self.made[key] = self.book.add_format(
                {
                    "bg_color": fill,
                    "pattern": 1,
                    "font_color": text,
                    "border": border,
                    "align": "center",
                    "valign": "vcenter",
                }
            )
        return self.made[key]

    def of(self, cell: dict[str, Any]) -> Any:
        if not cell["match"]:
            return self.cell("#ffffff", OUT_INK, THIN)
        return self.cell(cell["colour"], ink(cell["colour"]), DASHED if cell["stale"] else THIN)


def board_xlsx(board: dict[str, Any], lang: Lang, zone: Any) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    formats = _Formats(book)
    _legend(book.add_worksheet(words.LEGEND.render(lang)), board, formats, lang, zone)
    names: set[str] = {words.LEGEND.render(lang), words.LIST.render(lang)}
    for compound in board["compounds"]:
        sheet = book.add_worksheet(_sheet_name(compound["name"], names))
        _compound(sheet, compound, formats, lang)
    _list(book.add_worksheet(words.LIST.render(lang)), board, formats, lang, zone)
    book.close()
    return out.getvalue()


def _sheet_name(name: str, taken: set[str]) -> str:
    base = _SHEET_BAD.sub("_", name)[:28].strip("'") or "_"
    candidate, n = base, 1
    while candidate.lower() in {t.lower() for t in taken}:
        n += 1
        candidate = f"{base}_{n}"
    taken.add(candidate)
    return candidate


def _when(value: str | None, zone: Any) -> str:
    if value is None:
        return ""
    return datetime.fromisoformat(value).astimezone(zone).strftime("%Y-%m-%d")


def _legend(sheet: Any, board: dict[str, Any], f: _Formats, lang: Lang, zone: Any) -> None:
    w = lambda text: text.render(lang)  # noqa: E731
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 3, 14)
    sheet.write(0, 0, f"{board['area']['name']} · {w(words.TITLE)}", f.title)
    as_of = datetime.fromisoformat(board["as_of"]).astimezone(zone).strftime("%Y-%m-%d %H:%M")
    sheet.write(1, 0, w(words.AS_OF))
    sheet.write(1, 1, as_of)
    sheet.write(2, 0, w(words.FILTERS))
    sheet.write(2, 1, filters_text(board, lang))
    row = 4
    for n, head in enumerate((words.STATE, words.COLOUR, words.TOTAL, words.SHOWN)):
        sheet.write(row, n, w(head), f.head)
    for entry in board["legend"]:
        row += 1
        sheet.write(row, 0, entry["label_en"] if lang == "en" else entry["label"], f.border)
        sheet.write(row, 1, entry["colour"], f.cell(entry["colour"], entry["ink"], THIN))
        sheet.write_number(row, 2, entry["total"], f.border)
        sheet.write_number(row, 3, entry["shown"], f.border)
    row += 1
    sheet.write(row, 0, w(words.TOTAL), f.bold)
    sheet.write_number(row, 2, board["total"], f.bold)
    sheet.write_number(row, 3, board["shown"], f.bold)
    row += 2
    stale = w(words.STALE.format(n=board["stale_days"]))
    sheet.write(row, 0, stale)
    sheet.write(row, 1, w(words.STALE_MARK), f.cell("#ffffff", "#1f2328", DASHED))
    sheet.write_number(row, 2, board["stale"])
    sheet.write(row + 1, 0, w(words.OUT))
    sheet.write(row + 1, 1, "", f.of({"match": False}))


def filters_text(board: dict[str, Any], lang: Lang) -> str:
    asked = board["filters"]
    parts = []
    if asked["state"]:
        parts.append(render(asked["state"], lang, DwellingState))
    if asked["block_id"]:
        names = {b["id"]: b["name"] for b in board["blocks"]}
        parts.append(names.get(asked["block_id"], asked["block_id"]))
    if asked["not_surveyed_days"]:
        parts.append(words.NOT_SURVEYED_OVER.format(n=asked["not_surveyed_days"]).render(lang))
    return ("; " if lang == "en" else "；").join(parts) or words.NO_FILTER.render(lang)


def _compound(sheet: Any, compound: dict[str, Any], f: _Formats, lang: Lang) -> None:
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 60, 7)
    sheet.write(0, 0, compound["name"], f.title)
    row = 2
    for building in compound["buildings"]:
        title = f"{building['name']}（{words.DWELLINGS.format(n=building['total']).render(lang)}）"
        sheet.write(row, 0, title, f.bold)
        row += 1
        units = building["units"]
        if any(u["unit"] for u in units):
            column = 1
            for unit in units:
                width = len(unit["doors"])
                name = words.unit_name(unit["unit"], lang)
                if width > 1:
                    sheet.merge_range(row, column, row, column + width - 1, name, f.head)
                else:
                    sheet.write(row, column, name, f.head)
                column += width
            row += 1
        sheet.write(row, 0, words.FLOOR_HEAD.render(lang), f.head)
        doors = [d for unit in units for d in unit["doors"]]
        for n, d in enumerate(doors, start=1):
            sheet.write(row, n, d, f.head)
        for line in building["rows"]:
            row += 1
            sheet.write(row, 0, words.floor_name(line["floor"], lang), f.head)
            for n, cell in enumerate(line["cells"], start=1):
                if cell is not None:
                    sheet.write(row, n, cell["room"], f.of(cell))
        row += 2
    sheet.freeze_panes(1, 1)


def _list(sheet: Any, board: dict[str, Any], f: _Formats, lang: Lang, zone: Any) -> None:
    heads = (
        words.COMPOUND,
        words.BUILDING,
        words.UNIT_HEAD,
        words.FLOOR_HEAD,
        words.ROOM,
        words.USE,
        words.STATE,
        words.OCCUPANTS,
        words.SURVEYED,
        words.IS_STALE,
    )
    for n, head in enumerate(heads):
        sheet.write(0, n, head.render(lang), f.head)
    sheet.set_column(0, 1, 14)
    sheet.set_column(2, 9, 10)
    row = 0
    for compound in board["compounds"]:
        for building in compound["buildings"]:
            for line in building["rows"]:
                for cell in line["cells"]:
                    if cell is None or not cell["match"]:
                        continue
                    row += 1
                    sheet.write_row(
                        row,
                        0,
                        (
                            compound["name"],
                            building["name"],
                            cell["unit"],
                            cell["floor"],
                            cell["room"],
                            render(cell["use"], lang, DwellingUse),
                        ),
                    )
                    sheet.write(row, 6, render(cell["state"], lang, DwellingState), f.of(cell))
                    if cell["occupants"] is not None:
                        sheet.write_number(row, 7, cell["occupants"])
                    sheet.write(row, 8, _when(cell["surveyed_at"], zone))
                    sheet.write(row, 9, words.YES.render(lang) if cell["stale"] else "")
    sheet.autofilter(0, 0, max(row, 1), len(heads) - 1)
    sheet.freeze_panes(1, 0)
