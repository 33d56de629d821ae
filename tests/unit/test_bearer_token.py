"""Reading the caller's token from the raw ASGI headers (api/auth.bearer_token)."""

from __future__ import annotations

from litestar.connection import ASGIConnection

from grannsamverkan.api.auth import TOKEN_COOKIE, bearer_token


def connection(*headers: tuple[bytes, bytes]) -> ASGIConnection:
    scope = {"type": "http", "headers": list(headers), "path": "/", "query_string": b"", "app": None}
    return ASGIConnection(scope)  # type: ignore[arg-type]


def test_bearer_header_in_any_case_with_spaces() -> None:
    assert bearer_token(connection((b"authorization", b"Bearer abc"))) == "abc"
    assert bearer_token(connection((b"Authorization", b"bearer   abc  "))) == "abc"


def test_the_header_wins_over_the_session_cookie() -> None:
    cookie = (b"cookie", f"{TOKEN_COOKIE}=from-cookie".encode())
    assert bearer_token(connection(cookie, (b"authorization", b"Bearer from-header"))) == "from-header"
    assert bearer_token(connection(cookie)) == "from-cookie"


def test_other_schemes_and_empty_values_are_no_token() -> None:
    assert bearer_token(connection((b"authorization", b"Basic dXNlcjpwdw=="))) is None
    assert bearer_token(connection((b"authorization", b"Bearer "))) is None
    assert bearer_token(connection()) is None
