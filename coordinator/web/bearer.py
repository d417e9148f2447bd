"""Who is asking: the bearer token of an API request, checked, and remembered briefly."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.service import Principal, authenticate, hash_token
from coordinator.platform import keys
from coordinator.platform.cache import Kept
from coordinator.platform.i18n import Text
from coordinator.platform.problems import Unauthorized

PRINCIPAL = web.RequestKey("principal", Principal)

# Tokens this process has recently seen valid: sha256 digest -> principal, per app.
# Without it each API request spends a pooled connection and four round trips (ping,
# BEGIN, SELECT, ROLLBACK) on the token alone.
# A revoked (or re-roled) token therefore keeps working for at most TOKEN_CACHE_SECONDS
# in a process that saw it just before; unknown and revoked tokens are never cached, so a
# new token works at once and a bad one is looked up every time. Off when FUMIN_ENV=test,
# where tests count statements and expect a revocation to bite on the next request.
TOKEN_CACHE_SECONDS = 5.0
TOKEN_CACHE_SIZE = 1024
TOKENS: web.AppKey[Kept[bytes, Principal]] = web.AppKey("known_tokens", Kept)


def forget_tokens(app: web.Application) -> None:
    """Drop every cached token, so a token revoked here fails at once in this process."""
    if TOKENS in app:
        app[TOKENS].clear()


async def authenticated(request: web.Request) -> Principal:
    """The principal of the request's bearer token, or 401."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized(
            Text(
                "请在「Authorization」请求头中提供「Bearer」令牌",
                "Send a Bearer token in Authorization",
            ),
            headers={"WWW-Authenticate": 'Bearer realm="fumin"'},
        )
    database = request.app[keys.DATABASE]
    known = None if request.app[keys.SETTINGS].env == "test" else request.app.get(TOKENS)
    digest = hash_token(token)
    if known is not None and (hit := known.get(digest)) is not None:
        return hit
    async with database.session() as session:
        principal = await authenticate(session=session, token=token)
    if principal is None:
        if known is not None:
            known.pop(digest)
        raise Unauthorized(
            Text("令牌无效或已被吊销", "The token is invalid or revoked"),
            headers={"WWW-Authenticate": 'Bearer realm="fumin", error="invalid_token"'},
        )
    if known is not None:
        known.put(digest, principal, seconds=TOKEN_CACHE_SECONDS)
    return principal


def principal(request: web.Request) -> Principal:
    return request[PRINCIPAL]
