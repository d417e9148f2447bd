"""Photos on a case: attached to the case as filed, to a task (evidence of the work), or to
a progress note. The photos are stored first (POST /api/v1/photos); here they are linked."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.cases.models import CasePhoto
from coordinator.photos.models import Photo
from coordinator.platform.db import utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.problems import invalid_field

MISSING_PHOTO = Text("引用的照片不存在", "a referenced photo does not exist")


async def ensure_photos(
    session: AsyncSession, photo_ids: Sequence[uuid.UUID], field: str = "photo_ids"
) -> list[uuid.UUID]:
    """The photos named, each once, in the order given; 422 naming `field` if one is not
    stored."""
    wanted = list(dict.fromkeys(photo_ids))
    if not wanted:
        return []
    found = await session.scalar(select(func.count()).where(Photo.id.in_(wanted)))
    if found != len(wanted):
        raise invalid_field(field, MISSING_PHOTO)
    return wanted


async def attach_photos(
    session: AsyncSession,
    photo_ids: Sequence[uuid.UUID],
    *,
    case_id: uuid.UUID,
    task_id: uuid.UUID | None = None,
    note_id: uuid.UUID | None = None,
) -> list[uuid.UUID]:
    """Link checked photos (ensure_photos) to the case, a task of it or a note; a photo
    already linked there is left as it is."""
    if not photo_ids:
        return []
    now = utcnow()
    rows = [
        {
            "id": uuid.uuid4(),
            "case_id": case_id,
            "task_id": task_id,
            "note_id": note_id,
            "photo_id": photo_id,
            "created_at": now,
        }
        for photo_id in photo_ids
    ]
    stmt = insert(CasePhoto).on_conflict_do_nothing(constraint="uq_case_photos_attached")
    await session.execute(stmt, rows)
    return list(photo_ids)


async def photos_of_tasks(session: AsyncSession, case_id: uuid.UUID) -> int:
    """How many photos the case's tasks and notes carry (evidence of the work done)."""
    return (
        await session.scalar(
            select(func.count())
            .select_from(CasePhoto)
            .where(
                CasePhoto.case_id == case_id,
                (CasePhoto.task_id.is_not(None)) | (CasePhoto.note_id.is_not(None)),
            )
        )
        or 0
    )
