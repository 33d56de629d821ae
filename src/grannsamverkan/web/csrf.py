"""CSRF protection for the pages: a signed double-submit token bound to the session.

A random ``gsv_csrf`` cookie (HttpOnly, SameSite=Strict) is set on the first page a browser
loads. Every form carries ``_csrf_token`` = HMAC-SHA256(key = that cookie, message = the session
token cookie, or "" before signing in); an unsafe request (POST, ...) to a page route must send it
as the form field or the ``X-CSRF-Token`` header, or it is refused with 403.

Before any of the body is read, the middleware knows who asks: a form to a route that needs a
capability is read only for a signed-in caller who has that capability (else 401/403 without
reading it), and every form body is read with a cap (``read_body``): 8 KiB on the public routes
(signing in and out), 1 MiB elsewhere, the upload limit only on the import pages (``opt``
``upload``), and at most ``FORM_FIELDS`` fields, counted before the form is parsed.

Why not Litestar's ``CSRFConfig``: its tokens are signed with a server secret, so a restarted
server (or a second worker) refuses the cookie a browser already holds until the browser is
closed. This token needs no server secret and survives restarts, and binding it to the session
token means a token from before signing in (or from another session) is worthless. The session
cookie itself is SameSite=Strict as well.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any, Final

from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.datastructures.cookie import Cookie
from litestar.enums import RequestEncodingType, ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from grannsamverkan.errors import Forbidden, PayloadTooLarge
from grannsamverkan.http.auth import authorize_page, session_id
from grannsamverkan.http.common import read_body

CSRF_COOKIE: Final = "gsv_csrf"
CSRF_FIELD: Final = "_csrf_token"
CSRF_HEADER: Final = "x-csrf-token"
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES: Final = frozenset({RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART})
PUBLIC_FORM_BYTES: Final = 8 * 1024  # a sign-in form is a token and a path
FORM_BYTES: Final = 1024 * 1024
FORM_FIELDS: Final = 1000


def expected_token(seed: str, session: str | None) -> str:
    return hmac.new(seed.encode(), (session or "").encode(), hashlib.sha256).hexdigest()


def is_https(scope: Scope) -> bool:
    return scope.get("scheme") == "https"


def csrf_cookie(seed: str, *, secure: bool) -> Cookie:
    return Cookie(key=CSRF_COOKIE, value=seed, path="/", httponly=True, samesite="strict", secure=secure)


class CsrfMiddleware(ASGIMiddleware):
    """Checks unsafe requests; on safe ones makes sure the browser has a seed cookie and puts the
    form token where templates find it (``csrf_input``)."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        request: Request[Any, Any, Any] = Request(scope, receive)
        seed = request.cookies.get(CSRF_COOKIE)
        session = session_id(request)
        state = ScopeState.from_scope(scope)
        if request.method in SAFE_METHODS:
            new_seed = None
            if not seed:
                seed = new_seed = secrets.token_urlsafe(32)
            state.csrf_token = expected_token(seed, session)
            await next_app(scope, receive, _with_cookie(send, new_seed, secure=is_https(scope)) if new_seed else send)
            return
        handler = scope["route_handler"]
        public = handler.opt.get("capability") == "public"
        signed_out = not session and "authorization" not in request.headers
        if signed_out and not public:
            # Nothing to forge without a session: the capability guard answers 401 (sign in).
            await next_app(scope, receive, send)
            return
        if not public:
            await authorize_page(request, handler)  # 401 or 403 before a byte of the body is read
        content_type, _ = request.content_type
        if content_type in FORM_TYPES:
            await _read_form_body(request, public=public, opt=handler.opt, multipart=content_type == RequestEncodingType.MULTI_PART)
        supplied = request.headers.get(CSRF_HEADER)
        if not supplied and content_type in FORM_TYPES:
            value = (await request.form()).get(CSRF_FIELD)
            supplied = value if isinstance(value, str) else None
        if not seed or not supplied or not hmac.compare_digest(supplied, expected_token(seed, session)):
            raise Forbidden("form.csrf")
        state.csrf_token = supplied
        await next_app(scope, receive, send)


async def _read_form_body(request: Request[Any, Any, Any], *, public: bool, opt: dict[str, Any], multipart: bool) -> None:
    """The form's body, read with the cap for this route, its fields counted before parsing. A public
    route with a larger form than signing in (a citizen's report) names its cap in ``opt["form_bytes"]``."""
    settings = request.app.state.settings
    if public:
        limit = opt.get("form_bytes", PUBLIC_FORM_BYTES)
    else:
        limit = settings.max_body_bytes if opt.get("upload") else FORM_BYTES
    body = await read_body(request, limit=limit, within=settings.body_timeout_seconds)
    if not multipart and body.count(b"&") >= FORM_FIELDS:
        raise PayloadTooLarge("form.too_many_fields", max=FORM_FIELDS)
    # multipart: Litestar's parser stops at the app's multipart_form_part_limit (FORM_FIELDS).


def _with_cookie(send: Send, seed: str, *, secure: bool) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableScopeHeaders.from_message(message)
            headers.add("set-cookie", csrf_cookie(seed, secure=secure).to_header(header=""))
        await send(message)

    return wrapped
