"""The board as a spreadsheet, read back with openpyxl: the same grid as the page, each
cell filled with its state's colour from the legend, stale ones in a dashed frame, the
filters' choice kept, a legend sheet and a list of the dwellings."""

from __future__ import annotations

import io

import openpyxl

from coordinator.auth.models import Role


def fill(cell) -> str:  # type: ignore[no-untyped-def]
    """The cell's fill as #rrggbb (openpyxl reads ARGB)."""
    return "#" + str(cell.fill.fgColor.rgb)[-6:].lower()


async def workbook(api, path: str):  # type: ignore[no-untyped-def]
    answer = await api.get(path, role=Role.viewer)
    assert answer.status == 200, await answer.text()
    assert answer.content_type == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert answer.headers["Content-Disposition"].startswith('attachment; filename="dwelling-board-')
    return openpyxl.load_workbook(io.BytesIO(await answer.read()))


def find(sheet, value: str, below: int = 0):  # type: ignore[no-untyped-def]
    for row in sheet.iter_rows(min_row=below + 1):
        for cell in row:
            if cell.value == value:
                return cell
    raise AssertionError(value)


async def test_the_spreadsheet_carries_the_legends_colours(api, scene):
    colours = {
        i["state"]: i["colour"] for i in (await api.ok("GET", "/api/v1/dwelling-colours"))["items"]
    }
    book = await workbook(api, f"/api/v1/areas/{scene.area.id}/board.xlsx")
    assert book.sheetnames == ["图例", "梧桐小区", "南京西路沿街", "清单"]

    legend = book["图例"]
    assert legend["A1"].value == "梧桐里居民区 · 房屋排查表"
    label = find(legend, "疑似群租")
    swatch = legend.cell(row=label.row, column=2)
    assert swatch.value == colours["suspected_group_rental"]
    assert fill(swatch) == colours["suspected_group_rental"]
    assert legend.cell(row=label.row, column=3).value == 1

    court = book["梧桐小区"]
    title = find(court, "1号楼（12户）")
    assert [c.value for c in court[title.row + 1]][:5] == [None, "1单元", None, "2单元", None]
    heads = [c.value for c in court[title.row + 2]][:5]
    assert heads == ["楼层", "01", "02", "01", "02"]
    top = court[title.row + 3]
    assert [c.value for c in top[:5]] == ["3层", "301", "302", "301", "302"]
    assert fill(top[1]) == colours["suspected_group_rental"]
    assert fill(top[2]) == colours["unsurveyed"]
    assert fill(top[4]) == colours["owner_occupied"]
    assert top[1].border.left.style == "thin"
    stale = court.cell(row=title.row + 4, column=2)  # 201 in unit 1, seen 40 days ago
    assert (stale.value, fill(stale)) == ("201", colours["rented_whole"])
    assert stale.border.left.style == "dashed"

    listing = book["清单"]
    assert [c.value for c in listing[1]][:7] == [
        "小区",
        "楼栋",
        "单元",
        "楼层",
        "房号",
        "用途",
        "状态",
    ]
    assert listing.max_row == 1 + 18
    shop = find(listing, "1号")
    row = [c.value for c in listing[shop.row]]
    assert row[:7] == ["南京西路沿街", "沿街商铺", None, 1, "1号", "沿街商铺", "整租"]
    assert fill(listing.cell(row=shop.row, column=7)) == colours["rented_whole"]


async def test_the_spreadsheet_keeps_the_filters_choice_and_speaks_english(api, scene):
    book = await workbook(
        api, f"/api/v1/areas/{scene.area.id}/board.xlsx?state=rented_whole&lang=en"
    )
    assert book.sheetnames == ["Legend", "梧桐小区", "南京西路沿街", "List"]
    assert find(book["Legend"], "Filters").offset(column=1).value == "rented whole"
    court = book["梧桐小区"]
    assert [s for s in (c.value for c in court["A"]) if s and "号楼" in str(s)] == [
        "1号楼（12 dwellings）"
    ]
    title = find(court, "1号楼（12 dwellings）")
    top = court[title.row + 3]
    assert top[0].value == "Floor 3"
    assert fill(top[1]) == "#ffffff"  # not picked: left white
    assert [c.value for c in book["List"]["E"]][1:] == ["201", "1号"]
