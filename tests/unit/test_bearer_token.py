"""Reading the caller's token from the raw ASGI headers (http/auth.bearer_token): the header only,
never a cookie (issue 13, item 5: the API takes bearer tokens only)."""

from __future__ import annotations

from litestar.connection import ASGIConnection

from grannsamverkan.http.auth import PLAIN_SESSION_COOKIE, SESSION_COOKIE, bearer_token, session_cookie_name, session_id


def connection(*headers: tuple[bytes, bytes], scheme: str = "http") -> ASGIConnection:
    scope = {"type": "http", "headers": list(headers), "path": "/", "query_string": b"", "app": None, "scheme": scheme}
    return ASGIConnection(scope)  # type: ignore[arg-type]


def test_bearer_header_in_any_case_with_spaces() -> None:
    assert bearer_token(connection((b"authorization", b"Bearer abc"))) == "abc"
    assert bearer_token(connection((b"Authorization", b"bearer   abc  "))) == "abc"


def test_a_cookie_is_never_a_bearer_token() -> None:
    for name in (SESSION_COOKIE, PLAIN_SESSION_COOKIE, "gsv_token"):
        cookie = (b"cookie", f"{name}=from-cookie".encode())
        assert bearer_token(connection(cookie)) is None
        assert bearer_token(connection(cookie, (b"authorization", b"Bearer from-header"))) == "from-header"


def test_the_session_cookie_has_the_host_prefix_over_https_only() -> None:
    assert session_cookie_name({"scheme": "https"}) == "__Host-gsv_session"
    assert session_cookie_name({"scheme": "http"}) == "gsv_session"
    both = (b"cookie", b"gsv_session=plain; __Host-gsv_session=prefixed")
    assert session_id(connection(both, scheme="https")) == "prefixed"
    assert session_id(connection(both, scheme="http")) == "plain"
    # Over https an unprefixed cookie (which a subdomain could have set) does not count.
    assert session_id(connection((b"cookie", b"gsv_session=tossed"), scheme="https")) is None


def test_other_schemes_and_empty_values_are_no_token() -> None:
    assert bearer_token(connection((b"authorization", b"Basic dXNlcjpwdw=="))) is None
    assert bearer_token(connection((b"authorization", b"Bearer "))) is None
    assert bearer_token(connection()) is None
