"""The one place where errors become RFC 9457 problem+json answers."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from grannsamverkan import messages
from grannsamverkan.db.pool import UNAVAILABLE_ERRORS, invalid_argument
from grannsamverkan.errors import (
    Conflict,
    DatabaseUnavailable,
    FieldError,
    Forbidden,
    GrannsamverkanError,
    InvalidInput,
    MalformedInput,
    NotAuthenticated,
    NotFound,
    PayloadTooLarge,
    RequestTimeout,
)
from grannsamverkan.http.common import SECURITY_HEADERS

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://grannsamverkan.se/problems/"

log = logging.getLogger("grannsamverkan")


class Problem(msgspec.Struct, kw_only=True, omit_defaults=True):
    """RFC 9457 problem details, with ``errors`` naming the field, line or feature.

    ``code`` is the stable code of ``detail`` (:mod:`grannsamverkan.messages`); ``detail`` and
    each error's ``message`` are Swedish, for the person who reads them."""

    type: str
    title: str
    status: int
    detail: str
    code: str = ""
    instance: str | None = None
    errors: list[FieldError] = []


# Error answers carry the pages' security headers too (an error is never cached or framed).
ERROR_HEADERS = {h.name: h.value for h in SECURITY_HEADERS if h.value}


def _answer(request: Request, problem: Problem, headers: dict[str, str] | None = None) -> Response[Any]:
    problem.instance = request.url.path
    return Response(
        content=problem,
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers={**ERROR_HEADERS, **headers} if headers else ERROR_HEADERS,
    )


def project_error(request: Request, exc: GrannsamverkanError) -> Response[Any]:
    if exc.status >= 500:
        log.error("serverfel %s: %s", type(exc).__name__, exc.detail)
    return _answer(
        request,
        Problem(type=TYPE_BASE + exc.type_slug, title=exc.title, status=exc.status, detail=exc.detail, code=exc.code, errors=exc.errors),
    )


def _validation_errors(exc: ValidationException) -> list[FieldError]:
    errors = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            field = str(item.get("key") or item.get("source") or "body")
            reason = validation_reason(str(item.get("message", exc.detail)))
            errors.append(FieldError.of(field, "request.invalid_value", reason=reason))
    return errors


# msgspec's and Litestar's words for a value of the wrong shape, in Swedish (the value's own
# words, such as a field name, are kept).
_VALIDATION_WORDS: tuple[tuple[str, str], ...] = (
    ("Expected `int`, got `str`", "ett heltal väntades, inte text"),
    ("Expected `str`, got `int`", "text väntades, inte ett tal"),
    ("Expected `object`, got", "ett objekt väntades, fick"),
    ("Expected `array`, got", "en lista väntades, fick"),
    ("Expected ", "väntade "),
    (", got ", ", fick "),
    ("Object missing required field", "Obligatoriskt fält saknas:"),
    ("Object contains unknown field", "Okänt fält:"),
    ("Invalid enum value", "Ogiltigt val"),
    ("Invalid RFC3339 encoded datetime", "Ogiltig tidpunkt (ISO 8601)"),
    ("Invalid ISO 8601 date", "Ogiltigt datum (ÅÅÅÅ-MM-DD)"),
    ("Invalid date", "Ogiltigt datum"),
    ("Missing required", "Saknas:"),
    ("must be greater than or equal to", "får inte vara mindre än"),
    ("must be less than or equal to", "får inte vara större än"),
    ("must be greater than", "måste vara större än"),
    ("must be less than", "måste vara mindre än"),
    ("with length >=", "med längden minst"),
    ("with length <=", "med längden högst"),
    ("Expected", "Väntade"),
    ("Malformed", "Felformat"),
    ("malformed", "felformat"),
    ("Unexpected", "Oväntat"),
    ("invalid", "ogiltigt"),
)


def validation_reason(message: str) -> str:
    """msgspec's explanation of a value of the wrong shape, in Swedish words."""
    for english, swedish in _VALIDATION_WORDS:
        message = message.replace(english, swedish)
    return message


