"""The case reports as CSV (UTF-8 with a BOM, heads in the reader's language)."""

from __future__ import annotations

from typing import Any

from coordinator.cases.models import OPEN_STATES, CaseStatus
from coordinator.cases.reports import words
from coordinator.cases.reports.service import department_table
from coordinator.labels import label
from coordinator.platform.csv_text import csv_text
from coordinator.platform.i18n import Lang


def departments_csv(report: dict[str, Any], lang: Lang) -> str:
    header = [
        words.MONTH.render(lang),
        words.DEPARTMENT.render(lang),
        words.KIND.render(lang),
        *(text.render(lang) for text in words.FIGURES.values()),
    ]
    rows = []
    for row in department_table(report):
        figures = [row[key] for key in words.FIGURES]
        rate = row["on_time_rate"]
        figures[list(words.FIGURES).index("on_time_rate")] = (
            None if rate is None else round(rate * 100, 1)
        )
        rows.append(
            [
                report["month"],
                row["name"] or words.TOTAL.render(lang),
                label(row["kind"]).render(lang) if row["kind"] else "",
                *figures,
            ]
        )
    return csv_text(header, rows)


def places_csv(report: dict[str, Any], lang: Lang) -> str:
    """A row per building, per area and for the subdistrict: open cases, overdue, by state
    and one column per category."""
    categories: dict[str, str] = {}
    for category in report["total"]["by_category"]:
        name = category["name_en"] if lang == "en" and category["name_en"] else category["name"]
        categories[category["code"]] = name
    header = [
        words.PLACE_KIND.render(lang),
        words.NAME.render(lang),
        words.IN_AREA.render(lang),
        words.OPEN.render(lang),
        words.OVERDUE.render(lang),
        *(label(CaseStatus(s)).render(lang) for s in OPEN_STATES),
        *categories.values(),
    ]

    def line(kind: str, name: str, area: str | None, figures: dict[str, Any]) -> list[Any]:
        by_category = {c["code"]: c["open"] for c in figures["by_category"]}
        return [
            kind,
            name,
            area,
            figures["open"],
            figures["overdue"],
            *(figures["by_status"].get(s, 0) for s in OPEN_STATES),
            *(by_category.get(code, 0) for code in categories),
        ]

    building, area = words.BUILDING.render(lang), words.AREA.render(lang)
    rows = [
        line(building, b["name"] or words.NO_BUILDING.render(lang), b["area_name"], b)
        for b in report["buildings"]
    ]
    rows += [line(area, a["name"] or words.NO_AREA.render(lang), None, a) for a in report["areas"]]
    rows.append(line(words.TOTAL.render(lang), words.TOTAL.render(lang), None, report["total"]))
    return csv_text(header, rows)
