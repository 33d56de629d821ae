"""Signing in with a token (kept in an HttpOnly, SameSite=Strict cookie) and signing out."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures.cookie import Cookie
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from grannsamverkan.api.auth import TOKEN_COOKIE
from grannsamverkan.db import tokens
from grannsamverkan.web.context import page
from grannsamverkan.web.csrf import is_https


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an absolute URL or a scheme-relative ``//host``."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or "\n" in target or "\r" in target:
        return "/"
    return target


def session_cookie(request: Request[Any, Any, Any], token: str) -> Cookie:
    return Cookie(key=TOKEN_COOKIE, value=token, path="/", httponly=True, samesite="strict", secure=is_https(request.scope))


class SessionController(Controller):
    path = "/"
    include_in_schema = False

    @get("/logga-in", opt={"capability": "public"}, name="sign-in")
    async def sign_in_form(self, request: Request[Any, Any, Any], nasta: FromQuery[str | None] = None) -> Template:
        return page(request, "sign_in.html.j2", next=safe_next(nasta), error=None)

    @post("/logga-in", opt={"capability": "public"}, status_code=HTTP_303_SEE_OTHER)
    async def sign_in(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        form = await request.form()
        token = form.get("token")
        token = token.strip() if isinstance(token, str) else ""
        target = safe_next(form.get("nasta") if isinstance(form.get("nasta"), str) else None)
        principal = await tokens.principal_for(request.app.state.pool, token) if token else None
        if principal is None:
            message = "Skriv in din token." if not token else "Token är okänd eller återkallad."
            return page(request, "sign_in.html.j2", status_code=401, next=target, error=message)
        return Redirect(target, status_code=HTTP_303_SEE_OTHER, cookies=[session_cookie(request, token)])

    @post("/logga-ut", opt={"capability": "public"}, status_code=HTTP_303_SEE_OTHER)
    async def sign_out(self, request: Request[Any, Any, Any]) -> Redirect:
        gone = Cookie(key=TOKEN_COOKIE, value="", path="/", httponly=True, samesite="strict",
                      secure=is_https(request.scope), max_age=0, expires=0)
        return Redirect("/logga-in?utloggad=1", status_code=HTTP_303_SEE_OTHER, cookies=[gone])
