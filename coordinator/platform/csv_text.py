"""CSV as spreadsheet programs read it: UTF-8 with a BOM (so the Chinese text reads
right), a header row, CRLF line ends, nothing for null, yes or no for booleans, times in
the zone given, and no cell that would run as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime, tzinfo
from typing import Any


def csv_text(
    header: Sequence[str], rows: Iterable[Sequence[Any]], zone: tzinfo | None = None
) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(value, zone) for value in row])
    return out.getvalue()


def cell(value: Any, zone: tzinfo | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return (value.astimezone(zone) if zone else value).isoformat()
    if isinstance(value, int | float):
        return str(value)
    text = str(getattr(value, "value", value))
    # Keep spreadsheet programs from running formulas typed into free text.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
