"""create_app: wiring only (settings, pool, routes, errors, OpenAPI)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib.util
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar, Request, Router
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router

from grannsamverkan import __version__
from grannsamverkan.api import routes
from grannsamverkan.api.system import health
from grannsamverkan.db import notify
from grannsamverkan.db.embedded import resolve_database_url
from grannsamverkan.db.migrate import migrate
from grannsamverkan.db.notify import Handler, Listener
from grannsamverkan.db.pool import create_pool
from grannsamverkan.http.auth import TokenCache, capability_guard, provide_principal
from grannsamverkan.http.common import SECURITY_HEADERS, provide_db, with_static_file_headers
from grannsamverkan.http.problem import EXCEPTION_HANDLERS
from grannsamverkan.settings import Settings
from grannsamverkan.web import create_routers, template_config, with_page_errors
from grannsamverkan.web.csrf import FORM_FIELDS

log = logging.getLogger("grannsamverkan")

# Swagger UI's files come with a dependency (swagger-ui-py, Swagger UI 5: it renders OpenAPI 3.1),
# not from a CDN: the API's page must work on a kommun's network that reaches no CDN.
SWAGGER_ASSETS = "/schema/assets"


def swagger_ui_files() -> Path:
    """The folder of Swagger UI's files in swagger-ui-py, found without importing the package."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the package swagger-ui-py is missing: pip install grannsamverkan again")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


