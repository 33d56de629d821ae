"""Server-rendered pages in Swedish for coordinators and police, over the same db and domain code
as the API: sign-in, kommun overview with a map, area page, priority areas, goals and imports.

``create_routers()`` gives the page router (``page_guard``, which takes the session cookie as well
as a bearer token, the API's dependencies, CSRF checks and security headers) and the static files; ``template_config()`` the Jinja templates
inside the package, so an installed wheel finds them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from litestar import Router
from litestar.di import Provide
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from grannsamverkan.domain import numbers
from grannsamverkan.domain.eligibility import required_signups
from grannsamverkan.http.auth import page_guard, provide_principal
from grannsamverkan.http.common import SECURITY_HEADERS, provide_db, security_headers, with_static_file_headers
from grannsamverkan.settings import Settings
from grannsamverkan.web import wording
from grannsamverkan.web.csrf import CsrfMiddleware
from grannsamverkan.web.edit import EditPages
from grannsamverkan.web.errors import with_page_errors
from grannsamverkan.web.goals import GoalPages
from grannsamverkan.web.households import DoorListPages, OutsidePages
from grannsamverkan.web.imports import ImportPages
from grannsamverkan.web.lifecycle import LifecyclePages
from grannsamverkan.web.map_layers import MapLayerPages
from grannsamverkan.web.places import PlacePages, PublicPlacePages
from grannsamverkan.web.priority import PriorityPages
from grannsamverkan.web.promises import PromisePages
from grannsamverkan.web.registry import RegistryPages
from grannsamverkan.web.search import SearchPages
from grannsamverkan.web.session import SessionController

__all__ = ["SECURITY_HEADERS", "create_routers", "template_config", "with_page_errors"]

HERE: Final = Path(__file__).parent
TEMPLATES: Final = HERE / "templates"
STATIC: Final = HERE / "static"


def create_routers(settings: Settings | None = None) -> list[Router]:
    """The pages allow images from the map tiles' host of ``settings`` (none without)."""
    tiles = settings.tile_origin if settings else None
    pages = Router(
        path="/",
        route_handlers=[
            SessionController,
            RegistryPages,
            DoorListPages,
            OutsidePages,
            SearchPages,
            EditPages,
            PriorityPages,
            GoalPages,
            PromisePages,
            ImportPages,
            PlacePages,
            PublicPlacePages,
            LifecyclePages,
            MapLayerPages,
        ],
        guards=[page_guard],
        dependencies={"db": Provide(provide_db), "principal": Provide(provide_principal, sync_to_thread=False)},
        middleware=[CsrfMiddleware()],
        response_headers=security_headers(image_origins=(tiles,)) if tiles else SECURITY_HEADERS,
        include_in_schema=False,
    )
    static = create_static_files_router(
        path="/static",
        directories=[STATIC],
        opt={"capability": "public"},
        guards=[page_guard],
        name="web-static",
        after_request=with_static_file_headers,
        include_in_schema=False,
    )
    return [pages, static]


def _engine_setup(engine: JinjaTemplateEngine) -> None:
    env = engine.engine
    env.filters.update(
        percent=wording.percent,
        number=wording.number,
        long_date=wording.long_date,
        by_place=wording.by_place,
        place_stripped=wording.place_stripped,
        integer=numbers.count,
        tally=numbers.tally,
        percent_of=numbers.percent,
        expected=numbers.expected,
        required_signups=required_signups,
    )
    env.globals.update(
        AREA_KINDS=wording.AREA_KINDS,
        GROUP_KINDS=wording.GROUP_KINDS,
        GROUP_STATUSES=wording.GROUP_STATUSES,
        GOAL_STATUSES=wording.GOAL_STATUSES,
        ROLES=wording.ROLES,
    )
    env.trim_blocks = True
    env.lstrip_blocks = True


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine, engine_callback=_engine_setup)
