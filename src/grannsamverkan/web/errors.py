"""Errors on page routes: a redirect to the sign-in page or an HTML page in Swedish.

The API's problem+json handlers stay as they are for ``/api``, ``/health`` and ``/schema``;
:func:`with_page_errors` wraps each of them so that any other path (the pages) answers in HTML.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from litestar.utils.scope.state import ScopeState

from grannsamverkan import messages
from grannsamverkan.db.pool import UNAVAILABLE_ERRORS, invalid_argument
from grannsamverkan.errors import GrannsamverkanError, NotAuthenticated
from grannsamverkan.http.auth import session_id
from grannsamverkan.http.common import SECURITY_HEADERS
from grannsamverkan.http.problem import http_code, too_deep
from grannsamverkan.web.csrf import CSRF_COOKIE, expected_token

log = logging.getLogger("grannsamverkan")

NOT_PAGES = ("/api/", "/api", "/health", "/schema")
SIGN_IN = "/logga-in"

TITLES = {
    400: "Felaktig begäran",
    401: "Inte inloggad",
    403: "Behörighet saknas",
    404: "Sidan finns inte",
    405: "Metoden stöds inte",
    409: "Det går inte just nu",
    413: "Filen är för stor",
    415: "Fel filtyp",
    422: "Ogiltiga uppgifter",
    503: "Databasen svarar inte",
}


def is_page_path(path: str) -> bool:
    return not (path == "/api" or path.startswith(("/api/", "/health", "/schema")))


def sign_in_redirect(request: Request[Any, Any, Any]) -> Redirect:
    target = request.url.path
    if request.method == "GET" and request.url.query:
        target += "?" + request.url.query
    return Redirect(f"{SIGN_IN}?nasta={quote(target, safe='/')}", status_code=HTTP_303_SEE_OTHER)


def _status_and_detail(exc: Exception) -> tuple[int, str]:
    exc = too_deep(exc) or exc
    if isinstance(exc, GrannsamverkanError):
        return exc.status, exc.detail
    if isinstance(exc, ValidationException):
        return 400, messages.text("page.invalid_values")
    if isinstance(exc, HTTPException):
        # Litestar's own answers ("Not Found", "Method Not Allowed") in the catalog's words.
        return exc.status_code, messages.text(http_code(exc.status_code, malformed=False), status=exc.status_code)
    if isinstance(exc, UNAVAILABLE_ERRORS):
        return 503, messages.text("database.unavailable")
    if invalid_argument(exc):
        return 422, messages.text("page.value_too_big")
    return 500, messages.text("server.unexpected")


def error_page(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if isinstance(exc, NotAuthenticated) and request.method != "OPTIONS":
        return sign_in_redirect(request)  # (OPTIONS is no navigation: it gets the 401 page)
    status, detail = _status_and_detail(exc)
    if isinstance(exc, GrannsamverkanError) and exc.code == "access.capability" and exc.values.get("capability") == "read_households":
        detail = messages.text("access.households")
    if status >= 500 and not isinstance(exc, GrannsamverkanError) and not isinstance(exc, UNAVAILABLE_ERRORS):
        log.exception("oväntat fel vid %s %s", request.method, request.url.path, exc_info=exc)
    elif status >= 500:
        log.warning("%s vid %s %s: %s", type(exc).__name__, request.method, request.url.path, exc)
    errors = exc.errors if isinstance(exc, GrannsamverkanError) else []
    principal = request.scope.get("user")
    restore_csrf_token(request)
    return Template(
        template_name="error.html.j2",
        context={
            "status": status,
            "title": TITLES.get(status, "Fel"),
            "detail": detail,
            "errors": errors,
            "principal": principal,
            "path": request.url.path,
            "done": None,
            "nav_kommun": principal.kommuner[0] if principal and principal.kommuner else None,
        },
        status_code=status,
        headers={h.name: h.value for h in SECURITY_HEADERS if h.value},
    )


def restore_csrf_token(request: Request[Any, Any, Any]) -> None:
    """The error page's sign-out form needs the session's form token, also when the check failed."""
    seed = request.cookies.get(CSRF_COOKIE)
    state = ScopeState.from_scope(request.scope)
    if seed and not isinstance(state.csrf_token, str):
        state.csrf_token = expected_token(seed, session_id(request))


Handler = Callable[[Request[Any, Any, Any], Any], Response[Any]]


def with_page_errors(handlers: Mapping[type[Exception] | int, Handler]) -> dict[type[Exception] | int, Handler]:
    """The API's handlers, each answering with :func:`error_page` for page paths."""

    def wrap(api_handler: Handler) -> Handler:
        def handler(request: Request[Any, Any, Any], exc: Any) -> Response[Any]:
            if is_page_path(request.url.path):
                return error_page(request, exc)
            return api_handler(request, exc)

        return handler

    return {key: wrap(h) for key, h in handlers.items()}
