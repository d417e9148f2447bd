"""The HTTP side of photos that other features' pages share with the API: the app's photo
store, reading an upload (a raw image body, or a multipart form with `photo` fields)
within the size limit, and answering a photo's bytes with its ETag (304 when the client
has them). A link page serves the photos of its own case with `photo_response`, no token
needed: the page decides which photos its link may see."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from coordinator.photos.models import THUMB_CONTENT_TYPE, Photo
from coordinator.photos.processing import FIELD, NO_PHOTO, too_large
from coordinator.photos.service import read_photo
from coordinator.photos.store import PhotoStore
from coordinator.platform.i18n import Text
from coordinator.platform.problems import (
    BadRequest,
    PayloadTooLarge,
    UnsupportedMediaType,
    invalid_field,
)
from coordinator.web.validation import NUL

PHOTO_STORE: web.AppKey[PhotoStore] = web.AppKey("photo_store")

# Photos never change: a client keeps them for a year. `private`: they are read with a
# token or through a link, never from a shared cache.
CACHE_CONTROL = "private, max-age=31536000, immutable"
RAW_TYPES = ("image/jpeg", "image/png", "image/webp", "application/octet-stream")
MULTIPART = "multipart/form-data"
CHUNK = 64 * 1024
# A text field of a form (a note beside its photos) is at most this many bytes.
MAX_TEXT_BYTES = 16 * 1024
MAX_PARTS = 32

_NOT_AN_UPLOAD = Text(
    "请以图片（「image/jpeg」「image/png」「image/webp」）或「multipart/form-data」上传照片",
    "Send the photo as an image body (image/jpeg, image/png, image/webp) or as multipart/form-data",
)
_BAD_FORM = Text("表单格式有误，无法读取", "The multipart form is malformed")
_ONE_PHOTO = Text("只能上传一张照片", "send one photo at a time")
_TOO_MANY = Text("照片过多，最多 {n} 张", "too many photos: at most {n}")
_UNKNOWN = Text("不允许的字段", "unknown field")
_TEXT_TOO_LONG = Text("内容过长", "too long")
_NOT_TEXT = Text("应为「UTF-8」文本", "must be UTF-8 text")


class NotAnUpload(UnsupportedMediaType):
    title = Text("请上传图片", "Send an image")


def store_of(app: web.Application) -> PhotoStore:
    """The app's photo store (set by the photos feature's routes)."""
    return app[PHOTO_STORE]


@dataclass
class Form:
    """A multipart form read: its photos (bytes, in order) and its text fields."""

    photos: list[bytes] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)


async def read_upload(request: web.Request, *, max_bytes: int) -> bytes:
    """The one photo of an upload: the body itself when it is sent as an image (any
    image/* or application/octet-stream: the bytes decide what it is), or the `photo`
    field of a multipart form. 415 for any other body, 413 over `max_bytes`."""
    if request.content_type == MULTIPART:
        form = await read_form(request, max_bytes=max_bytes, max_photos=1)
        if not form.photos:
            raise invalid_field(FIELD, NO_PHOTO)
        return form.photos[0]
    if not (request.content_type.startswith("image/") or request.content_type in RAW_TYPES):
        raise NotAnUpload(_NOT_AN_UPLOAD)
    if request.content_length is not None and request.content_length > max_bytes:
        raise too_large(max_bytes)
    return await _read(request.content.iter_chunked(CHUNK), max_bytes)


async def read_form(
    request: web.Request,
    *,
    max_bytes: int,
    max_photos: int,
    texts: tuple[str, ...] = (),
) -> Form:
    """A multipart form of `photo` fields (each at most `max_bytes`, at most `max_photos`)
    and the text fields named in `texts`; any other field is refused by name (422)."""
    if request.content_type != MULTIPART:
        raise NotAnUpload(_NOT_AN_UPLOAD)
    most = max_photos * max_bytes + MAX_PARTS * (MAX_TEXT_BYTES + 1024)  # 1 KiB part headers
    if request.content_length is not None and request.content_length > most:
        raise too_large(max_bytes)
    form = Form()
    try:
        reader = await request.multipart()
        for _ in range(MAX_PARTS + 1):
            part = await reader.next()
            if part is None:
                return form
            if not isinstance(part, BodyPartReader):
                raise BadRequest(_BAD_FORM)
            await _take(part, form, max_bytes=max_bytes, max_photos=max_photos, texts=texts)
    except (ValueError, RuntimeError, TypeError, AssertionError, HttpProcessingError):
        raise BadRequest(_BAD_FORM) from None
    raise BadRequest(_BAD_FORM)


async def _take(
    part: BodyPartReader, form: Form, *, max_bytes: int, max_photos: int, texts: tuple[str, ...]
) -> None:
    name = part.name or ""
    if name == FIELD:
        if len(form.photos) >= max_photos:
            message = _ONE_PHOTO if max_photos == 1 else _TOO_MANY.format(n=max_photos)
            raise invalid_field(FIELD, message)
        form.photos.append(await _read(_chunks(part), max_bytes))
    elif name in texts:
        try:
            text = (await _read(_chunks(part), MAX_TEXT_BYTES)).decode()
        except PayloadTooLarge:
            raise invalid_field(name, _TEXT_TOO_LONG) from None
        except UnicodeDecodeError:
            raise invalid_field(name, _NOT_TEXT) from None
        if "\x00" in text:
            raise invalid_field(name, NUL)
        form.texts[name] = text
    else:
        raise invalid_field(name.replace("\x00", "")[:100] or "body", _UNKNOWN)


async def _chunks(part: BodyPartReader) -> AsyncIterator[bytes]:
    while chunk := await part.read_chunk(CHUNK):
        yield chunk


async def _read(chunks: AsyncIterator[bytes], limit: int) -> bytes:
    """Every chunk, or 413 as soon as there are more than `limit` bytes."""
    data = bytearray()
    async for chunk in chunks:
        data += chunk
        if len(data) > limit:
            raise too_large(limit)
    return bytes(data)


def _etag_matches(header: str, etag: str) -> bool:
    """Weak comparison (RFC 9110 13.1.2): W/ does not matter; * matches."""
    tags = [tag.strip() for tag in header.split(",")]
    return "*" in tags or any(tag.removeprefix("W/") == etag for tag in tags)


async def photo_response(
    request: web.Request,
    store: PhotoStore,
    photo: Photo,
    *,
    thumbnail: bool = False,
    headers: dict[str, str] | None = None,
) -> web.Response:
    """The photo's image (or thumbnail) with its type, ETag and long caching; 304 when the
    request's If-None-Match names it. `headers` add to (or replace) the answer's."""
    etag = f'"{photo.sha256}-thumb"' if thumbnail else f'"{photo.sha256}"'
    answer = {
        "ETag": etag,
        "Cache-Control": CACHE_CONTROL,
        "X-Content-Type-Options": "nosniff",
        **(headers or {}),
    }
    match = request.headers.get("If-None-Match")
    if match is not None and _etag_matches(match, etag):
        return web.Response(status=304, headers=answer)
    body = await read_photo(store, photo, thumbnail)
    content_type = THUMB_CONTENT_TYPE if thumbnail else photo.content_type
    name = f"{photo.id}.thumb.jpg" if thumbnail else f"{photo.id}.{photo.extension}"
    answer["Content-Disposition"] = f'inline; filename="{name}"'
    return web.Response(body=body, content_type=content_type, headers=answer)
