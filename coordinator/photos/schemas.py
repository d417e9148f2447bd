"""What the API says of a photo."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from coordinator.photos.models import Photo

ImageType = Literal["image/jpeg", "image/png", "image/webp"]


def photo_path(photo_id: uuid.UUID) -> str:
    return f"/api/v1/photos/{photo_id}"


class PhotoOut(BaseModel):
    id: uuid.UUID
    content_type: ImageType = Field(description="The stored image's type, found by decoding it")
    width: int
    height: int
    size: int = Field(description="Bytes of the stored image (cleaned and re-encoded)")
    sha256: str = Field(description="SHA-256 of the stored image, in hex (its ETag)")
    url: str = Field(description="Where the image is read (with the same token)")
    thumbnail_url: str = Field(description="Where the thumbnail (JPEG) is read")
    thumbnail_width: int
    thumbnail_height: int
    uploaded_by: str
    created_at: datetime

    @classmethod
    def of(cls, photo: Photo) -> PhotoOut:
        path = photo_path(photo.id)
        return cls(
            id=photo.id,
            content_type=photo.content_type,
            width=photo.width,
            height=photo.height,
            size=photo.size,
            sha256=photo.sha256,
            url=f"{path}/image",
            thumbnail_url=f"{path}/thumbnail",
            thumbnail_width=photo.thumb_width,
            thumbnail_height=photo.thumb_height,
            uploaded_by=photo.uploaded_by,
            created_at=photo.created_at,
        )
