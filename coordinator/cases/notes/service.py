"""Progress notes (办理进展) on a case or one of its tasks, with their photos: appended,
never changed; listed newest first."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import bindparam, exists, select
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record_row
from coordinator.auth.service import Principal
from coordinator.cases.models import CASE, TASK, Case, CaseNote, CasePhoto, CaseTask
from coordinator.cases.photos import attach_photos, ensure_photos
from coordinator.cases.schemas import NoteOut, NoteQuery
from coordinator.cases.service import lock_case
from coordinator.platform.db import Database, utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.json_sql import JsonBody, list_json, value_json
from coordinator.platform.listing import Listing, fetch_row
from coordinator.platform.problems import missing_reference, not_found

_note_photo = CasePhoto.__table__.alias("np")
NOTES = Listing(
    CaseNote,
    NoteOut,
    sorts={"created_at": CaseNote.created_at},
    default_sort="-created_at",
    filters={"case_id": CaseNote.case_id, "task_id": CaseNote.task_id},
    search=(CaseNote.body,),
    json={
        "photo_ids": list_json(
            value_json(_note_photo.c.photo_id),
            rows="case_photos AS np WHERE np.note_id = case_notes.id",
            order_by=[_note_photo.c.created_at, _note_photo.c.id],
        )
    },
)
_CASE_EXISTS = "SELECT EXISTS (SELECT 1 FROM cases WHERE id = $1)"
_ONE = (
    select(NOTES.item())
    .select_from(CaseNote.__table__)
    .where(CaseNote.__table__.c.id == bindparam("note_id"))
    .where(CaseNote.__table__.c.case_id == bindparam("case_id"))
    .compile(dialect=asyncpg_dialect())
)
NOTE = Text("进展记录", "note")


async def add_note(
    *,
    session: AsyncSession,
    actor: Principal,
    case_id: uuid.UUID,
    body: str,
    task_id: uuid.UUID | None = None,
    photo_ids: Sequence[uuid.UUID] = (),
    author: str | None = None,
) -> CaseNote:
    """A note on the case, or on one of its tasks (`task_id`), with photos. `author`: who
    wrote it if not the caller (a field handler on their phone)."""
    case = await lock_case(session, case_id)
    await _ensure_task(session, case, task_id)
    photos = await ensure_photos(session, photo_ids)
    note = CaseNote(
        id=uuid.uuid4(),
        case_id=case.id,
        task_id=task_id,
        author=author or actor.name,
        body=body,
        created_at=utcnow(),
    )
    session.add(note)
    await session.flush()
    await attach_photos(session, photos, case_id=case.id, task_id=task_id, note_id=note.id)
    record_row(session=session, actor=actor, action="create", entity_type="case_note", row=note)
    return note


async def _ensure_task(session: AsyncSession, case: Case, task_id: uuid.UUID | None) -> None:
    if task_id is None:
        return
    found = await session.scalar(
        select(exists().where(CaseTask.id == task_id, CaseTask.case_id == case.id))
    )
    if not found:
        raise missing_reference("task_id", TASK)


async def list_notes(*, database: Database, case_id: uuid.UUID, query: NoteQuery) -> JsonBody:
    """The case's notes, newest first (404 for a case that does not exist)."""
    row = await fetch_row(database, _CASE_EXISTS, [case_id])
    if not row[0]:
        raise not_found(CASE)
    return await NOTES.page(database, query, case_id=case_id)


async def note_json(
    reader: Database | AsyncSession, case_id: uuid.UUID, note_id: uuid.UUID
) -> JsonBody:
    """One note of a case as NoteOut's JSON, as the list shows it."""
    args = {"note_id": note_id, "case_id": case_id}
    row = await fetch_row(reader, str(_ONE), [args[name] for name in _ONE.positiontup or ()])
    if row is None:
        raise not_found(NOTE)
    return JsonBody(row[0].encode())
