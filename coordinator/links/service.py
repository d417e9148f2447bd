"""Issuing, resolving and revoking capability links, and recording their use."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.links.models import CapabilityLink, LinkUse
from coordinator.platform.db import utcnow

TOKEN_BYTES = 32  # 256 bits


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def issue_link(
    session: AsyncSession,
    *,
    purpose: str,
    subject_type: str,
    subject_id: uuid.UUID,
    actions: Iterable[str],
    expires_at: datetime | None,
    holder_type: str | None = None,
    holder_id: uuid.UUID | None = None,
) -> tuple[CapabilityLink, str]:
    """Store a new link and return it with its token, in clear this once."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = CapabilityLink(
        token_hash=hash_token(token),
        purpose=purpose,
        subject_type=subject_type,
        subject_id=subject_id,
        holder_type=holder_type,
        holder_id=holder_id,
        actions=sorted(set(actions)),
        expires_at=expires_at,
    )
    session.add(link)
    await session.flush()
    return link, token


def token_digest(token: str) -> bytes | None:
    """What a link's row holds for a token, or None for a token no link can have."""
    if not token or len(token) > 100:
        return None
    return hash_token(token)


def is_live(link: CapabilityLink, now: datetime | None = None) -> bool:
    """Neither revoked nor expired."""
    if link.revoked_at is not None:
        return False
    return link.expires_at is None or link.expires_at > (now or utcnow())


async def resolve(
    session: AsyncSession, token: str, *, purpose: str, lock: bool = False
) -> CapabilityLink | None:
    """The live link for a token, or None if unknown, malformed, expired or revoked —
    the caller answers all of these alike. (A page that reads its subject's rows with the
    link, in one query, uses `token_digest` and `is_live` the same way.)"""
    digest = token_digest(token)
    if digest is None:
        return None
    stmt = select(CapabilityLink).where(
        CapabilityLink.token_hash == digest, CapabilityLink.purpose == purpose
    )
    if lock:
        stmt = stmt.with_for_update()
    link = await session.scalar(stmt)
    return link if link is not None and is_live(link) else None


async def revoke_for_subject(
    session: AsyncSession, *, subject_type: str, subject_id: uuid.UUID, purpose: str | None = None
) -> int:
    """Revoke every live link to a subject (e.g. when a visit is moved or cancelled)."""
    stmt = (
        update(CapabilityLink)
        .where(
            CapabilityLink.subject_type == subject_type,
            CapabilityLink.subject_id == subject_id,
            CapabilityLink.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    if purpose is not None:
        stmt = stmt.where(CapabilityLink.purpose == purpose)
    result = await session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)


def record_use(
    session: AsyncSession,
    link: CapabilityLink,
    *,
    action: str,
    old_state: str | None,
    new_state: str | None,
    ip: str | None,
    user_agent: str | None,
) -> None:
    link.last_used_at = utcnow()
    session.add(
        LinkUse(
            link_id=link.id,
            action=action,
            old_state=old_state,
            new_state=new_state,
            ip=(ip or "")[:64] or None,
            user_agent=(user_agent or "")[:300] or None,
        )
    )


def csrf_token(secret_key: str, link_id: uuid.UUID) -> str:
    """A form token bound to the link, checked on every POST."""
    return hmac.new(secret_key.encode(), f"csrf:{link_id}".encode(), hashlib.sha256).hexdigest()


def csrf_ok(secret_key: str, link_id: uuid.UUID, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(csrf_token(secret_key, link_id), given or "")
