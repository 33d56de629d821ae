"""``hot_get`` (api/hot.py) answers exactly as Litestar's ``@get`` does, with less work per request."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar import Litestar, Router, get
from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.testing import TestClient

from grannsamverkan.api.hot import HotGetHandler, hot_get
from grannsamverkan.http.common import FromPath


class Answer(msgspec.Struct, kw_only=True):
    item_id: int
    name: str
    share: float
    flags: list[str]
    seen_at: datetime


def answer(item_id: FromPath[int]) -> Answer:
    return Answer(
        item_id=item_id, name="Storgatan 1, Sollefteå", share=0.7, flags=["a", "ö"], seen_at=datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    )


@get("/plain/{item_id:int}")
async def plain(item_id: FromPath[int]) -> Answer:
    return answer(item_id)


@hot_get("/hot/{item_id:int}")
async def hot(item_id: FromPath[int]) -> Answer:
    return answer(item_id)


@hot_get("/hot-dict/{item_id:int}")
async def hot_dict(item_id: FromPath[int]) -> dict[str, Any]:
    return {"item_id": item_id}


def client(*handlers: Any) -> TestClient:
    return TestClient(Litestar(route_handlers=list(handlers)))


def direct(c: TestClient, path: str) -> bool:
    """Whether the hot handler at ``path`` answered a struct by encoding it directly."""
    (handler,) = [h for route in c.app.routes if route.path == path for h in route.route_handlers if isinstance(h, HotGetHandler)]
    return handler._direct_json is not None


def test_the_same_status_headers_and_bytes_as_litestars_get() -> None:
    with client(plain, hot, hot_dict) as c:
        expected, actual = c.get("/plain/7"), c.get("/hot/7")
        assert actual.status_code == expected.status_code == 200
        assert actual.content == expected.content
        assert actual.headers.items() == expected.headers.items()
        assert actual.json()["name"] == "Storgatan 1, Sollefteå"
        assert c.get("/hot-dict/3").json() == {"item_id": 3}  # not a struct: Litestar's own answer
        assert c.get("/hot/not-a-number").status_code == 404  # routing and parameters unchanged
        assert direct(c, "/hot/{item_id:int}")


def test_a_layer_that_shapes_the_answer_keeps_litestars_response() -> None:
    shaped = Router("/shaped", route_handlers=[hot], response_headers={"X-Frame-Options": "DENY"})
    with client(shaped) as c:
        response = c.get("/shaped/hot/7")
        assert response.headers["x-frame-options"] == "DENY"
        assert response.json()["item_id"] == 7
        assert not direct(c, "/shaped/hot/{item_id:int}")


def test_the_routes_status_code_is_kept() -> None:
    @hot_get("/created/{item_id:int}", status_code=201)
    async def created(item_id: FromPath[int]) -> Answer:
        return answer(item_id)

    with client(created) as c:
        response = c.get("/created/1")
        assert response.status_code == 201 and response.json()["item_id"] == 1
        assert direct(c, "/created/{item_id:int}")


def test_guards_run_once_on_the_handler_itself() -> None:
    seen: list[BaseRouteHandler] = []

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
        seen.append(handler)
        if connection.query_params.get("deny"):
            raise PermissionDeniedException("no")

    @hot_get("/guarded", guards=[guard])
    async def guarded() -> Answer:
        return answer(1)

    with client(guarded) as c:
        assert c.get("/guarded").status_code == 200
        assert c.get("/guarded?deny=1").status_code == 403
    assert len(seen) == 2 and all(isinstance(h, HotGetHandler) for h in seen)
