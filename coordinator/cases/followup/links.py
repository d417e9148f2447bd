"""The reporter's follow-up link (回访, /r/{token}): issued when a case is resolved, for
that case's reporter; one live link per case (a later resolution issues a new one). It
lives past the reply window, so a late visit reads that the case closed by itself."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.cases.models import Case
from coordinator.links.service import issue_link, revoke_for_subject

PURPOSE = "reply"
ACTIONS = ("satisfied", "unsatisfied")
# How long after the reply window the link still shows the case (read only).
AFTER_WINDOW = timedelta(days=30)


def has_reporter(case: Case) -> bool:
    return any(
        (
            case.reporter_person_id,
            case.reporter_contact_id,
            case.reporter_email,
            case.reporter_phone,
        )
    )


async def issue_reply_link(
    session: AsyncSession, case: Case, base_url: str, reply_due_at: datetime
) -> str | None:
    """The link's URL (its token in clear, this once), or None for a case nobody reported."""
    await revoke_for_subject(session, subject_type="case", subject_id=case.id, purpose=PURPOSE)
    if not has_reporter(case):
        return None
    _, token = await issue_link(
        session,
        purpose=PURPOSE,
        subject_type="case",
        subject_id=case.id,
        actions=ACTIONS,
        expires_at=reply_due_at + AFTER_WINDOW,
    )
    return f"{base_url}/r/{token}"
