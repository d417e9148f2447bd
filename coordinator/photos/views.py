"""HTTP for photos: upload one, read what is known of it, read its image or thumbnail."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.photos import service
from coordinator.photos.models import CONTENT_TYPES, THUMB_CONTENT_TYPE
from coordinator.photos.schemas import PhotoOut, photo_path
from coordinator.photos.store import photo_store
from coordinator.photos.web import (
    MULTIPART,
    PHOTO_STORE,
    RAW_TYPES,
    photo_response,
    read_upload,
    store_of,
)
from coordinator.platform import keys
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import principal


class PhotoRoutes(ApiRoutes):
    """The photo routes, and the app's photo store (FUMIN_PHOTO_STORE) for every feature
    that keeps or serves photos."""

    def add_to(self, app: web.Application) -> None:
        super().add_to(app)
        if PHOTO_STORE not in app:
            app[PHOTO_STORE] = photo_store(app[keys.SETTINGS])


routes = PhotoRoutes()
TAGS = ("photos",)

_BINARY = {"type": "string", "format": "binary"}
_UPLOAD: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": (
            "The photo: the image itself as the body, or a multipart form with one `photo` "
            "field (what a phone's page posts). Its type is found by decoding it, never "
            "from its name or Content-Type: JPEG, PNG or WebP, at most FUMIN_PHOTO_MAX_BYTES "
            "(10 MiB) and FUMIN_PHOTO_MAX_PIXELS (50 million) pixels."
        ),
        "content": {
            **{media: {"schema": _BINARY} for media in RAW_TYPES},
            MULTIPART: {
                "schema": {
                    "type": "object",
                    "properties": {"photo": _BINARY},
                    "required": ["photo"],
                    "additionalProperties": False,
                },
                "encoding": {"photo": {"contentType": ", ".join(CONTENT_TYPES)}},
            },
        },
    }
}
_HEADER = {"schema": {"type": "string"}}
_CACHING = {
    "ETag": {**_HEADER, "description": "The image's SHA-256 (the thumbnail's ends in -thumb)"},
    "Cache-Control": {**_HEADER, "description": "Photos never change: kept a year"},
}


def _image_answer(content_types: tuple[str, ...], what: str) -> dict[str, Any]:
    return {
        "parameters": [
            {
                "name": "If-None-Match",
                "in": "header",
                "required": False,
                "description": "The ETag of the copy the client has",
                "schema": {"type": "string"},
            }
        ],
        "responses": {
            "200": {
                "description": what,
                "headers": _CACHING,
                "content": {media: {"schema": _BINARY} for media in content_types},
            },
            "304": {"description": "The client's copy is this one", "headers": _CACHING},
        },
    }


@routes.route(
    "POST",
    "/api/v1/photos",
    summary="Upload a photo (照片)",
    tags=TAGS,
    role=Role.coordinator,
    response=PhotoOut,
    status=201,
    errors=(413, 415, 422),
    spec=_UPLOAD,
)
async def upload_photo(request: web.Request) -> web.Response:
    """The photo is turned upright by its EXIF orientation and kept without any metadata
    (no EXIF, GPS, camera, XMP or comments; the colour profile stays), re-encoded in its
    own format, with a JPEG thumbnail of at most 320 px a side. 413 (naming `photo`)
    when too large; 422 naming `photo` when it is no JPEG, PNG or WebP, is damaged or
    cut short, or has too many pixels; 415 for a body that is neither an image nor a
    multipart form."""
    settings = request.app[keys.SETTINGS]
    data = await read_upload(request, max_bytes=settings.photo_max_bytes)
    actor = principal(request)
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        photo = await service.store_photo(
            session, store_of(request.app), settings, data, actor.name, token_id=actor.token_id
        )
        out = PhotoOut.of(photo)
    return created(out, photo_path(out.id))


@routes.route(
    "GET", "/api/v1/photos/{id}", summary="Read a photo's details", tags=TAGS, response=PhotoOut
)
async def get_photo(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        photo = await service.get_photo(session, path_id(request))
        return json_response(PhotoOut.of(photo))


@routes.route(
    "GET",
    "/api/v1/photos/{id}/image",
    summary="Read a photo's image",
    tags=TAGS,
    spec=_image_answer(CONTENT_TYPES, "The image, in the type the photo's content_type names"),
)
async def get_photo_image(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        photo = await service.get_photo(session, path_id(request))
    return await photo_response(request, store_of(request.app), photo)


@routes.route(
    "GET",
    "/api/v1/photos/{id}/thumbnail",
    summary="Read a photo's thumbnail",
    tags=TAGS,
    spec=_image_answer((THUMB_CONTENT_TYPE,), "The thumbnail (JPEG, at most 320 px a side)"),
)
async def get_photo_thumbnail(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        photo = await service.get_photo(session, path_id(request))
    return await photo_response(request, store_of(request.app), photo, thumbnail=True)
