"""Posts (岗位): where volunteers stand duty, with their checklist."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.writes import apply_update, audit_created, delete_row
from coordinator.auth.service import Principal
from coordinator.people.models import Team
from coordinator.platform.db import Database
from coordinator.platform.i18n import Text
from coordinator.platform.listing import JsonBody, Listing
from coordinator.platform.problems import FieldError, ValidationFailed
from coordinator.platform.resources import ensure_exists, get_or_404, patch_values
from coordinator.registry.models import Area, Building
from coordinator.shifts.models import Post
from coordinator.shifts.posts.schemas import PostIn, PostOut, PostPatch, PostQuery
from coordinator.shifts.rules import POST, TEAM

POSTS = Listing(
    Post,
    PostOut,
    sorts={"name": Post.name, "created_at": Post.created_at},
    filters={"team_id": Post.team_id},
    search=(Post.name,),
)


async def _check_references(session: AsyncSession, values: dict[str, Any]) -> None:
    await ensure_exists(session, Area, values.get("area_id"), "area_id", Text("片区", "area"))
    await ensure_exists(
        session, Building, values.get("building_id"), "building_id", Text("楼宇", "building")
    )
    await ensure_exists(session, Team, values.get("team_id"), "team_id", TEAM)


def _check_place(area_id: object, building_id: object, address: object) -> None:
    if area_id is None and building_id is None and address is None:
        message = Text(
            "岗位需要地点：片区、楼宇或地址", "a post needs a place: area, building or address"
        )
        raise ValidationFailed(message, errors=[FieldError("address", message)])


async def create_post(*, session: AsyncSession, actor: Principal, data: PostIn) -> Post:
    """Create a post; its checklist defaults to the six gate steps."""
    values = data.model_dump()
    _check_place(data.area_id, data.building_id, data.address)
    await _check_references(session, values)
    post = Post(**values)
    session.add(post)
    await audit_created(session, actor, post, "post")
    return post


async def get_post(*, session: AsyncSession, post_id: uuid.UUID) -> Post:
    return await get_or_404(session, Post, post_id, POST)


async def update_post(
    *, session: AsyncSession, actor: Principal, post_id: uuid.UUID, patch: PostPatch
) -> Post:
    post = await get_or_404(session, Post, post_id, POST, lock=True)
    values = patch_values(patch, required={"name", "checklist", "required_skills"})
    _check_place(
        values.get("area_id", post.area_id),
        values.get("building_id", post.building_id),
        values.get("address", post.address),
    )
    await _check_references(session, values)
    await apply_update(session, actor, post, values, "post")
    return post


async def delete_post(*, session: AsyncSession, actor: Principal, post_id: uuid.UUID) -> None:
    post = await get_or_404(session, Post, post_id, POST, lock=True)
    await delete_row(session, actor, post, "post", POST)


async def list_posts(*, database: Database, query: PostQuery) -> JsonBody:
    return await POSTS.page(database, query)
