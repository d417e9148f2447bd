"""The words of the case reports, Chinese first: column heads of the CSV and the page."""

from __future__ import annotations

from coordinator.platform.i18n import Text as T

# A department's figures, in the order tables show them.
FIGURES: dict[str, T] = {
    "received": T("接收任务", "Tasks received"),
    "closed": T("办结任务", "Tasks done"),
    "on_time": T("按时办结", "Done on time"),
    "late": T("超时办结", "Done late"),
    "overdue_open": T("逾期未办结", "Open past due"),
    "overdue": T("逾期合计", "Overdue in all"),
    "on_time_rate": T("按时办结率（%）", "On-time rate (%)"),
    "median_accept_hours": T("受理用时中位数（小时）", "Median hours to accept"),
    "median_close_hours": T("办结用时中位数（小时）", "Median hours to close"),
    "reopened": T("重新办理案件", "Cases reopened"),
}

MONTH = T("月份", "Month")
DEPARTMENT = T("部门", "Department")
KIND = T("部门类型", "Kind")
TOTAL = T("全街道合计", "Subdistrict total")
PLACE_KIND = T("统计对象", "Place")
BUILDING = T("楼宇", "Building")
AREA = T("区域", "Area")
NAME = T("名称", "Name")
IN_AREA = T("所属区域", "Area")
OPEN = T("未结案件", "Open cases")
OVERDUE = T("其中逾期", "Of them overdue")
NO_BUILDING = T("未关联楼宇", "No building")
NO_AREA = T("未关联区域", "No area")

# The page: its title and its charts.
PAGE_TITLE = T("联动案件统计", "Joint case figures")
RECEIVED_CLOSED = T("各部门接收与办结任务", "Tasks received and done, by department")
ON_TIME_RATE = T("各部门按时办结率（%）", "Share of tasks done on time, by department (%)")
MEDIANS = T("各部门用时中位数（小时）", "Median hours, by department")
TO_ACCEPT = T("受理", "To accept")
TO_CLOSE = T("办结", "To close")
OVERDUE_TASKS = T("各部门逾期任务", "Overdue tasks, by department")
TOP_BUILDINGS = T("未结案件最多的楼宇（前 {n} 个）", "Buildings with the most open cases (top {n})")
BY_AREA = T("各区域未结案件", "Open cases, by area")
NOT_OVERDUE = T("未逾期", "Not overdue")
