"""``hot_get``: a GET route for the hot path (``GET /api/v1/groups/{id}/eligibility``).

It is an ordinary Litestar route: same routing, guards, parameters, errors and OpenAPI entry.
Two steps of Litestar's per-request work are done more directly, because on the hot path each
costs as much as the route's own Python code (benchmarks/README.md, "Hot path"):

- Litestar hands every guard ``copy(handler)``, in case a guard changes it: about 9 µs a request.
  ``capability_guard`` only reads ``opt``, so it gets the handler itself.
- For the answer, Litestar builds a ``Response`` and then an ``ASGIResponse`` with mutable header
  objects: about a third of its own work per request. When the route returns a msgspec struct
  and no layer adds headers, cookies, a background task, an after-request hook or a DTO, the
  answer is the struct encoded by Litestar's own JSON serializer with the route's status and
  media type, sent as two ASGI messages: the same bytes and headers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec
from litestar import HttpMethod, MediaType
from litestar.connection import ASGIConnection
from litestar.handlers import HTTPRouteHandler
from litestar.response import Response
from litestar.serialization import encode_json, get_serializer

if TYPE_CHECKING:
    from collections.abc import Callable

    from litestar import Litestar, Request
    from litestar.types import ASGIApp, Receive, Scope, Send


class EncodedJson:
    """An answer already encoded: status, content type and length, body."""

    __slots__ = ("_body", "_start")

    def __init__(self, status_code: int, body: bytes) -> None:
        self._start = {
            "type": "http.response.start",
            "status": status_code,
            "headers": [(b"content-type", MediaType.JSON.value.encode()), (b"content-length", str(len(body)).encode())],
        }
        self._body = {"type": "http.response.body", "body": body, "more_body": False}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(self._start)  # type: ignore[arg-type]
        await send(self._body)  # type: ignore[arg-type]


class HotGetHandler(HTTPRouteHandler):
    """A GET route handler with a direct guard call and, where nothing else shapes the answer, a
    direct JSON answer (see the module's docstring)."""

    _direct_json: Callable[[Any], bytes] | None = None  # decided when the route is registered

    def on_registration(self, app: Litestar) -> None:
        super().on_registration(app)
        self._direct_json = self._json_encoder()

    async def authorize_connection(self, connection: ASGIConnection[Any, Any, Any, Any]) -> None:
        for guard in self.resolve_guards():
            await guard(connection, self)  # type: ignore[misc]  # the project's guards are all async

    def _json_encoder(self) -> Callable[[Any], bytes] | None:
        """Litestar's encoder for this route's answers, or None when any layer shapes the answer
        beyond the encoded body (then Litestar's own response is used)."""
        shaped = (
            any(layer.after_request for layer in self.ownership_layers)
            or self.resolve_response_headers()
            or self.resolve_response_cookies()
            or self.background is not None
            or self.resolve_return_dto() is not None
            or self.resolve_response_class() is not Response
            or self.media_type != MediaType.JSON
        )
        if shaped:
            return None
        serializer = get_serializer(self.resolve_type_encoders())
        return lambda data: encode_json(data, serializer)

    async def to_response(self, app: Litestar, data: Any, request: Request[Any, Any, Any]) -> ASGIApp:
        if self._direct_json is not None and isinstance(data, msgspec.Struct):
            return EncodedJson(self.status_code, self._direct_json(data))
        return await super().to_response(app, data, request)


def hot_get(path: str, **kwargs: Any) -> HTTPRouteHandler:
    """``@get`` for the hot path: the same route, with less per-request work (see the module)."""
    return HotGetHandler(path, http_method=HttpMethod.GET, **kwargs)
