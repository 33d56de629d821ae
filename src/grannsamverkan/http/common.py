"""What every controller shares: the per-request connection, pagination and list shape."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Annotated, Any, Final, Generic, TypeVar

import asyncpg
import msgspec
from litestar import Request, Response
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.exceptions import InternalServerException
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.types import Empty
from litestar.utils.scope.state import ScopeState

from grannsamverkan.domain.access import Principal
from grannsamverkan.domain.calendar import today_in_sweden
from grannsamverkan.errors import MalformedInput, PayloadTooLarge, RequestTimeout
from grannsamverkan.geo.geojson import MAX_JSON_BYTES

T = TypeVar("T")

# Handler parameters named ``db`` and ``principal`` are filled by the app's dependencies.
Db = NamedDependency[asyncpg.Connection]
Caller = NamedDependency[Principal]
__all__ = ["FromPath", "FromQuery", "today_in_sweden"]  # re-exported: every handler declares where a parameter comes from

Limit = Annotated[int, QueryParameter(ge=1, le=1000, description="page size (max 1000)")]
# Use as `limit: Limit = 100, offset: Offset = 0, kommun: KommunFilter = None`.
Offset = Annotated[int, QueryParameter(ge=0, le=1_000_000_000, description="items to skip")]
KommunFilter = Annotated[
    list[str] | None,
    QueryParameter(description="SCB kommun code(s), e.g. 2283 (repeatable)"),
]


class Page(msgspec.Struct, Generic[T], kw_only=True):
    items: list[T]
    total: int


def security_headers(*, image_origins: tuple[str, ...] = ()) -> list[ResponseHeader]:
    """The headers of every page, error page, the API's HTML (the yearly report) and /schema;
    ``image_origins`` are allowed as image sources too (the pages' map tiles, from settings)."""
    images = " ".join(["'self'", "data:", *image_origins])
    return [
        ResponseHeader(
            name="Content-Security-Policy",
            value=(
                f"default-src 'self'; img-src {images}; style-src 'self'; script-src 'self'; "
                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
            ),
        ),
        ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
        ResponseHeader(name="Referrer-Policy", value="same-origin"),
        ResponseHeader(name="Cache-Control", value="no-store"),
    ]


SECURITY_HEADERS: Final = security_headers()

# The headers of a static file (scripts, styles, images of the pages and of /schema). A file opened
# on its own (an SVG, say) runs nothing and embeds nothing; the pages' own policy governs what they
# load. Cached as the static router decides (no ``no-store``: the map library is 150 KB).
STATIC_FILE_HEADERS: Final = {
    "Content-Security-Policy": "default-src 'none'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; sandbox",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


async def with_static_file_headers(response: Response[Any]) -> Response[Any]:
    """``after_request`` of the static file routers (they take no ``response_headers``)."""
    response.headers.update(STATIC_FILE_HEADERS)
    return response


def document_headers(html: str) -> dict[str, str]:
    """The security headers for a self-contained HTML document the API serves (the yearly
    report): its inline ``<style>`` blocks are allowed by their hash, nothing else inline, no
    script at all."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(block.encode()).digest()).decode() + "'"
        for block in re.findall(r"<style>(.*?)</style>", html, flags=re.DOTALL)
    )
    headers = {h.name: h.value for h in SECURITY_HEADERS if h.value}
    headers["Content-Security-Policy"] = (
        f"default-src 'none'; img-src data:; style-src {hashes or chr(39) + 'none' + chr(39)}; "
        "form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
    )
    return headers


BODYLESS_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})


async def provide_db(request: Request[Any, Any, Any]) -> AsyncGenerator[asyncpg.Connection, None]:
    """One pooled connection per request, given back when the request ends.

    The request's body is read first (within the body size limit and the body timeout): a client
    that sends its body slowly holds no connection while it does.
    """
    if request.method not in BODYLESS_METHODS:
        settings = request.app.state.settings
        limit = request.route_handler.resolve_request_max_body_size() or settings.max_body_bytes
        if "json" in request.headers.get("content-type", ""):
            limit = min(limit, MAX_JSON_BYTES)  # decoded JSON costs about ten times its size
        await read_body(request, limit=limit, within=settings.body_timeout_seconds)
    async with request.app.state.pool.acquire(timeout=10) as conn:
        yield conn


async def read_body(request: Request[Any, Any, Any], *, limit: int, within: float) -> bytes:
    """The whole body, at most ``limit`` bytes (else 413) and arrived within ``within`` seconds
    (else 408). Kept on the request, so ``request.body()`` and ``request.form()`` read it again."""
    state = ScopeState.from_scope(request.scope)
    if state.body is not Empty:
        return state.body
    announced = request.content_length
    if announced is not None and announced > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    received = 0
    try:
        async with asyncio.timeout(within):
            async for chunk in request.stream():
                received += len(chunk)
                if received > limit:
                    raise _too_large(limit)
                chunks.append(chunk)
    except TimeoutError:
        raise RequestTimeout("request.timeout", seconds=f"{within:g}") from None
    except InternalServerException:  # the client went away before its body ended
        raise MalformedInput("request.interrupted") from None
    body = state.body = b"".join(chunks)
    # This Request object's own copy too: its stream is consumed, and form() reads a multipart
    # body through stream(), which serves ``_body`` once it is set (as after request.body()).
    request._body = body
    return body


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge("request.body_too_large", limit=f"{limit:,}".replace(",", " "))


def raw_body_operation(media_type: str, description: str, schema: Schema | None = None) -> type[Operation]:
    """An OpenAPI operation documenting a body the handler reads itself (CSV, GeoJSON)."""

    @dataclass
    class RawBodyOperation(Operation):
        def __post_init__(self) -> None:
            self.request_body = RequestBody(
                content={media_type: OpenAPIMediaType(schema=schema or Schema(type=OpenAPIType.STRING))},
                description=description,
                required=True,
            )

    return RawBodyOperation


GEOJSON_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    description="GeoJSON (RFC 7946) Feature or FeatureCollection",
    properties={"type": Schema(type=OpenAPIType.STRING)},
    required=["type"],
)
