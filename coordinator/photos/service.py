"""Keeping photos and reading them back. The cases feature (and any other that takes
photos) calls these with its own transaction: `store_photo` checks and cleans the image
(processing.py, in a thread), puts the image and its thumbnail in the photo store, and
adds the row with its audit entry to the caller's session.

An upload is no domain event of its own: what a photo is attached to (a case, a task, a
note) raises the event when it is attached. A transaction rolled back after its photo was
stored leaves two files no row names; they are never served."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.models import AuditEntry
from coordinator.audit.service import snapshot
from coordinator.photos.models import EXTENSIONS, THUMB_CONTENT_TYPE, Photo
from coordinator.photos.processing import process
from coordinator.photos.store import PhotoMissing, PhotoStore
from coordinator.platform.i18n import Text
from coordinator.platform.problems import NotFound, not_found
from coordinator.platform.settings import Settings

PHOTO = Text("照片", "Photo")
ENTITY = "photo"


def keys_for(photo_id: uuid.UUID, extension: str) -> tuple[str, str]:
    """Where the store keeps a photo and its thumbnail: by id, in 256 folders."""
    folder = photo_id.hex[:2]
    return f"{folder}/{photo_id}.{extension}", f"{folder}/{photo_id}.thumb.jpg"


async def store_photo(
    session: AsyncSession,
    store: PhotoStore,
    settings: Settings,
    data: bytes,
    actor_name: str,
    *,
    token_id: uuid.UUID | None = None,
) -> Photo:
    """Check, clean and keep the photo in `data` for `actor_name` (a token's name, or the
    person behind a link page; `token_id` the token, when there is one). Refused with a
    problem naming the field `photo`: 413 when larger than FUMIN_PHOTO_MAX_BYTES, 422
    when not a whole JPEG, PNG or WebP or of more than FUMIN_PHOTO_MAX_PIXELS pixels.
    The CPU work and the writes run before the session is used, so no connection is held
    meanwhile."""
    processed = await asyncio.to_thread(
        process, data, max_bytes=settings.photo_max_bytes, max_pixels=settings.photo_max_pixels
    )
    photo_id = uuid.uuid4()
    key, thumb_key = keys_for(photo_id, EXTENSIONS[processed.content_type])
    await store.put(key, processed.data, processed.content_type)
    await store.put(thumb_key, processed.thumb, THUMB_CONTENT_TYPE)
    photo = Photo(
        id=photo_id,
        content_type=processed.content_type,
        width=processed.width,
        height=processed.height,
        size=len(processed.data),
        sha256=processed.sha256,
        key=key,
        thumb_key=thumb_key,
        thumb_width=processed.thumb_width,
        thumb_height=processed.thumb_height,
        uploaded_by=actor_name[:100],
    )
    session.add(photo)
    await session.flush()
    session.add(
        AuditEntry(
            actor_token_id=token_id,
            actor_name=actor_name[:100],
            action="create",
            entity_type=ENTITY,
            entity_id=photo.id,
            after=snapshot(photo),
        )
    )
    return photo


async def get_photo(session: AsyncSession, id: uuid.UUID) -> Photo:
    """The photo with this id, or 404."""
    photo = await session.get(Photo, id)
    if photo is None:
        raise not_found(PHOTO)
    return photo


async def find_photos(session: AsyncSession, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Photo]:
    """The photos of these ids that exist, by id (for a feature checking what it attaches)."""
    if not ids:
        return {}
    rows = await session.scalars(select(Photo).where(Photo.id.in_(list(ids))))
    return {row.id: row for row in rows}


async def read_photo(store: PhotoStore, photo: Photo, thumbnail: bool = False) -> bytes:
    """The stored bytes of the image (or its thumbnail); 404 if the store lost them."""
    try:
        return await store.get(photo.thumb_key if thumbnail else photo.key)
    except PhotoMissing:
        raise NotFound(Text("照片文件已丢失", "The photo's file is missing")) from None
