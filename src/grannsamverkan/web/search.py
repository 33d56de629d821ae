"""The search page: the header's search box lands here (``/sok?q=…``)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromQuery
from litestar.response import Template

from grannsamverkan.errors import InvalidInput
from grannsamverkan.http.common import Caller, Db
from grannsamverkan.services.search import search
from grannsamverkan.web.context import page


class SearchPages(Controller):
    path = "/sok"
    include_in_schema = False

    @get("/", opt={"capability": "read"})
    async def results(self, request: Request[Any, Any, Any], db: Db, principal: Caller, q: FromQuery[str | None] = None) -> Template:
        if q is None or not q.strip():
            return page(request, "search.html.j2", q="", result=None, failure=None)
        try:
            result = await search(db, principal, q)
        except InvalidInput as exc:
            return page(request, "search.html.j2", q=q, result=None, failure=exc, status_code=exc.status)
        return page(request, "search.html.j2", q=result.text, result=result, failure=None)
