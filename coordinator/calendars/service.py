"""Issuing, listing, rotating and revoking feed tokens."""

from __future__ import annotations

import secrets
import uuid
from urllib.parse import quote

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record
from coordinator.auth.service import Principal
from coordinator.calendars.models import FeedToken
from coordinator.calendars.schemas import FeedIssued, FeedOut, FeedUrls
from coordinator.links.service import hash_token
from coordinator.people.models import Person, Team, TeamMember
from coordinator.platform.db import utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.problems import FieldError, ValidationFailed, not_found
from coordinator.platform.resources import get_or_404

TOKEN_BYTES = 32  # 256 bits
FEED = Text("日历订阅", "calendar feed")
TEAM = Text("团队", "team")
PERSON = Text("人员", "person")


def feed_urls(base_url: str, token: str) -> FeedUrls:
    """The https:// and webcal:// forms of a feed, and Google Calendar's add-by-URL link."""
    https = f"{base_url.rstrip('/')}/cal/{token}.ics"
    webcal = "webcal://" + https.split("://", 1)[1]
    google = "https://calendar.google.com/calendar/render?cid=" + quote(webcal, safe="")
    return FeedUrls(https=https, webcal=webcal, google=google)


def _snapshot(feed: FeedToken) -> dict[str, object]:
    return {
        "team_id": str(feed.team_id) if feed.team_id else None,
        "person_id": str(feed.person_id),
        "label": feed.label,
    }


async def _audited(session: AsyncSession, actor: Principal, feed: FeedToken, action: str) -> None:
    """Write the feed's change and its audit entry: whose feed it is and its label, after
    the change (before it, for a revocation). The token is never in the log."""
    await session.flush()
    side = "before" if action == "revoke" else "after"
    record(
        session=session,
        actor=actor,
        action=action,
        entity_type="feed",
        entity_id=feed.id,
        **{side: _snapshot(feed)},
    )


async def _with_new_token(
    session: AsyncSession, actor: Principal, feed: FeedToken, action: str, base_url: str
) -> FeedIssued:
    """A new secret for the feed (issued or rotated), written and audited; its URLs in
    clear this once."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed.token_hash = hash_token(token)
    await _audited(session, actor, feed, action)
    return FeedIssued(**FeedOut.model_validate(feed).model_dump(), urls=feed_urls(base_url, token))


async def issue_feed(
    *,
    session: AsyncSession,
    actor: Principal,
    base_url: str,
    person_id: uuid.UUID,
    label: str,
    team_id: uuid.UUID | None = None,
) -> FeedIssued:
    """A new token for a team feed (to a member) or a personal feed, in clear this once."""
    if team_id is not None:
        await get_or_404(session, Team, team_id, TEAM)
        member = await session.scalar(
            select(exists().where(TeamMember.team_id == team_id, TeamMember.person_id == person_id))
        )
        if not member:
            message = Text("该人员不是团队成员", "the person is not a member of the team")
            raise ValidationFailed(message, errors=[FieldError("person_id", message)])
    else:
        await get_or_404(session, Person, person_id, PERSON)
    feed = FeedToken(team_id=team_id, person_id=person_id, label=label)
    session.add(feed)
    return await _with_new_token(session, actor, feed, "create", base_url)


async def list_feeds(
    *, session: AsyncSession, team_id: uuid.UUID | None = None, person_id: uuid.UUID | None = None
) -> list[FeedToken]:
    """A team's feed tokens, or a person's personal ones, newest first (revoked included)."""
    if team_id is not None:
        await get_or_404(session, Team, team_id, TEAM)
        where = FeedToken.team_id == team_id
    else:
        await get_or_404(session, Person, person_id, PERSON)  # type: ignore[arg-type]
        where = (FeedToken.person_id == person_id) & FeedToken.team_id.is_(None)
    rows = await session.scalars(
        select(FeedToken).where(where).order_by(FeedToken.created_at.desc(), FeedToken.id)
    )
    return list(rows)


async def get_feed(
    *,
    session: AsyncSession,
    feed_id: uuid.UUID,
    team_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
) -> FeedToken:
    """One of a team's feed tokens, or one of a person's personal ones (revoked included)."""
    feed = await session.get(FeedToken, feed_id)
    if feed is None or not _owned(feed, team_id, person_id):
        raise not_found(FEED)
    return feed


def _owned(feed: FeedToken, team_id: uuid.UUID | None, person_id: uuid.UUID | None) -> bool:
    """One of the team's feeds, or (no team given) one of the person's personal ones."""
    if team_id is not None:
        return feed.team_id == team_id
    return feed.team_id is None and feed.person_id == person_id


async def _live_feed(
    session: AsyncSession,
    feed_id: uuid.UUID,
    team_id: uuid.UUID | None,
    person_id: uuid.UUID | None,
) -> FeedToken:
    feed = await session.scalar(select(FeedToken).where(FeedToken.id == feed_id).with_for_update())
    if feed is None or not _owned(feed, team_id, person_id) or feed.revoked_at is not None:
        raise not_found(FEED)
    return feed


async def rotate_feed(
    *,
    session: AsyncSession,
    actor: Principal,
    base_url: str,
    feed_id: uuid.UUID,
    team_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
) -> FeedIssued:
    """A new token for the same subscription; the old URL answers 404 from now on."""
    feed = await _live_feed(session, feed_id, team_id, person_id)
    feed.rotated_at = utcnow()
    return await _with_new_token(session, actor, feed, "rotate", base_url)


async def revoke_feed(
    *,
    session: AsyncSession,
    actor: Principal,
    feed_id: uuid.UUID,
    team_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
) -> None:
    """The URL answers 404 from now on; the row stays, listed as revoked."""
    feed = await _live_feed(session, feed_id, team_id, person_id)
    feed.revoked_at = utcnow()
    await _audited(session, actor, feed, "revoke")
