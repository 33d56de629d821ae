"""Authentication (bearer token -> Principal) and the capability guard: access checks in one place.

Every route declares ``opt={"capability": ...}``; a route without one is refused (fail closed),
and the authorisation-matrix test reads the same table.
"""

from __future__ import annotations

import time
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from grannsamverkan.db import tokens
from grannsamverkan.domain.access import Principal
from grannsamverkan.errors import NotAuthenticated

TOKEN_COOKIE = "gsv_token"


class TokenCache:
    """Verified tokens for a few seconds, so the hot path asks the database once, not twice."""

    def __init__(self, ttl_seconds: float) -> None:
        self.ttl = ttl_seconds
        self._entries: dict[str, tuple[float, Principal]] = {}

    def get(self, token: str) -> Principal | None:
        entry = self._entries.get(token)
        if entry and entry[0] > time.monotonic():
            return entry[1]
        return None

    def put(self, token: str, principal: Principal) -> None:
        if self.ttl > 0:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[token] = (time.monotonic() + self.ttl, principal)


def bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The token of ``Authorization: Bearer``, else of the session cookie.

    Read from the ASGI scope's raw header list: building Litestar's ``Headers`` for one header
    costs more than the rest of the guard, on every request of the hot path.
    """
    for name, raw in connection.scope["headers"]:
        if name.lower() == b"authorization":
            scheme, _, value = raw.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and value.strip():
                return value.strip()
            break
    return connection.cookies.get(TOKEN_COOKIE)


async def authenticate(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The caller of this request, from its bearer token or session cookie (401 when none)."""
    token = bearer_token(connection)
    if not token:
        raise NotAuthenticated("send 'Authorization: Bearer <token>'; tokens are made with 'grannsamverkan token create'")
    state = connection.app.state
    cache: TokenCache = state.token_cache
    principal = cache.get(token)
    if principal is None:
        principal = await tokens.principal_for(state.pool, token)
        if principal is None:
            raise NotAuthenticated("the token is unknown or revoked")
        cache.put(token, principal)
    return principal


async def capability_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Authenticate, then check the route's capability. Done here rather than in a middleware:
    the guard runs for every route anyway, and the hot path saves a middleware layer."""
    capability = handler.opt.get("capability")
    if capability is None:
        raise RuntimeError(f"route {handler} declares no capability")
    if capability == "public":
        return
    principal = await authenticate(connection)
    connection.scope["user"] = principal
    principal.require(capability)


def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    return request.user
