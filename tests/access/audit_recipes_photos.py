"""Recipes for the writes of photos (see tests/access/audit_recipes.py)."""

from __future__ import annotations

from io import BytesIO

from PIL import Image

from tests.access.audit_scene import Call, Scene, recipe


def small_jpeg() -> bytes:
    out = BytesIO()
    Image.new("RGB", (8, 6), (200, 40, 40)).save(out, "JPEG")
    return out.getvalue()


@recipe("POST /api/v1/photos")
async def upload_photo(s: Scene) -> Call:
    return Call(
        "POST",
        "/api/v1/photos",
        "create",
        "photo",
        status=201,
        data=small_jpeg(),
        content_type="image/jpeg",
    )
