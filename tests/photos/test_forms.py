"""The form a phone's page posts (a note and some photos), read by `read_form` as a page
of another feature reads it."""

from __future__ import annotations

import os

import aiohttp
from aiohttp import web

from coordinator.photos.web import read_form
from coordinator.web.middleware import problems
from tests.photos import images
from tests.photos.conftest import problem


def _form(photos: int, **texts: str | bytes) -> aiohttp.FormData:
    form = aiohttp.FormData(default_to_multipart=True)
    for name, value in texts.items():
        form.add_field(name, value, filename="note.txt" if isinstance(value, bytes) else None)
    for n in range(photos):
        form.add_field("photo", images.jpeg(40 + n, 30), filename=f"{n}.jpg")
    return form


async def _client(aiohttp_client):  # type: ignore[no-untyped-def]
    async def note(request: web.Request) -> web.Response:
        form = await read_form(request, max_bytes=50_000, max_photos=3, texts=("note",))
        return web.json_response(
            {"note": form.texts.get("note"), "sizes": [len(p) for p in form.photos]}
        )

    app = web.Application(middlewares=[problems])
    app.router.add_post("/l/note", note)
    return await aiohttp_client(app)


async def test_a_note_with_photos_is_read_in_order(aiohttp_client):
    client = await _client(aiohttp_client)
    answer = await client.post("/l/note", data=_form(3, note="楼道堆物已清理"))
    assert answer.status == 200, await answer.text()
    body = await answer.json()
    assert body["note"] == "楼道堆物已清理"
    assert body["sizes"] == [len(images.jpeg(40 + n, 30)) for n in range(3)]
    only_note = await (await client.post("/l/note", data=_form(0, note="无照片"))).json()
    assert only_note == {"note": "无照片", "sizes": []}


async def test_what_the_form_may_not_hold_is_refused_by_field(aiohttp_client):
    client = await _client(aiohttp_client)
    too_many = await problem(await client.post("/l/note", data=_form(4)), 422)
    assert too_many["errors"][0] == {"field": "photo", "message": "照片过多，最多 3 张"}
    unknown = await problem(await client.post("/l/note", data=_form(1, extra="x")), 422)
    assert [e["field"] for e in unknown["errors"]] == ["extra"]
    nul = await problem(await client.post("/l/note", data=_form(0, note="a\x00b")), 422)
    assert [e["field"] for e in nul["errors"]] == ["note"]
    latin = await problem(await client.post("/l/note", data=_form(0, note=b"\xff\xfe")), 422)
    assert [e["field"] for e in latin["errors"]] == ["note"]
    long = await problem(await client.post("/l/note", data=_form(0, note="长" * 6000)), 422)
    assert long["errors"][0]["message"] == "内容过长"
    big = aiohttp.FormData()
    big.add_field("photo", os.urandom(50_001), filename="big.jpg")
    assert (await problem(await client.post("/l/note", data=big), 413))["max_bytes"] == 50_000
