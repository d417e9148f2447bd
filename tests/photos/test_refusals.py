"""What is not a photo Fumin keeps is refused naming the field `photo`, and nothing is
kept of it: no row, no file."""

from __future__ import annotations

import os

import aiohttp
import pytest
from sqlalchemy import func, select

from coordinator.photos.models import Photo
from tests.conftest import make_api
from tests.photos import images
from tests.photos.conftest import files_under, photo_settings, problem


async def _nothing_kept(database, settings) -> None:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        assert await session.scalar(select(func.count()).select_from(Photo)) == 0
    assert files_under(settings.photo_dir) == []


def _fields(document: dict) -> list[str]:  # type: ignore[type-arg]
    return [e["field"] for e in document.get("errors", [])]


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("gif", images.gif(), "只接受"),
        ("text", "这不是照片，只是一段文字。\n".encode() * 20, "只接受"),
        ("truncated jpeg", images.truncated_jpeg(), "损坏或不完整"),
        ("jpeg header only", images.jpeg()[:200], "损坏或不完整"),
        ("decompression bomb", images.png_claiming(20000, 20000), "像素过多"),
        ("random bytes", os.urandom(4096), "只接受"),
    ],
)
async def test_what_is_no_whole_jpeg_png_or_webp_is_422_naming_photo(
    api, database, settings, name, data, says
):
    for content_type in ("image/jpeg", "application/octet-stream"):
        response = await api.post(
            "/api/v1/photos", data=data, headers={"Content-Type": content_type}
        )
        document = await problem(response, 422)
        assert _fields(document) == ["photo"], name
        assert says in document["detail"], document
    await _nothing_kept(database, settings)


async def test_a_text_file_named_jpg_in_a_form_is_refused(api, database, settings):
    form = aiohttp.FormData()
    form.add_field(
        "photo", b"GIF89a? no, plain text", filename="photo.jpg", content_type="image/jpeg"
    )
    document = await problem(await api.post("/api/v1/photos", data=form), 422)
    assert _fields(document) == ["photo"]
    english = await api.post(
        "/api/v1/photos",
        data=b"plain text",
        headers={"Content-Type": "image/jpeg", "Accept-Language": "en"},
    )
    assert (await problem(english, 422))["errors"][0]["message"] == (
        "only JPEG, PNG or WebP photos are accepted"
    )
    await _nothing_kept(database, settings)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
async def test_more_pixels_than_the_limit_are_refused_before_decoding(
    aiohttp_client, servers, database, tmp_path
):
    settings = photo_settings(servers, tmp_path, FUMIN_PHOTO_MAX_PIXELS="1000000")
    api = await make_api(aiohttp_client, settings, database)
    for data in (images.jpeg(1001, 1000), images.png_claiming(10000, 10000)):
        response = await api.post(
            "/api/v1/photos", data=data, headers={"Content-Type": "image/png"}
        )
        document = await problem(response, 422)
        assert _fields(document) == ["photo"]
        assert document["detail"] == "照片像素过多，最多 100 万像素"
    await api.ok("POST", "/api/v1/photos", 201, data=images.jpeg(1000, 1000))
    await api.ok("POST", "/api/v1/photos", 201, data=images.jpeg(2000, 500))


async def test_a_photo_over_the_byte_limit_is_413_naming_photo(
    aiohttp_client, servers, database, tmp_path
):
    settings = photo_settings(servers, tmp_path, FUMIN_PHOTO_MAX_BYTES="20000")
    api = await make_api(aiohttp_client, settings, database)
    big = images.jpeg(1600, 1200, quality=95)
    assert len(big) > 20000
    raw = await api.post("/api/v1/photos", data=big, headers={"Content-Type": "image/jpeg"})
    form = aiohttp.FormData()
    form.add_field("photo", big, filename="a.jpg", content_type="image/jpeg")
    multipart = await api.post("/api/v1/photos", data=form)

    async def chunks():  # type: ignore[no-untyped-def]
        for start in range(0, len(big), 4096):
            yield big[start : start + 4096]

    chunked = await api.post(
        "/api/v1/photos", data=chunks(), headers={"Content-Type": "image/jpeg"}
    )
    for response in (raw, multipart, chunked):
        document = await problem(response, 413)
        assert _fields(document) == ["photo"]
        assert document["max_bytes"] == 20000
    await _nothing_kept(database, settings)
    small = images.jpeg(100, 100)
    assert len(small) < 20000
    await api.ok("POST", "/api/v1/photos", 201, data=small, headers={"Content-Type": "image/jpeg"})


async def test_the_default_limit_is_ten_mib(api, database, settings):
    assert settings.photo_max_bytes == 10 * 1024 * 1024
    over = b"\xff\xd8\xff" + bytes(10 * 1024 * 1024)
    response = await api.post("/api/v1/photos", data=over, headers={"Content-Type": "image/jpeg"})
    assert _fields(await problem(response, 413)) == ["photo"]
    await _nothing_kept(database, settings)


async def test_bodies_that_are_no_upload(api, database, settings):
    json_body = await api.post("/api/v1/photos", json={"photo": "aGVsbG8="})
    assert (await problem(json_body, 415))["detail"].startswith("请以图片")
    empty = await api.post("/api/v1/photos", data=b"", headers={"Content-Type": "image/png"})
    assert _fields(await problem(empty, 422)) == ["photo"]

    urlencoded = aiohttp.FormData()
    urlencoded.add_field("note", "只有文字")
    document = await problem(await api.post("/api/v1/photos", data=urlencoded), 415)
    assert document["title"] == "请上传图片"
    no_photo = aiohttp.FormData(default_to_multipart=True)
    no_photo.add_field("note", "只有文字")
    assert _fields(await problem(await api.post("/api/v1/photos", data=no_photo), 422)) == ["note"]
    nothing = aiohttp.FormData(default_to_multipart=True)
    document = await problem(await api.post("/api/v1/photos", data=nothing), 422)
    assert _fields(document) == ["photo"]

    two = aiohttp.FormData()
    for _ in range(2):
        two.add_field("photo", images.jpeg(), filename="a.jpg", content_type="image/jpeg")
    document = await problem(await api.post("/api/v1/photos", data=two), 422)
    assert _fields(document) == ["photo"] and document["detail"] == "只能上传一张照片"

    empty_form = aiohttp.FormData()
    empty_form.add_field("photo", b"", filename="a.jpg", content_type="image/jpeg")
    assert _fields(await problem(await api.post("/api/v1/photos", data=empty_form), 422)) == [
        "photo"
    ]

    for broken in (
        b"--xyz\r\nContent-Disposition: form-data; name=photo\r\n\r\nabc",  # never ends
        b"not a multipart body at all",
    ):
        response = await api.post(
            "/api/v1/photos",
            data=broken,
            headers={"Content-Type": "multipart/form-data; boundary=xyz"},
        )
        assert response.status in (400, 422), await response.text()
        await problem(response, response.status)
    no_boundary = await api.post(
        "/api/v1/photos", data=b"--x--", headers={"Content-Type": "multipart/form-data"}
    )
    await problem(no_boundary, 400)
    await _nothing_kept(database, settings)
