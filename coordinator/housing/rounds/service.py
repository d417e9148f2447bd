"""What a block leader does through their link, whatever the HTTP: start a round of one
of their blocks and end it, proven when the block's code came with it (the QR posted at
the block). Each in one transaction with its audit row (as the link, `link:{id}`), its
event and the record of the link's use; one open round per block and person, by the
database, so two taps at once start one round."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record
from coordinator.auth.models import Role
from coordinator.auth.service import Principal
from coordinator.housing.leaders import PURPOSE, holder, live_blocks
from coordinator.housing.models import AreaSurvey, Block
from coordinator.housing.rounds import qr
from coordinator.housing.rounds.events import round_event
from coordinator.housing.rounds.models import Round
from coordinator.housing.rounds.queries import rules_of
from coordinator.housing.rounds.window import day_of, window_of
from coordinator.links.service import csrf_ok, record_use, resolve
from coordinator.people.models import Person
from coordinator.platform.db import Database, utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.settings import Settings

_CSRF = Text("页面已过期，请刷新后重试", "The page has expired: reload it and try again")
_NOT_YOURS = Text("该块不存在或不由您负责", "No such block in your care")
BAD_CODE = Text(
    "二维码无效，请扫描张贴在本块的二维码",
    "That code is not this block's: scan the one posted here",
)
_OPEN = Text(
    "本块已有您进行中的巡查，请先结束", "You have a round of this block under way: end it first"
)
_NONE_OPEN = Text("本块没有您进行中的巡查", "You have no round of this block under way")


def _outside(opens: str, closes: str) -> Text:
    return Text(
        f"不在本居民区的巡查时段（{opens}–{closes}）",
        f"Outside the area's hours for rounds ({opens}–{closes})",
    )


@dataclass(frozen=True)
class Asked:
    """An action asked through the page, as the form gave it."""

    token: str
    action: str  # start | end
    csrf: str | None
    block_id: uuid.UUID | None
    code: str | None = None
    ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True)
class Outcome:
    """The link is no good, or a refusal to show (its words and status), or what was done."""

    invalid: bool = False
    error: Text | None = None
    status: int = 200
    done: str | None = None


class _Refused(Exception):
    def __init__(self, error: Text, status: int) -> None:
        self.error, self.status = error, status


class _Revoked(Exception):
    """The link stopped working while its action ran."""


async def my_block(
    session: AsyncSession, person_id: uuid.UUID, block_id: uuid.UUID
) -> Block | None:
    """The block, if the person leads or deputises it now."""
    block: Block | None = await session.scalar(
        live_blocks(person_id).with_only_columns(Block).where(Block.id == block_id)
    )
    return block


def _snapshot(round_: Round) -> dict[str, object]:
    return {
        "block_id": str(round_.block_id),
        "person_id": str(round_.person_id),
        "started_at": round_.started_at.isoformat(),
        "ended_at": round_.ended_at.isoformat() if round_.ended_at else None,
        "proven": round_.proven,
    }


async def start_round(
    session: AsyncSession,
    actor: Principal,
    person: Person,
    block: Block,
    *,
    proven: bool,
    now: datetime,
    settings: Settings,
) -> Round:
    """A new open round of the block by the person, within the area's window."""
    survey = await session.get(AreaSurvey, block.area_id)
    _, opens, closes, _ = rules_of(survey)
    window = window_of(day_of(now, settings.zone), opens, closes, settings.zone)
    if not window.holds(now):
        raise _Refused(_outside(f"{opens:%H:%M}", f"{closes:%H:%M}"), 409)
    open_ = await session.scalar(
        select(Round.id).where(
            Round.block_id == block.id, Round.person_id == person.id, Round.ended_at.is_(None)
        )
    )
    if open_ is not None:
        raise _Refused(_OPEN, 409)
    round_ = Round(block_id=block.id, person_id=person.id, started_at=now, proven=proven)
    session.add(round_)
    await session.flush()  # a start at the same moment meets the unique index here
    record(
        session=session,
        actor=actor,
        action="create",
        entity_type="round",
        entity_id=round_.id,
        after=_snapshot(round_),
    )
    round_event(session, "round.started", round_, block, actor=actor.name)
    return round_


async def end_round(
    session: AsyncSession,
    actor: Principal,
    person: Person,
    block: Block,
    *,
    proven: bool,
    now: datetime,
) -> Round:
    """The person's open round of the block, ended now."""
    round_ = await session.scalar(
        select(Round)
        .where(Round.block_id == block.id, Round.person_id == person.id, Round.ended_at.is_(None))
        .with_for_update()
    )
    if round_ is None:
        raise _Refused(_NONE_OPEN, 409)
    before = _snapshot(round_)
    round_.ended_at = max(now, round_.started_at)
    round_.proven = round_.proven or proven
    record(
        session=session,
        actor=actor,
        action="update",
        entity_type="round",
        entity_id=round_.id,
        before=before,
        after=_snapshot(round_),
    )
    round_event(session, "round.completed", round_, block, actor=actor.name)
    return round_


async def act(
    database: Database, settings: Settings, asked: Asked, now: datetime | None = None
) -> Outcome:
    """Do what the page asked, as the link's holder, if the block is theirs."""
    now = now or utcnow()
    async with database.session() as session:
        found = await holder(session, asked.token)
    if found is None:
        return Outcome(invalid=True)
    link, person = found
    if not csrf_ok(settings.secret_key, link.id, asked.csrf):
        return Outcome(error=_CSRF, status=403)
    actor = Principal(token_id=None, name=f"link:{link.id}", role=Role.viewer)
    try:
        async with database.sessionmaker.begin() as session:
            block = await my_block(session, person.id, asked.block_id) if asked.block_id else None
            if block is None:
                raise _Refused(_NOT_YOURS, 404)
            if asked.code is not None and not qr.code_ok(block, asked.code):
                raise _Refused(BAD_CODE, 422)
            proven = asked.code is not None
            if asked.action == "start":
                await start_round(
                    session, actor, person, block, proven=proven, now=now, settings=settings
                )
                states: tuple[str | None, str] = (None, "open")
            else:
                await end_round(session, actor, person, block, proven=proven, now=now)
                states = ("open", "ended")
            live = await resolve(session, asked.token, purpose=PURPOSE)
            if live is None:  # revoked meanwhile: nothing of it stays
                raise _Revoked
            record_use(
                session,
                live,
                action=asked.action,
                old_state=states[0],
                new_state=states[1],
                ip=asked.ip,
                user_agent=asked.user_agent,
            )
    except _Revoked:
        return Outcome(invalid=True)
    except _Refused as refused:
        return Outcome(error=refused.error, status=refused.status)
    except IntegrityError:  # the same round started twice at once: the first one stands
        return Outcome(error=_OPEN, status=409)
    return Outcome(done=asked.action)
