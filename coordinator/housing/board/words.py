"""The words of the colour board, Chinese first: the page, the spreadsheet."""

from __future__ import annotations

from coordinator.platform.i18n import Lang
from coordinator.platform.i18n import Text as T

TITLE = T("房屋排查表", "Dwelling survey board")
LEGEND = T("图例", "Legend")
LIST = T("清单", "List")
FLOOR = T("{n}层", "Floor {n}")
BASEMENT = T("地下{n}层", "Basement {n}")
DWELLINGS = T("{n}户", "{n} dwellings")
STALE = T("超过{n}天未排摸", "Not surveyed for over {n} days")
STALE_MARK = T("虚线框", "Dashed frame")
OUT = T("不符合筛选条件", "Not picked by the filters")
TOTAL = T("合计", "Total")
SHOWN = T("符合筛选", "Picked")
AREA = T("居民区", "Area")
AS_OF = T("统计时间", "As of")
FILTERS = T("筛选条件", "Filters")
NO_FILTER = T("无", "none")
STATE = T("状态", "State")
BLOCK = T("块", "Block")
NOT_SURVEYED = T("未排摸天数", "Not surveyed for days")
NOT_SURVEYED_OVER = T("超过{n}天未排摸", "not surveyed for over {n} days")
COLOUR = T("颜色", "Colour")
COMPOUND = T("小区", "Compound")
BUILDING = T("楼栋", "Building")
UNIT_HEAD = T("单元", "Unit")
FLOOR_HEAD = T("楼层", "Floor")
ROOM = T("房号", "Room")
USE = T("用途", "Use")
OCCUPANTS = T("居住人数", "Occupants")
SURVEYED = T("上次排摸", "Last surveyed")
IS_STALE = T("待复查", "Stale")
YES = T("是", "yes")
ANY_STATE = T("全部状态", "Every state")
ANY_BLOCK = T("全部块", "Every block")
EMPTY = T("没有符合条件的房屋。", "No dwelling matches.")


def floor_name(floor: int, lang: Lang) -> str:
    if floor < 0:
        return BASEMENT.format(n=-floor).render(lang)
    return FLOOR.format(n=floor).render(lang)


def unit_name(unit: str, lang: Lang) -> str:
    """ "1" reads 1单元 (Unit 1); a unit already named ("东单元") stays as it is."""
    if unit.isdigit():
        return f"Unit {unit}" if lang == "en" else f"{unit}单元"
    return unit
