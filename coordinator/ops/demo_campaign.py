"""The demo's survey campaign under way (排摸行动) over the three residential areas, and
today's rounds of the blocks.

The campaign began nine days before the load and runs three weeks. The doors its leaders
(and some deputies) reached in it have their results as `surveys.results.take_result`
writes them: a door found as it was known is confirmed (no new state; the state it was
known in dates from an earlier survey), a door found otherwise is changed or moved out (its
latest history row is the result's, the dwelling's version one higher). Some doors
refused; at some nobody was home one to three times (the revisit list; the area's lead
told at the third). Built from the housing rows (pure), times as days before the load.

Rounds are made when inserted, from the moment of the load in the configured zone: every
block walked about every four hours since the window opened (most proven by the block's
code, one under way), except one walked only at dawn, overdue once the allowed gap has
passed. Before the window opens there are none yet."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.housing.models import BlockRole, DwellingState, DwellingStateChange, DwellingUse
from coordinator.housing.rounds.models import Round
from coordinator.housing.rounds.queries import DEFAULT_RULES
from coordinator.housing.surveys.models import (
    ResultCode,
    SurveyCampaign,
    SurveyCampaignArea,
    SurveyResult,
    SurveyRevisit,
)
from coordinator.labels import label
from coordinator.ops.demo_housing import HousingDemo
from coordinator.platform.settings import Settings

NAME = "2026年冬季居民区房屋全覆盖排摸"
NOTE = "三个居民区每一户、每一间沿街商铺，由块长按走访清单入户核实。"
BEGAN_DAYS, LASTS_DAYS = 9, 21
# Of the doors surveyed in the campaign and found as known, most were confirmed.
CONFIRMED_SHARE = 0.85
REFUSED, NOBODY_HOME = 30, 45
ATTEMPTS = ((1, 50), (2, 30), (3, 20))
# The block walked only at dawn today (by its position among the demo's blocks).
OVERDUE_BLOCK = 2
ROUND_EVERY, ROUND_FIRST = timedelta(minutes=220), timedelta(minutes=15)


@dataclass
class CampaignDemo:
    """The campaign's rows; times as days (and minutes) before the load."""

    campaign: dict[str, Any] = field(default_factory=dict)
    areas: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    revisits: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"survey_results": len(self.results), "survey_revisits": len(self.revisits)}


def build_campaign(seed: int, housing: HousingDemo) -> CampaignDemo:
    """The campaign, its results and revisits; moves the history of the confirmed doors
    to their earlier survey and names the changed ones' results (pure)."""
    rng = random.Random(seed + 22)

    def new_id() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    data = CampaignDemo()
    data.campaign = {"id": new_id(), "name": NAME, "note": NOTE}
    data.areas = [
        {"campaign_id": data.campaign["id"], "area_id": s["area_id"]} for s in housing.surveys
    ]
    block_of = {(u["building_id"], u["unit"]): u["block_id"] for u in housing.units}
    live: dict[tuple[Any, BlockRole], dict[str, Any]] = {
        (p["block_id"], p["role"]): p for p in housing.people if p["until_days"] is None
    }
    last_step = {h["dwelling_id"]: h for h in housing.history}  # in order: the latest wins
    untouched = []
    for dwelling in housing.dwellings:
        block_id = block_of[(dwelling["building_id"], dwelling["unit"])]
        seen = dwelling["surveyed_days"]
        if seen is None or seen >= BEGAN_DAYS:
            untouched.append((dwelling, block_id))
            continue
        role = BlockRole.deputy if rng.random() < 0.25 else BlockRole.leader
        who = live[(block_id, role)]
        step = last_step[dwelling["id"]]
        version = dwelling["version"]
        if step["previous_state"] == DwellingState.unsurveyed and rng.random() < CONFIRMED_SHARE:
            code, base = ResultCode.confirmed, version
            step["set_days"] = seen + 60  # known since an earlier survey
            dwelling["set_days"] = seen + 60
        else:
            code = (
                ResultCode.moved_out
                if step["state"] == DwellingState.vacant
                else ResultCode.changed
            )
            base = version - 1
            step |= {"evidence": f"排摸：{label(code).zh}", "set_by": who["name"]}
            dwelling |= {"evidence": step["evidence"], "state_set_by": who["name"]}
        result = _result(new_id, data, dwelling, block_id, who, code, seen)
        result |= {"state": step["state"], "occupants": dwelling["occupants"]}
        result |= {"base_version": base, "version_after": version}
        if code != ResultCode.confirmed:
            step["result_id"] = result["id"]
    rng.shuffle(untouched)
    for dwelling, block_id in untouched[:REFUSED]:
        who = live[(block_id, BlockRole.leader)]
        _result(new_id, data, dwelling, block_id, who, ResultCode.refused, rng.randint(1, 8))
    homes = [(d, b) for d, b in untouched[REFUSED:] if d["use"] == DwellingUse.residential]
    for dwelling, block_id in homes[:NOBODY_HOME]:
        who = live[(block_id, BlockRole.leader)]
        tries = rng.choices([n for n, _ in ATTEMPTS], [w for _, w in ATTEMPTS])[0]
        days = sorted(rng.sample(range(0, BEGAN_DAYS), tries), reverse=True)
        for attempt, day in enumerate(days, start=1):
            result = _result(new_id, data, dwelling, block_id, who, ResultCode.nobody_home, day)
            result["attempts"] = attempt
        data.revisits.append(
            {"campaign_id": data.campaign["id"], "dwelling_id": dwelling["id"]}
            | {"attempts": tries, "last_days": days[-1], "last_minutes": result["minutes"]}
        )
    return data


