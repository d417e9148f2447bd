"""A photo as kept: the cleaned image and its thumbnail in the photo store, described here.
Photos never change once stored; what they belong to (a case, a task, a note) refers to
them from its own tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.platform.db import Base, IdMixin, utcnow

CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp")
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
# Thumbnails are always JPEG, which every phone's browser shows.
THUMB_CONTENT_TYPE = "image/jpeg"


class Photo(IdMixin, Base):
    __tablename__ = "photos"
    __table_args__ = (
        CheckConstraint(
            "content_type IN ('image/jpeg', 'image/png', 'image/webp')", name="content_type_known"
        ),
        CheckConstraint(
            "width > 0 AND height > 0 AND thumb_width > 0 AND thumb_height > 0 AND size > 0",
            name="sizes_positive",
        ),
    )

    content_type: Mapped[str] = mapped_column(String(20))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    # Bytes of the stored (cleaned, re-encoded) image, and its SHA-256 in hex.
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # Where the photo store keeps the image and the thumbnail.
    key: Mapped[str] = mapped_column(String(200))
    thumb_key: Mapped[str] = mapped_column(String(200))
    thumb_width: Mapped[int] = mapped_column(Integer)
    thumb_height: Mapped[int] = mapped_column(Integer)
    # Who uploaded it: a token's name, or the person behind a link page.
    uploaded_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), default=utcnow
    )

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]