class SwaggerPage(SwaggerRenderPlugin):
    """Swagger UI without inline script or style, so the page keeps the pages' Content-Security-
    Policy (``script-src 'self'``): the document is fetched from /schema/openapi.json by
    /static/swagger-init.js."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = str(openapi_schema["info"]["title"]).replace("<", "&lt;")
        return (
            "<!DOCTYPE html><html lang='en'><head>"
            f"<title>{title}</title>{self.favicon}<meta charset='utf-8'/>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<link href='{self.css_url}' rel='stylesheet'>"
            f"<script src='{self.js_url}'></script><script src='{self.standalone_preset_js_url}'></script>"
            "<script src='/static/swagger-init.js'></script>"
            "</head><body><div id='swagger-container'></div></body></html>"
        ).encode()


def create_app(settings: Settings | None = None, *, run_migrations: bool = True, serving: bool = False) -> Litestar:
    """The app; ``serving`` (a server process that lives until it stops, not a test's app) freezes
    what start-up made out of the garbage collector's way."""
    settings = settings or Settings.from_env()
    api = Router(
        path="/",
        route_handlers=routes.CONTROLLERS,
        guards=[capability_guard],
        dependencies={"db": Provide(provide_db), "principal": Provide(provide_principal, sync_to_thread=False)},
        security=[{"bearer": []}],
    )
    swagger_assets = create_static_files_router(
        path=SWAGGER_ASSETS,
        directories=[swagger_ui_files()],
        name="swagger-assets",
        after_request=with_static_file_headers,
        include_in_schema=False,
    )
    app = Litestar(
        route_handlers=[health, api, swagger_assets, *create_routers(settings)],
        lifespan=[_database(settings, run_migrations=run_migrations, serving=serving)],
        exception_handlers=with_page_errors(EXCEPTION_HANDLERS),
        template_config=template_config(),
        request_max_body_size=settings.max_body_bytes,
        multipart_form_part_limit=FORM_FIELDS,
        openapi_config=_openapi_config(),
    )
    app.state.settings = settings
    app.state.token_cache = TokenCache(settings.token_cache_seconds)
    return app


def _database(settings: Settings, *, run_migrations: bool, serving: bool) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """The app's lifespan: the database (migrated, pooled), its notifications and the mail outbox's sender."""

    @asynccontextmanager
    async def database(app: Litestar) -> AsyncIterator[None]:
        url = await resolve_database_url(settings.database_url, settings.data_dir)
        if run_migrations:
            await migrate(url)
        pool = await create_pool(url, min_size=settings.pool_min_size, max_size=settings.pool_max_size)
        app.state.pool = pool
        app.state.database_url = url
        if serving:
            # What start-up made (routes, templates, the kommun boundaries) lives as long as the
            # process: out of the collector's generations, it is no longer walked by every full
            # collection (about 70 ms each at a Stockholm-size kommun page, national benchmark).
            gc.collect()
            gc.freeze()
        mail_wake = asyncio.Event() if sends_mail(settings) else None
        listener = notification_listener(settings, url, app.state.token_cache, mail_wake)
        sender = None
        try:
            if listener is not None:
                await listener.start()
            sender = start_mail_sender(settings, pool, mail_wake)
            yield
        finally:
            if sender is not None:
                sender.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sender
            if listener is not None:
                await listener.close()
            await pool.close()

    return database


def notification_listener(settings: Settings, url: str, cache: TokenCache, mail_wake: asyncio.Event | None) -> Listener | None:
    """The process's listening connection (db/notify.py), when something here needs it: the token
    cache (an ended sign-in empties it; it caches only while it hears of them) and the mail sender
    (a queued mail wakes it)."""
    handlers: dict[str, Handler] = {}
    if settings.token_cache_seconds > 0:
        handlers[notify.REVOKED] = cache.clear
    if mail_wake is not None:
        handlers[notify.OUTBOX] = lambda _payload: mail_wake.set()
    if not handlers:
        return None

    def on_state(heard: bool) -> None:
        if notify.REVOKED in handlers:
            cache.listening(heard)
        if heard and mail_wake is not None:
            mail_wake.set()  # a mail may have been queued while nobody listened

    return Listener(url, handlers, on_state)


BEARER = SecurityScheme(type="http", scheme="bearer", description="opaque token from 'grannsamverkan token create'")


def _openapi_config() -> OpenAPIConfig:
    """``/schema``: the OpenAPI document, and Swagger UI started without inline script."""
    return OpenAPIConfig(
        title="grannsamverkan",
        version=__version__,
        description=(
            "Registry and eligibility service for Swedish neighbourhood-watch groups "
            "(grannsamverkan, byavakt). Errors are RFC 9457 application/problem+json."
        ),
        path="/schema",
        openapi_router=Router(path="/schema", route_handlers=[], response_headers=SECURITY_HEADERS, include_in_schema=False),
        render_plugins=[
            SwaggerPage(
                path="/",
                js_url=f"{SWAGGER_ASSETS}/swagger-ui-bundle.js",
                css_url=f"{SWAGGER_ASSETS}/swagger-ui.css",
                standalone_preset_js_url=f"{SWAGGER_ASSETS}/swagger-ui-standalone-preset.js",
                favicon=f"<link rel='icon' type='image/png' href='{SWAGGER_ASSETS}/favicon-32x32.png'>",
            ),
            JsonRenderPlugin(),
        ],
        components=Components(
            security_schemes={
                "bearer": SecurityScheme(type="http", scheme="bearer", description="opaque token from 'grannsamverkan token create'")
            }
        ),
    )


def sends_mail(settings: Settings) -> bool:
    """Does the server send the outbox by itself (SMTP_URL set, the interval not 0)?"""
    return bool(settings.smtp_url) and settings.mail_interval_seconds > 0


def start_mail_sender(settings: Settings, pool: Any, wake: asyncio.Event | None = None) -> asyncio.Task[None] | None:
    """The outbox's sender, when SMTP_URL is set and the interval is not 0 (services/mail.py);
    ``wake`` set: a mail was queued."""
    if not sends_mail(settings):
        return None
    from grannsamverkan.services.mail import send_outbox_forever, smtp_target

    target = smtp_target(settings.smtp_url, settings.mail_from)  # an unusable SMTP_URL stops start-up, naming it
    return asyncio.create_task(send_outbox_forever(pool, target, settings.mail_interval_seconds, wake), name="mail-outbox")


def create_app_from_env() -> Litestar:
    """Factory for ASGI servers started with several workers (settings come from the environment)."""
    from grannsamverkan.server_log import install_swedish_uvicorn_lines

    install_swedish_uvicorn_lines()  # in each worker process
    return create_app(serving=True)
