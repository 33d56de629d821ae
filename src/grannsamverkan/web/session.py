"""Signing in with a personal account (name and password) or an API token, and signing out.

Signing in opens a session on the server (``services/accounts.py``, ``db/sessions.py``) with a new
random id, and ends the one the browser had (the id rotates at every sign-in). The browser gets
the id in an HttpOnly, SameSite=Strict cookie (``__Host-gsv_session`` over https, see
``http/auth.py``), never a password or token. Signing out ends the session on the server, so a
copied cookie stops working too.

Sign-in attempts are counted per client address and per name (``domain.places.RateLimiter``, the
limiter of the public report form); over the limit the page answers 429 before any password is
checked.
"""

from __future__ import annotations

from typing import Any, Final

from litestar import Controller, Request, get, post
from litestar.datastructures.cookie import Cookie
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from grannsamverkan.domain.accounts import name_key
from grannsamverkan.domain.places import RateLimiter
from grannsamverkan.http.auth import TokenCache, cache_key, session_cookie_name, session_id
from grannsamverkan.services import accounts
from grannsamverkan.web.context import page
from grannsamverkan.web.csrf import is_https

SIGN_IN_WINDOW_SECONDS: Final = 15 * 60
# Attempts (right or wrong) in the window: per client address (a whole office behind one address
# signs in in the morning), and per name (guessing one person's password from many addresses).
SIGN_IN_PER_CLIENT: Final = 30
SIGN_IN_PER_NAME: Final = 10

WRONG_PASSWORD: Final = "Fel namn eller lösenord, eller så är kontot avstängt."
WRONG_TOKEN: Final = "Token är okänd eller återkallad."


class SignInLimits:
    """The two counters of sign-in attempts (per server process, in memory)."""

    def __init__(self, per_client: int = SIGN_IN_PER_CLIENT, per_name: int = SIGN_IN_PER_NAME) -> None:
        self.client = RateLimiter(per_client, SIGN_IN_WINDOW_SECONDS)
        self.name = RateLimiter(per_name, SIGN_IN_WINDOW_SECONDS)

    def wait(self, client: str, name: str | None) -> int | None:
        """Record an attempt; the seconds to wait when it is over a limit (not recorded then)."""
        if not self.client.allow(client):
            return self.client.retry_after(client)
        if name is not None and not self.name.allow(name):
            return self.name.retry_after(name)
        return None


def sign_in_limits(request: Request[Any, Any, Any]) -> SignInLimits:
    state = request.app.state
    found: SignInLimits | None = getattr(state, "sign_in_limits", None)
    if found is None:
        found = state.sign_in_limits = SignInLimits()
    return found


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


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _forget(request: Request[Any, Any, Any], session: str | None) -> None:
    if session:
        cache: TokenCache = request.app.state.token_cache
        cache.drop(cache_key(session, session=True))


def _form_page(request: Request[Any, Any, Any], status: int, target: str, *, error: str, error_for: str, name: str = "") -> Template:
    return page(request, "sign_in.html.j2", status_code=status, next=target, error=error, error_for=error_for, name=name)


class SessionController(Controller):
    path = "/"
    include_in_schema = False

    @get("/logga-in", opt={"capability": "public"}, name="sign-in")
    async def sign_in_form(self, request: Request[Any, Any, Any], nasta: FromQuery[str | None] = None) -> Template:
        return page(request, "sign_in.html.j2", next=safe_next(nasta), error=None, error_for=None, name="")

    @post("/logga-in", opt={"capability": "public"}, status_code=HTTP_303_SEE_OTHER)
    async def sign_in(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        form = await request.form()
        target = safe_next(_text(form.get("nasta")) or None)
        token = _text(form.get("token")).strip()
        name = _text(form.get("namn")).strip()
        password = _text(form.get("losenord"))
        by_token = bool(token) and not name
        client = request.client.host if request.client else "unknown"
        wait = sign_in_limits(request).wait(client, None if by_token else name_key(name))
        if wait is not None:
            minutes = max(1, round(wait / 60))
            response = _form_page(
                request,
                429,
                target,
                error=f"För många inloggningsförsök. Vänta {minutes} min och försök igen.",
                error_for="token" if by_token else "konto",
                name=name,
            )
            response.headers["Retry-After"] = str(wait)
            return response
        pool, hours, old = request.app.state.pool, request.app.state.settings.session_hours, session_id(request)
        if by_token:
            signed_in = await accounts.sign_in_with_token(pool, token, hours=hours, replacing=old)
            if signed_in is None:
                return _form_page(request, 401, target, error=WRONG_TOKEN, error_for="token")
        else:
            if not name or not password:
                missing = (
                    "Skriv in namn och lösenord."
                    if not name and not password
                    else "Skriv in ditt namn."
                    if not name
                    else "Skriv in ditt lösenord."
                )
                return _form_page(request, 401, target, error=missing, error_for="konto", name=name)
            signed_in = await accounts.sign_in_with_password(pool, name, password, hours=hours, replacing=old)
            if signed_in is None:
                return _form_page(request, 401, target, error=WRONG_PASSWORD, error_for="konto", name=name)
        _forget(request, old)
        cookie = session_cookie(request, signed_in.session, max_age=int(hours * 3600))
        return Redirect(target, status_code=HTTP_303_SEE_OTHER, cookies=[cookie])

    @post("/logga-ut", opt={"capability": "public"}, status_code=HTTP_303_SEE_OTHER)
    async def sign_out(self, request: Request[Any, Any, Any]) -> Redirect:
        session = session_id(request)
        if session:
            await accounts.sign_out(request.app.state.pool, session)
            _forget(request, session)
        gone = session_cookie(request, "", max_age=0, expires=0)
        return Redirect("/logga-in?utloggad=1", status_code=HTTP_303_SEE_OTHER, cookies=[gone])
