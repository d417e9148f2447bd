"""The board laid out as the paper table reads (pure: rows in, a nested dict out).

Per compound, per building, a grid: a row per floor (the top floor first) and a column per
unit and door. A room numbered after its floor ("301" on the third floor) takes its door
("01") as its column, so 301, 401 and 501 stand one above the other; any other room
number is its own column."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from coordinator.housing.models import DwellingState
from coordinator.labels import label

# The order of a cell's fields in the statement's arrays (service.BOARD).
(
    COMPOUND_ID,
    COMPOUND_NAME,
    COMPOUND_KIND,
    BUILDING_ID,
    BUILDING_NAME,
    ID,
    UNIT,
    FLOOR,
    ROOM,
    USE,
    STATE,
    OCCUPANTS,
    SURVEYED_AT,
    BLOCK_ID,
    STALE,
    MATCH,
    COMPOUND_POSITION,
    BUILDING_POSITION,
) = range(18)
NO_COLOUR = "#ffffff"
_DIGITS = re.compile(r"(\d+)")


def natural(value: str) -> tuple[Any, ...]:
    """Sort "2" before "10", and "1单元" before "2单元"."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in _DIGITS.split(value) if p)


def ink(colour: str) -> str:
    """Black or white, whichever reads better on `colour` (relative luminance)."""
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    lum = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return "#1f2328" if lum > 0.5 else "#ffffff"


def door(floor: int, room: str) -> str:
    prefix = str(floor)
    if floor > 0 and room.startswith(prefix) and room[len(prefix) :].isdigit():
        return room[len(prefix) :]
    return room


def lay_out(
    *,
    area: dict[str, Any],
    stale_days: int,
    legend: list[list[Any]],
    blocks: list[list[Any]],
    cells: list[list[Any]],
    filters: dict[str, Any],
    filtered: bool,
    as_of: datetime,
) -> dict[str, Any]:
    colours = {state: colour for state, colour in legend}
    counts = {state: [0, 0] for state in colours}
    compounds: list[dict[str, Any]] = []
    building: list[list[Any]] = []
    total = shown = stale = 0
    for row in cells:
        total += 1
        shown += row[MATCH]
        stale += row[STALE]
        tally = counts.setdefault(row[STATE], [0, 0])
        tally[0] += 1
        tally[1] += row[MATCH]
        if building and building[0][BUILDING_ID] != row[BUILDING_ID]:
            _add(compounds, building, colours, filtered)
            building = []
        building.append(row)
    if building:
        _add(compounds, building, colours, filtered)
    compounds.sort(key=lambda c: (c.pop("position"), natural(c["name"])))
    for compound in compounds:
        compound["buildings"].sort(key=lambda b: (b.pop("position"), natural(b["name"])))
    return {
        "area": area,
        "as_of": as_of.isoformat(),
        "stale_days": stale_days,
        "filters": filters,
        "legend": [_key(state, colours.get(state), tally) for state, tally in counts.items()],
        "blocks": [{"id": block_id, "name": name} for block_id, name in blocks],
        "total": total,
        "shown": shown,
        "stale": stale,
        "compounds": compounds,
    }


def _key(state: str, colour: str | None, tally: list[int]) -> dict[str, Any]:
    words = label(DwellingState(state))
    colour = colour or NO_COLOUR
    return {
        "state": state,
        "label": words.zh,
        "label_en": words.en,
        "colour": colour,
        "ink": ink(colour),
        "total": tally[0],
        "shown": tally[1],
    }


def _add(
    compounds: list[dict[str, Any]],
    rows: list[list[Any]],
    colours: dict[str, str],
    filtered: bool,
) -> None:
    """One building's grid, under its compound (the rows come compound by compound)."""
    shown = sum(1 for row in rows if row[MATCH])
    if filtered and not shown:
        return
    first = rows[0]
    if not compounds or compounds[-1]["id"] != first[COMPOUND_ID]:
        compounds.append(
            {
                "id": first[COMPOUND_ID],
                "name": first[COMPOUND_NAME],
                "kind": first[COMPOUND_KIND],
                "buildings": [],
                "position": first[COMPOUND_POSITION],
            }
        )
    counts = {"total": len(rows), "shown": shown, "position": first[BUILDING_POSITION]}
    compounds[-1]["buildings"].append(grid(rows, colours) | counts)


def grid(rows: list[list[Any]], colours: dict[str, str]) -> dict[str, Any]:
    """A building's cells as floors (top first) × columns (unit, door)."""
    placed: dict[tuple[int, str, str], dict[str, Any]] = {}
    for row in rows:
        cell = _cell(row, colours)
        key = (row[FLOOR], row[UNIT], door(row[FLOOR], row[ROOM]))
        if key in placed:  # two rooms of one floor read as the same door: keep both whole
            other = placed.pop(key)
            placed[(other["floor"], other["unit"], other["room"])] = other
            key = (row[FLOOR], row[UNIT], row[ROOM])
        placed[key] = cell
    columns = sorted({(u, d) for _, u, d in placed}, key=lambda c: (natural(c[0]), natural(c[1])))
    floors = sorted({floor for floor, _, _ in placed}, reverse=True)
    units: list[dict[str, Any]] = []
    for unit, d in columns:
        if not units or units[-1]["unit"] != unit:
            units.append({"unit": unit, "doors": []})
        units[-1]["doors"].append(d)
    return {
        "id": rows[0][BUILDING_ID],
        "name": rows[0][BUILDING_NAME],
        "units": units,
        "rows": [
            {"floor": floor, "cells": [placed.get((floor, unit, d)) for unit, d in columns]}
            for floor in floors
        ],
    }


def _cell(row: list[Any], colours: dict[str, str]) -> dict[str, Any]:
    return {
        "id": row[ID],
        "unit": row[UNIT],
        "floor": row[FLOOR],
        "room": row[ROOM],
        "use": row[USE],
        "state": row[STATE],
        "colour": colours.get(row[STATE], NO_COLOUR),
        "occupants": row[OCCUPANTS],
        "surveyed_at": row[SURVEYED_AT],
        "block_id": row[BLOCK_ID],
        "stale": row[STALE],
        "match": row[MATCH],
    }