def http_error(request: Request, exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    detail = exc.detail
    errors: list[FieldError] = []
    if isinstance(exc, ValidationException):
        errors = _validation_errors(exc)
        # A body that is not JSON at all is malformed (400); JSON of the wrong shape is invalid (422).
        malformed = "malformed" in detail.lower() or any("malformed" in e.message.lower() for e in errors)
        status = 400 if malformed else 422
        if not malformed and not errors:
            errors = [FieldError.of("body", "request.invalid_value", reason=validation_reason(detail))]
    code = http_code(status, malformed=isinstance(exc, ValidationException) and status == 400)
    detail = messages.text(code, status=status, reason=validation_reason(detail))
    slug = {
        400: "malformed-input",
        401: "not-authenticated",
        403: "forbidden",
        404: "not-found",
        405: "method-not-allowed",
        408: "request-timeout",
        413: "payload-too-large",
        415: "unsupported-media-type",
        422: "invalid-input",
    }.get(status, "http-error")
    title = status_title(status)
    headers = dict(exc.headers) if exc.headers else None
    return _answer(request, Problem(type=TYPE_BASE + slug, title=title, status=status, detail=detail, code=code, errors=errors), headers)


def http_code(status: int, *, malformed: bool) -> str:
    """The catalog's code for an answer of Litestar's own (a route that does not exist, a body too large)."""
    if malformed:
        return "request.malformed"
    return {
        400: "request.invalid",
        404: "request.not_found",
        405: "request.method_not_allowed",
        413: "request.too_large",
        415: "request.unsupported_media_type",
        422: "request.invalid",
    }.get(status, "request.http_error")


# problem+json's ``title`` for the statuses Litestar answers by itself (the project's own errors
# carry theirs, errors.py): short Swedish summaries, as a person reads them.
STATUS_TITLES: dict[int, str] = {
    400: MalformedInput.title,
    401: NotAuthenticated.title,
    403: Forbidden.title,
    404: NotFound.title,
    405: "Metoden stöds inte",
    408: RequestTimeout.title,
    409: Conflict.title,
    413: PayloadTooLarge.title,
    415: "Formatet stöds inte",
    422: InvalidInput.title,
    429: "För många förfrågningar",
    500: GrannsamverkanError.title,
    503: DatabaseUnavailable.title,
}


def status_title(status: int) -> str:
    return STATUS_TITLES.get(status, "Fel" if status >= 400 else "Svar")


def database_unavailable(request: Request, exc: Exception) -> Response[Any]:
    log.warning("databasen går inte att nå: %s: %s", type(exc).__name__, exc)
    return project_error(request, DatabaseUnavailable("database.unavailable"))


def too_deep(exc: Exception) -> MalformedInput | None:
    """JSON nested deeper than the decoder follows (msgspec stops with RecursionError): the
    caller's input, answered 400 without a traceback."""
    if isinstance(exc, RecursionError) and "deserializ" in str(exc):
        return MalformedInput("request.too_deep")
    return None


def unexpected_error(request: Request, exc: Exception) -> Response[Any]:
    if isinstance(exc, UNAVAILABLE_ERRORS):
        return database_unavailable(request, exc)
    deep = too_deep(exc)
    if deep is not None:
        return project_error(request, deep)
    message = invalid_argument(exc)
    if message:
        # A value the database cannot hold (an id beyond 64 bits, a NUL in text): the caller's input.
        return project_error(request, InvalidInput.at("", "request.value_too_big", reason=message))
    # Never swallowed: logged with its traceback, answered as a problem without internals.
    log.exception("oväntat fel vid %s %s", request.method, request.url.path, exc_info=exc)
    return _answer(
        request,
        Problem(
            type=TYPE_BASE + "internal",
            title=status_title(500),
            status=500,
            detail=messages.text("server.unexpected"),
            code="server.unexpected",
        ),
    )


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    GrannsamverkanError: project_error,
    HTTPException: http_error,
    Exception: unexpected_error,
}
for _cls in UNAVAILABLE_ERRORS:
    EXCEPTION_HANDLERS[_cls] = database_unavailable
