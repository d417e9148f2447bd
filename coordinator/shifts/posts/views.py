"""HTTP for posts: thin handlers over the service."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.platform import keys
from coordinator.shifts.posts import service as posts
from coordinator.shifts.posts.schemas import PostIn, PostOut, PostPatch, PostQuery
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import principal
from coordinator.web.listing import Page

routes = ApiRoutes()
POSTS = ("posts",)


@routes.route(
    "GET",
    "/api/v1/posts",
    summary="List posts (岗位)",
    tags=POSTS,
    query=PostQuery,
    response=Page[PostOut],
)
async def list_posts(request: web.Request, *, query: PostQuery) -> web.Response:
    return json_response(await posts.list_posts(database=request.app[keys.DATABASE], query=query))


@routes.route(
    "POST",
    "/api/v1/posts",
    summary="Create a post with its checklist",
    tags=POSTS,
    role=Role.coordinator,
    body=PostIn,
    response=PostOut,
    status=201,
)
async def create_post(request: web.Request, *, body: PostIn) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        post = await posts.create_post(session=session, actor=principal(request), data=body)
        out = PostOut.model_validate(post)
    return created(out, f"/api/v1/posts/{out.id}")


@routes.route("GET", "/api/v1/posts/{id}", summary="Read a post", tags=POSTS, response=PostOut)
async def get_post(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        post = await posts.get_post(session=session, post_id=path_id(request))
        return json_response(PostOut.model_validate(post))


@routes.route(
    "PATCH",
    "/api/v1/posts/{id}",
    summary="Update a post",
    tags=POSTS,
    role=Role.coordinator,
    body=PostPatch,
    response=PostOut,
)
async def update_post(request: web.Request, *, body: PostPatch) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        post = await posts.update_post(
            session=session, actor=principal(request), post_id=path_id(request), patch=body
        )
        out = PostOut.model_validate(post)
    return json_response(out)


@routes.route(
    "DELETE",
    "/api/v1/posts/{id}",
    summary="Delete a post no shift names",
    tags=POSTS,
    role=Role.coordinator,
    status=204,
    errors=(409,),
)
async def delete_post(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await posts.delete_post(session=session, actor=principal(request), post_id=path_id(request))
    return web.Response(status=204)
