"""Uploading photos through the API: checked by decoding, cleaned of metadata, turned
upright, re-encoded, with a thumbnail, kept as files under the data directory, audited."""

from __future__ import annotations

import hashlib
from io import BytesIO

import aiohttp
from PIL import ExifTags, Image
from sqlalchemy import select

from coordinator.audit.models import AuditEntry
from coordinator.auth.models import ApiToken, Role
from coordinator.photos.models import Photo
from tests.photos import images
from tests.photos.conftest import files_under

TRACES = (b"Exif", b"Huawei", b"Mate 60", b"HarmonyOS", b"ns.adobe.com", b"Huashan", b"GPS")


async def upload(api, data: bytes, content_type: str = "image/jpeg", role: Role = Role.admin):  # type: ignore[no-untyped-def]
    return await api.ok(
        "POST", "/api/v1/photos", 201, role=role, data=data, headers={"Content-Type": content_type}
    )


async def read(api, url: str) -> tuple[bytes, aiohttp.ClientResponse]:  # type: ignore[no-untyped-def]
    response = await api.get(url)
    assert response.status == 200, await response.text()
    return await response.read(), response


async def test_a_phone_jpeg_is_kept_without_gps_camera_or_any_exif(api, settings):
    original = images.jpeg()
    assert all(trace in original for trace in (b"Exif", b"Huawei", b"ns.adobe.com", b"Huashan"))
    assert Image.open(BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    photo = await upload(api, original)

    stored, response = await read(api, photo["url"])
    assert response.content_type == "image/jpeg"
    for trace in TRACES:
        assert trace not in stored, trace
    image = Image.open(BytesIO(stored))
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info and "xmp" not in image.info and "comment" not in image.info
    assert (image.width, image.height) == (photo["width"], photo["height"]) == (400, 200)
    assert photo["content_type"] == "image/jpeg"
    assert photo["size"] == len(stored)
    assert photo["sha256"] == hashlib.sha256(stored).hexdigest()


async def test_the_image_and_its_thumbnail_are_files_under_the_data_dir(api, settings):
    photo = await upload(api, images.jpeg(1200, 900))
    folder = settings.data_dir / "photos"
    assert settings.photo_dir == folder
    files = files_under(folder)
    assert [p.name for p in files] == [f"{photo['id']}.jpg", f"{photo['id']}.thumb.jpg"]
    assert all(p.parent.name == photo["id"].replace("-", "")[:2] for p in files)
    stored, _ = await read(api, photo["url"])
    thumb, _ = await read(api, photo["thumbnail_url"])
    assert files[0].read_bytes() == stored and files[1].read_bytes() == thumb
    assert not [p for p in folder.rglob(".*")], "no temporary file left behind"


async def test_orientation_is_applied_before_the_exif_goes(api):
    """Orientation 6: the camera was held turned; the picture is shown turned a quarter
    clockwise, so its left half (red) ends up on top."""
    photo = await upload(api, images.jpeg(400, 200, orientation=6))
    assert (photo["width"], photo["height"]) == (200, 400)
    stored, _ = await read(api, photo["url"])
    image = Image.open(BytesIO(stored)).convert("RGB")
    assert image.size == (200, 400)
    top, bottom = image.getpixel((100, 50)), image.getpixel((100, 350))
    assert top[0] > 180 and top[2] < 80, top  # red
    assert bottom[2] > 180 and bottom[0] < 80, bottom  # blue
    thumb, _ = await read(api, photo["thumbnail_url"])
    assert Image.open(BytesIO(thumb)).size == (160, 320)


async def test_png_keeps_its_format_and_transparency_and_loses_its_text(api):
    photo = await upload(api, images.png(), content_type="image/png")
    stored, response = await read(api, photo["url"])
    assert photo["content_type"] == "image/png" and response.content_type == "image/png"
    image = Image.open(BytesIO(stored))
    assert image.format == "PNG" and image.mode == "RGBA"
    assert image.getpixel((10, 10))[3] == 128
    assert image.text == {} and dict(image.getexif()) == {}
    for trace in TRACES:
        assert trace not in stored, trace
    thumb, thumb_response = await read(api, photo["thumbnail_url"])
    assert thumb_response.content_type == "image/jpeg"
    assert Image.open(BytesIO(thumb)).mode == "RGB"


async def test_webp_keeps_its_format_and_loses_its_exif(api):
    photo = await upload(api, images.webp(), content_type="image/webp")
    stored, response = await read(api, photo["url"])
    assert photo["content_type"] == "image/webp" and response.content_type == "image/webp"
    image = Image.open(BytesIO(stored))
    assert image.format == "WEBP" and image.size == (300, 200)
    assert "exif" not in image.info and "xmp" not in image.info
    for trace in TRACES:
        assert trace not in stored, trace


async def test_the_declared_type_is_not_believed(api):
    photo = await upload(api, images.png(), content_type="image/jpeg")
    assert photo["content_type"] == "image/png"
    photo = await upload(api, images.webp(), content_type="application/octet-stream")
    assert photo["content_type"] == "image/webp"


async def test_a_multipart_form_with_a_photo_field_is_an_upload(api):
    form = aiohttp.FormData()
    form.add_field("photo", images.jpeg(), filename="IMG_0001.gif", content_type="image/gif")
    response = await api.post("/api/v1/photos", data=form)
    assert response.status == 201, await response.text()
    photo = await response.json()
    assert response.headers["Location"] == f"/api/v1/photos/{photo['id']}"
    assert photo["content_type"] == "image/jpeg"
    assert await api.ok("GET", response.headers["Location"]) == photo


async def test_the_thumbnail_is_at_most_320_on_its_longest_side(api):
    big = await upload(api, images.jpeg(4000, 3000))
    assert (big["thumbnail_width"], big["thumbnail_height"]) == (320, 240)
    thumb, _ = await read(api, big["thumbnail_url"])
    assert Image.open(BytesIO(thumb)).size == (320, 240)
    assert len(thumb) < big["size"] / 10
    small = await upload(api, images.jpeg(100, 50))
    assert (small["thumbnail_width"], small["thumbnail_height"]) == (100, 50)


async def test_an_upload_is_audited_with_its_token(api, database):
    photo = await upload(api, images.jpeg(), role=Role.coordinator)
    async with database.session() as session:
        entry = await session.scalar(
            select(AuditEntry).where(
                AuditEntry.entity_type == "photo", AuditEntry.entity_id == photo["id"]
            )
        )
        token = await session.scalar(select(ApiToken).where(ApiToken.name == "test coordinator"))
        row = await session.get(Photo, photo["id"])
    assert entry is not None and token is not None and row is not None
    assert (entry.action, entry.actor_name, entry.actor_token_id) == (
        "create",
        "test coordinator",
        token.id,
    )
    assert entry.after is not None and entry.after["sha256"] == photo["sha256"]
    assert row.uploaded_by == photo["uploaded_by"] == "test coordinator"


async def test_a_viewer_reads_photos_but_cannot_upload(api):
    photo = await upload(api, images.jpeg())
    refused = await api.post(
        "/api/v1/photos",
        role=Role.viewer,
        data=images.jpeg(),
        headers={"Content-Type": "image/jpeg"},
    )
    assert refused.status == 403
    assert (await api.ok("GET", photo["url"].removesuffix("/image"), role=Role.viewer)) == photo
    answer = await api.get(photo["thumbnail_url"], role=Role.viewer)
    assert answer.status == 200
    assert (await api.get(photo["url"], role=None)).status == 401


async def test_a_jpeg_carrying_a_second_picture_is_kept_as_one_plain_jpeg(api):
    original = images.mpo()
    assert Image.open(BytesIO(original)).format == "MPO"
    photo = await upload(api, original)
    stored, _ = await read(api, photo["url"])
    image = Image.open(BytesIO(stored))
    assert image.format == "JPEG" and getattr(image, "n_frames", 1) == 1
    assert photo["content_type"] == "image/jpeg" and b"MPF" not in stored
