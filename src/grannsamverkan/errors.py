"""The project's one exception hierarchy.

Raised anywhere below the HTTP layer; ``http/problem.py`` maps each class to an RFC 9457
problem+json answer and the CLI prints it to stderr with exit 2. Nothing below ``api/`` raises
HTTP exceptions.

Every error carries a stable ``code`` from :mod:`grannsamverkan.messages` and the values its
Swedish text needs: ``raise NotFound("area.not_found", area_id=999)``; the text a person reads
is the catalog's template filled with those values. :meth:`GrannsamverkanError.at` is the short
form for an error about one field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

import msgspec

from grannsamverkan import messages


class FieldError(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Where input went wrong: a field path, a CSV line or a GeoJSON feature index.

    ``code`` is the catalog's code of ``message`` (the Swedish text); build one with
    :meth:`FieldError.of` so the two always agree."""

    field: str
    message: str
    line: int | None = None
    feature: int | None = None
    # Where on the map the problem is, as GeoJSON in WGS 84 (lon/lat): the overlap with another
    # area, the point where a boundary crosses itself, the part outside the kommun.
    geometry: dict[str, Any] | None = None
    code: str = ""

    @classmethod
    def of(cls, field: str, code: str, /, *, line: int | None = None, feature: int | None = None, **values: Any) -> FieldError:
        """``FieldError.of("name", "group.name_empty")``: the catalog's text for ``code``."""
        return cls(field=field, message=messages.text(code, **values), line=line, feature=feature, code=code)


class GrannsamverkanError(Exception):
    """Base class. ``status`` is the HTTP status the API answers with and ``title`` its short
    Swedish summary (problem+json's ``title``); ``code`` names the message in
    :data:`grannsamverkan.messages.CATALOG`, ``detail`` is its Swedish text."""

    status: int = 500
    title: str = "Internt fel"
    type_slug: str = "internal"

    def __init__(
        self, code: str, errors: list[FieldError] | None = None, /, *, extra: Mapping[str, object] | None = None, **values: Any
    ) -> None:
        if messages.known(code):
            self.code, self.detail = code, messages.text(code, **values)
        else:  # not yet a code (a text from before the catalog): shown as it is; tests/unit/test_messages finds these
            self.code, self.detail = "", code
        super().__init__(self.detail)
        self.values = values
        self.errors = errors or []
        self.extra = dict(extra or {})

    @classmethod
    def at(cls, field: str, code: str, /, *, line: int | None = None, feature: int | None = None, **values: Any) -> Self:
        """One error about one field: the problem and the field say the same Swedish text."""
        return cls(code, [FieldError.of(field, code, line=line, feature=feature, **values)], **values)


class MalformedInput(GrannsamverkanError):
    status, title, type_slug = 400, "Felaktigt format", "malformed-input"


class InvalidInput(GrannsamverkanError):
    status, title, type_slug = 422, "Ogiltiga uppgifter", "invalid-input"


class NotAuthenticated(GrannsamverkanError):
    status, title, type_slug = 401, "Inte inloggad", "not-authenticated"


class Forbidden(GrannsamverkanError):
    status, title, type_slug = 403, "Åtkomst nekad", "forbidden"


class NotFound(GrannsamverkanError):
    status, title, type_slug = 404, "Finns inte", "not-found"


class Conflict(GrannsamverkanError):
    status, title, type_slug = 409, "Går inte ihop med nuvarande läge", "conflict"


class PayloadTooLarge(GrannsamverkanError):
    status, title, type_slug = 413, "För stor begäran", "payload-too-large"


class DatabaseUnavailable(GrannsamverkanError):
    status, title, type_slug = 503, "Databasen går inte att nå", "database-unavailable"


class MigrationError(GrannsamverkanError):
    status, title, type_slug = 500, "Fel i databasens migreringar", "migration-error"


class RequestTimeout(GrannsamverkanError):
    status, title, type_slug = 408, "Tiden för begäran gick ut", "request-timeout"
