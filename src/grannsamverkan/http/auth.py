"""Authentication (bearer token -> Principal) and the capability guards: access checks in one place.

Every route declares ``opt={"capability": ...}``; a route without one is refused (fail closed),
and the authorisation-matrix test reads the same table. Litestar's own ``OPTIONS`` answers (the
allowed methods) need the ``read`` capability.

The API takes bearer tokens only (``capability_guard``): a browser sends cookies with cross-site
requests, a bearer header it never sends on its own, so the API needs no CSRF check. The pages
(``page_guard``) also take the web session cookie; they check a CSRF token on every form
(``web/csrf.py``). The cookie holds a session id (``db/sessions.py``), never a password or API token.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from grannsamverkan.db import sessions, tokens
from grannsamverkan.domain.access import Capability, Principal
from grannsamverkan.errors import NotAuthenticated

# The session cookie. Over https it has the __Host- prefix (the browser keeps it only when it is
# Secure, has Path=/ and no Domain, so no other host, not even a subdomain, can set or replace
# it). A browser refuses a Secure cookie over plain http (other than on localhost), so over
# plain http (tests, ``grannsamverkan demo`` on a laptop) the cookie is named without the
# prefix and is not Secure; the two names are never mixed: over https only the prefixed one counts.
SESSION_COOKIE = "__Host-gsv_session"
PLAIN_SESSION_COOKIE = "gsv_session"


class TokenCache:
    """Verified tokens for a few seconds, so the hot path asks the database once, not twice.

    Trusted only while the process hears of ended sign-ins (``db/notify.py``, wired in app.py):
    a notification empties it (``clear``), and while the listening connection is down
    (``listening(False)``, also before it first listens) it keeps nothing. ``generation`` counts the
    clearings: a principal read from the database before one is not put back after it."""

    def __init__(self, ttl_seconds: float) -> None:
        self.ttl = ttl_seconds
        self._entries: dict[str, tuple[float, Principal]] = {}
        self._trusted = False
        self.generation = 0

    def get(self, token: str) -> Principal | None:
        entry = self._entries.get(token)
        if entry and entry[0] > time.monotonic():
            return entry[1]
        return None

    def put(self, token: str, principal: Principal, generation: int) -> None:
        """Keep ``principal``, read from the database while the cache was at ``generation``."""
        if self.ttl > 0 and self._trusted and generation == self.generation:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[token] = (time.monotonic() + self.ttl, principal)

    def drop(self, token: str) -> None:
        self._entries.pop(token, None)

    def clear(self, _reason: str = "") -> None:
        """Forget every entry (a sign-in ended somewhere: the notification's payload is ``_reason``)."""
        self.generation += 1
        self._entries.clear()

    def listening(self, heard: bool) -> None:
        """Whether ended sign-ins are heard of (from now on); either way, what was kept is forgotten."""
        self._trusted = heard
        self.clear()


def session_cookie_name(scope: Any) -> str:
    """The session cookie's name for this request's scheme (see ``SESSION_COOKIE``)."""
    return SESSION_COOKIE if scope.get("scheme") == "https" else PLAIN_SESSION_COOKIE


def bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The token of ``Authorization: Bearer`` (never a cookie).

    Read from the ASGI scope's raw header list: building Litestar's ``Headers`` for one header
    costs more than the rest of the guard, on every request of the hot path.
    """
    for name, raw in connection.scope["headers"]:
        if name.lower() == b"authorization":
            scheme, _, value = raw.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and value.strip():
                return value.strip()
            break
    return None


def session_id(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The web session id of the request's cookie, if any."""
    return connection.cookies.get(session_cookie_name(connection.scope)) or None


async def authenticate(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The caller of this API request, from its bearer token (401 when none)."""
    token = bearer_token(connection)
    if not token:
        raise NotAuthenticated("auth.bearer_missing")
    return await _principal(connection, token, session=False)


async def authenticate_page(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The caller of a page request: a bearer token, else the session cookie (401 when none)."""
    token = bearer_token(connection)
    if token:
        return await _principal(connection, token, session=False)
    session = session_id(connection)
    if not session:
        raise NotAuthenticated("auth.sign_in")
    return await _principal(connection, session, session=True)


async def _principal(connection: ASGIConnection[Any, Any, Any, Any], secret: str, *, session: bool) -> Principal:
    state = connection.app.state
    cache: TokenCache = state.token_cache
    key = cache_key(secret, session=session)
    principal = cache.get(key)
    if principal is None:
        generation = cache.generation
        principal = await (sessions.principal_for(state.pool, secret) if session else tokens.principal_for(state.pool, secret))
        if principal is None:
            raise NotAuthenticated("auth.session_ended" if session else "auth.token_unknown")
        cache.put(key, principal, generation)
    return principal


def cache_key(secret: str, *, session: bool) -> str:
    """Tokens and session ids are cached apart: a session id sent as a bearer token never finds
    the session's principal (and the other way round)."""
    return ("s " if session else "t ") + secret


def _capability(handler: BaseRouteHandler) -> Capability | Literal["public"]:
    capability: Capability | Literal["public"] | None = handler.opt.get("capability")
    if capability is None:
        if getattr(handler, "http_methods", None) == {"OPTIONS"}:
            return "read"  # Litestar's own answer to OPTIONS (the allowed methods)
        raise RuntimeError(f"route {handler} declares no capability")
    return capability


async def capability_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Authenticate by bearer token, then check the route's capability. Done here rather than in a
    middleware: the guard runs for every route anyway, and the hot path saves a middleware layer."""
    capability = _capability(handler)
    if capability == "public":
        return
    principal = await authenticate(connection)
    connection.scope["user"] = principal
    principal.require(capability)


async def page_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """``capability_guard`` for the pages: the session cookie counts as well as a bearer token."""
    await authorize_page(connection, handler)


async def authorize_page(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Authenticate a page request and check the route's capability (once per request: the CSRF
    check does it before reading a form, the guard finds it done)."""
    capability = _capability(handler)
    if capability == "public":
        return
    principal = connection.scope.get("user")
    if principal is None:
        principal = await authenticate_page(connection)
        connection.scope["user"] = principal
    principal.require(capability)


def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    return request.user