def _result(
    new_id: Any,
    data: CampaignDemo,
    dwelling: dict[str, Any],
    block_id: uuid.UUID,
    who: dict[str, Any],
    code: ResultCode,
    days: int,
) -> dict[str, Any]:
    """A result as the walk list sends it: recorded on the phone a little before it came
    in (long before, where it waited for a signal)."""
    version = dwelling.get("version", 1)
    result = {
        "id": new_id(),
        "campaign_id": data.campaign["id"],
        "dwelling_id": dwelling["id"],
        "block_id": block_id,
        "person_id": who["person_id"],
        "code": code,
        "state": None,
        "occupants": None,
        "note": None,
        "base_version": version,
        "version_after": version,
        "applied": code in (ResultCode.confirmed, ResultCode.changed, ResultCode.moved_out),
        "conflict": False,
        "attempts": 0,
        "days": days,
        "minutes": (dwelling["floor"] * 7 + len(data.results)) % 50,
    }
    data.results.append(result)
    return result


def _at(now: datetime, days: int, minutes: int = 0) -> datetime:
    # As demo_housing dates a survey: so a result came in when its dwelling was surveyed.
    return now - timedelta(days=days, hours=days % 9, minutes=minutes)


def rounds(
    housing: HousingDemo, settings: Settings, now: datetime, seed: int
) -> list[dict[str, Any]]:
    """Today's rounds of every block up to now (pure, the moment given)."""
    rng = random.Random(seed + 21)
    _, opens, closes, _ = DEFAULT_RULES  # the demo's areas keep the default rules
    zone = settings.zone
    day: date = now.astimezone(zone).date()
    start = datetime.combine(day, opens, tzinfo=zone)
    end = datetime.combine(day, closes, tzinfo=zone)
    walkers: dict[Any, list[Any]] = {}
    for p in sorted(housing.people, key=lambda p: p["role"] != BlockRole.leader):
        if p["until_days"] is None:
            walkers.setdefault(p["block_id"], []).append(p["person_id"])
    found = []
    for index, block in enumerate(housing.blocks):
        at = start + ROUND_FIRST + timedelta(minutes=rng.randint(0, 25))
        while at < min(now, end):
            leader, deputy = walkers[block["id"]]
            ended = at + timedelta(minutes=rng.randint(30, 55))
            found.append(
                {
                    "block_id": block["id"],
                    "person_id": deputy if rng.random() < 0.2 else leader,
                    "started_at": at,
                    "ended_at": ended if ended <= now else None,
                    "proven": rng.random() < 0.7,
                }
            )
            if index == OVERDUE_BLOCK:
                break
            at += ROUND_EVERY + timedelta(minutes=rng.randint(-15, 15))
    return found


async def insert_campaign(
    session: AsyncSession,
    settings: Settings,
    housing: HousingDemo,
    data: CampaignDemo,
    *,
    now: datetime,
    seed: int,
) -> None:
    """Insert the campaign (after the housing rows), its results and revisits, and
    today's rounds; the results' changes named by the history rows that name them."""
    today = now.astimezone(settings.zone).date()
    began = today - timedelta(days=BEGAN_DAYS)
    campaign = data.campaign | {"starts_on": began, "ends_on": began + timedelta(days=LASTS_DAYS)}
    await session.execute(insert(SurveyCampaign), [campaign])
    await session.execute(insert(SurveyCampaignArea), data.areas)
    rows = []
    for r in data.results:
        received = _at(now, r["days"])
        row = {k: v for k, v in r.items() if k not in ("days", "minutes")}
        recorded = received - timedelta(minutes=r["minutes"])
        rows.append(row | {"received_at": received, "recorded_at": recorded})
    await session.execute(insert(SurveyResult), rows)
    told = settings.survey_revisit_alert_after
    revisits = []
    for v in data.revisits:
        last = _at(now, v["last_days"], v["last_minutes"])
        row = {k: v[k] for k in ("campaign_id", "dwelling_id", "attempts")}
        told_at = _at(now, v["last_days"]) if v["attempts"] >= told else None
        revisits.append(row | {"last_attempt_at": last, "lead_told_at": told_at})
    await session.execute(insert(SurveyRevisit), revisits)
    await session.execute(
        update(SurveyResult)
        .where(DwellingStateChange.result_id == SurveyResult.id)
        .values(change_id=DwellingStateChange.id)
    )
    found = rounds(housing, settings, now, seed)
    if found:
        await session.execute(insert(Round), found)
