"""Capability links: hashed, bound to a purpose, expiring, revocable, audited."""

import uuid
from datetime import timedelta

from sqlalchemy import select

from coordinator.links.models import CapabilityLink, LinkUse
from coordinator.links.service import (
    csrf_ok,
    csrf_token,
    hash_token,
    issue_link,
    record_use,
    resolve,
    revoke_for_subject,
)
from coordinator.platform.db import utcnow


async def test_token_is_long_random_and_stored_only_as_hash(database):
    async with database.sessionmaker.begin() as session:
        subject = uuid.uuid4()
        link, token = await issue_link(
            session,
            purpose="visit",
            subject_type="visit",
            subject_id=subject,
            actions=["confirm"],
            expires_at=None,
        )
        assert len(token) >= 43  # 256 bits in URL-safe base64
        stored = await session.scalar(select(CapabilityLink).where(CapabilityLink.id == link.id))
        assert stored.token_hash == hash_token(token)
        assert token.encode() not in repr(stored.__dict__).encode()
        assert (await resolve(session, token, purpose="visit")).id == link.id


async def test_wrong_purpose_expired_revoked_and_garbage_resolve_to_nothing(database):
    async with database.sessionmaker.begin() as session:
        subject = uuid.uuid4()
        _, live = await issue_link(
            session,
            purpose="visit",
            subject_type="visit",
            subject_id=subject,
            actions=["confirm"],
            expires_at=utcnow() + timedelta(hours=1),
        )
        _, expired = await issue_link(
            session,
            purpose="visit",
            subject_type="visit",
            subject_id=uuid.uuid4(),
            actions=["confirm"],
            expires_at=utcnow() - timedelta(seconds=1),
        )
        assert await resolve(session, live, purpose="me") is None
        assert await resolve(session, expired, purpose="visit") is None
        assert await resolve(session, "x" * 500, purpose="visit") is None
        assert await resolve(session, "", purpose="visit") is None
        assert await revoke_for_subject(session, subject_type="visit", subject_id=subject) == 1
        assert await resolve(session, live, purpose="visit") is None


async def test_every_use_is_recorded(database):
    async with database.sessionmaker.begin() as session:
        link, _ = await issue_link(
            session,
            purpose="visit",
            subject_type="visit",
            subject_id=uuid.uuid4(),
            actions=["confirm"],
            expires_at=None,
        )
        record_use(
            session,
            link,
            action="confirm",
            old_state="proposed",
            new_state="confirmed",
            ip="127.0.0.1",
            user_agent="Mozilla/5.0",
        )
        await session.flush()
        use = await session.scalar(select(LinkUse).where(LinkUse.link_id == link.id))
        assert (use.action, use.old_state, use.new_state, use.ip) == (
            "confirm",
            "proposed",
            "confirmed",
            "127.0.0.1",
        )
        assert link.last_used_at is not None


def test_csrf_token_is_bound_to_the_link_and_the_key():
    link_id = uuid.uuid4()
    token = csrf_token("k" * 32, link_id)
    assert csrf_ok("k" * 32, link_id, token)
    assert not csrf_ok("k" * 32, uuid.uuid4(), token)
    assert not csrf_ok("j" * 32, link_id, token)
    assert not csrf_ok("k" * 32, link_id, None)
