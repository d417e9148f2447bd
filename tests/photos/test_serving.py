"""Reading photos back: ETag and 304, long caching, 404s that are problems, the helper a
link page serves its own photos with, and the store itself."""

from __future__ import annotations

import uuid

import pytest
from aiohttp import web
from sqlalchemy import select

from coordinator.audit.models import AuditEntry
from coordinator.photos import service
from coordinator.photos.store import LocalPhotoStore, PhotoMissing, check_key, photo_store
from coordinator.photos.web import photo_response
from tests.photos import images
from tests.photos.conftest import problem


async def _upload(api) -> dict:  # type: ignore[no-untyped-def, type-arg]
    return await api.ok(  # type: ignore[no-any-return]
        "POST", "/api/v1/photos", 201, data=images.jpeg(), headers={"Content-Type": "image/jpeg"}
    )


async def test_etag_is_the_sha256_and_a_matching_if_none_match_is_304(api):
    photo = await _upload(api)
    first = await api.get(photo["url"])
    assert first.status == 200
    etag = first.headers["ETag"]
    assert etag == f'"{photo["sha256"]}"'
    assert "immutable" in first.headers["Cache-Control"]
    assert first.headers["Cache-Control"].startswith("private")
    assert first.headers["X-Content-Type-Options"] == "nosniff"
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        again = await api.get(photo["url"], headers={"If-None-Match": header})
        assert again.status == 304, header
        assert await again.read() == b""
        assert again.headers["ETag"] == etag
    stale = await api.get(photo["url"], headers={"If-None-Match": '"0000"'})
    assert stale.status == 200 and await stale.read() == await first.read()

    thumb = await api.get(photo["thumbnail_url"])
    thumb_etag = thumb.headers["ETag"]
    assert thumb_etag != etag and thumb.content_type == "image/jpeg"
    assert (await api.get(photo["thumbnail_url"], headers={"If-None-Match": etag})).status == 200
    unchanged = await api.get(photo["thumbnail_url"], headers={"If-None-Match": thumb_etag})
    assert unchanged.status == 304


@pytest.mark.parametrize("tail", ["", "/image", "/thumbnail"])
async def test_an_unknown_photo_is_a_404_problem(api, tail):
    await problem(await api.get(f"/api/v1/photos/{uuid.uuid4()}{tail}"), 404)
    await problem(await api.get(f"/api/v1/photos/not-a-uuid{tail}"), 404)


async def test_a_photo_whose_file_was_lost_is_a_404_not_a_500(api, settings):
    photo = await _upload(api)
    for path in settings.photo_dir.rglob("*.jpg"):
        path.unlink()
    document = await problem(await api.get(photo["url"]), 404)
    assert document["detail"] == "照片文件已丢失"


async def test_a_page_serves_a_photo_through_the_helper_without_a_token(
    aiohttp_client, database, settings
):
    """What a case's link page does: it finds the photo itself and answers its bytes."""
    store = photo_store(settings)
    async with database.sessionmaker.begin() as session:
        photo = await service.store_photo(session, store, settings, images.png(), "张三（网格员）")
        photo_id = photo.id

    async def page_photo(request: web.Request) -> web.Response:
        async with database.session() as session:
            found = await service.get_photo(session, uuid.UUID(request.match_info["id"]))
        thumbnail = request.query.get("size") == "thumb"
        return await photo_response(
            request, store, found, thumbnail=thumbnail, headers={"Referrer-Policy": "no-referrer"}
        )

    app = web.Application()
    app.router.add_get("/l/{id}/photo", page_photo)
    client = await aiohttp_client(app)
    answer = await client.get(f"/l/{photo_id}/photo")
    assert answer.status == 200 and answer.content_type == "image/png"
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert await answer.read() == await service.read_photo(store, photo)
    thumb = await client.get(f"/l/{photo_id}/photo?size=thumb")
    assert thumb.content_type == "image/jpeg"
    assert await thumb.read() == await service.read_photo(store, photo, thumbnail=True)

    async with database.session() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.entity_id == photo_id))
        assert (await service.find_photos(session, [photo_id, uuid.uuid4()])).keys() == {photo_id}
    assert entry is not None
    assert (entry.actor_name, entry.actor_token_id, entry.action) == (
        "张三（网格员）",
        None,
        "create",
    )


async def test_the_local_store_writes_whole_files_under_safe_keys(tmp_path):
    store = LocalPhotoStore(tmp_path / "photos")
    await store.put("ab/one.jpg", b"first", "image/jpeg")
    await store.put("ab/one.jpg", b"second", "image/jpeg")
    assert await store.get("ab/one.jpg") == b"second"
    assert sorted(p.name for p in (tmp_path / "photos" / "ab").iterdir()) == ["one.jpg"]
    assert (tmp_path / "photos" / "ab" / "one.jpg").stat().st_mode & 0o077 == 0
    await store.delete("ab/one.jpg")
    await store.delete("ab/one.jpg")
    with pytest.raises(PhotoMissing):
        await store.get("ab/one.jpg")
    for key in ("../etc/passwd", "/etc/passwd", "ab/../../x", "a//b", "", ".hidden", "a\\b"):
        with pytest.raises(ValueError):
            check_key(key)
        with pytest.raises(ValueError):
            await store.put(key, b"x", "image/jpeg")
    assert not (tmp_path / "etc").exists()


def test_the_store_is_named_by_a_setting(settings):
    assert settings.photo_store == "local"
    store = photo_store(settings)
    assert isinstance(store, LocalPhotoStore) and store.root == settings.data_dir / "photos"
    moved = settings.model_copy(update={"photo_root": settings.data_dir / "elsewhere"})
    assert photo_store(moved).root == settings.data_dir / "elsewhere"  # type: ignore[attr-defined]
