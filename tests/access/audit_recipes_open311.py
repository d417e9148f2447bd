"""Audit recipes of Open311: its API keys, and the requests its clients post."""

from __future__ import annotations

from urllib.parse import urlencode

from tests.access.audit_scene import Call, Scene, recipe
from tests.open311.conftest import build_town

KEYS = "/api/v1/open311-keys"


@recipe(f"POST {KEYS}")
async def create_open311_key(s: Scene) -> Call:
    return Call("POST", KEYS, "create", "open311_key", json={"name": "随申办"}, status=201)


@recipe(f"POST {KEYS}/{{id}}/revoke")
async def revoke_open311_key(s: Scene) -> Call:
    key = await s.make(KEYS, {"name": "自助终端"})
    return Call("POST", f"{KEYS}/{key['id']}/revoke", "revoke", "open311_key", key["id"])


def _requests(fmt: str) -> None:
    @recipe(f"POST /open311/v2/requests.{fmt}")
    async def post_open311_request(s: Scene) -> Call:
        """A public request filed by an Open311 key: the case's entry names the key."""
        town = await build_town(s.database)
        address = f"威海路{s.serial()}号 <{fmt}>"
        form = {
            "api_key": town.key,
            "service_code": town.bikes.code,
            "address_string": address,
            "description": "共享单车堵住消防通道",
        }
        return Call(
            "POST",
            f"/open311/v2/requests.{fmt}",
            "create",
            "case",
            entity=None,
            state={"address": address, "source": "open311"},
            data=urlencode(form).encode(),
            content_type="application/x-www-form-urlencoded",
            actor="Open311·随申办",
        )


_requests("json")
_requests("xml")
