"""Signing in with a token and signing out.

Signing in opens a session on the server (``db/sessions.py``); the browser gets its random id in
an HttpOnly, SameSite=Strict cookie (``__Host-gsv_session`` over https, see ``http/auth.py``),
never the token. Signing out ends the session on the server, so a copied cookie stops working too.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures.cookie import Cookie
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from grannsamverkan.db import sessions, tokens
from grannsamverkan.http.auth import TokenCache, cache_key, session_cookie_name, session_id
from grannsamverkan.web.context import page
from grannsamverkan.web.csrf import is_https


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an absolute URL or a scheme-relative ``//host``."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or "\n" in target or "\r" in target:
        return "/"
    return target


def session_cookie(request: Request[Any, Any, Any], session: str, **extra: Any) -> Cookie:
    """Secure, Path=/ and no Domain over https: what the __Host- prefix requires."""
    return Cookie(
        key=session_cookie_name(request.scope),
        value=session,
        path="/",
        httponly=True,
        samesite="strict",
        secure=is_https(request.scope),
        **extra,
    )


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
        hours = request.app.state.settings.session_hours
        session = await sessions.open_session(request.app.state.pool, principal, hours=hours)
        return Redirect(target, status_code=HTTP_303_SEE_OTHER, cookies=[session_cookie(request, session, max_age=int(hours * 3600))])

    @post("/logga-ut", opt={"capability": "public"}, status_code=HTTP_303_SEE_OTHER)
    async def sign_out(self, request: Request[Any, Any, Any]) -> Redirect:
        session = session_id(request)
        if session:
            await sessions.end_session(request.app.state.pool, session)
            cache: TokenCache = request.app.state.token_cache
            cache.drop(cache_key(session, session=True))
        gone = session_cookie(request, "", max_age=0, expires=0)
        return Redirect("/logga-in?utloggad=1", status_code=HTTP_303_SEE_OTHER, cookies=[gone])
