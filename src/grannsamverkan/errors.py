"""The project's one exception hierarchy.

Raised anywhere below the HTTP layer; ``http/problem.py`` maps each class to an RFC 9457
problem+json answer and the CLI prints it to stderr with exit 2. Nothing below ``api/`` raises
HTTP exceptions.
"""

from __future__ import annotations

from typing import Any

import msgspec


class FieldError(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Where input went wrong: a field path, a CSV line or a GeoJSON feature index."""

    field: str
    message: str
    line: int | None = None
    feature: int | None = None
    # Where on the map the problem is, as GeoJSON in WGS 84 (lon/lat): the overlap with another
    # area, the point where a boundary crosses itself, the part outside the kommun.
    geometry: dict[str, Any] | None = None


class GrannsamverkanError(Exception):
    """Base class. ``status`` is the HTTP status the API answers with."""

    status: int = 500
    title: str = "Internal error"
    type_slug: str = "internal"

    def __init__(self, detail: str, errors: list[FieldError] | None = None, **extra: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.extra = extra


class MalformedInput(GrannsamverkanError):
    status, title, type_slug = 400, "Malformed input", "malformed-input"


class InvalidInput(GrannsamverkanError):
    status, title, type_slug = 422, "Invalid input", "invalid-input"


class NotAuthenticated(GrannsamverkanError):
    status, title, type_slug = 401, "Not authenticated", "not-authenticated"


class Forbidden(GrannsamverkanError):
    status, title, type_slug = 403, "Forbidden", "forbidden"


class NotFound(GrannsamverkanError):
    status, title, type_slug = 404, "Not found", "not-found"


class Conflict(GrannsamverkanError):
    status, title, type_slug = 409, "Conflict", "conflict"


class PayloadTooLarge(GrannsamverkanError):
    status, title, type_slug = 413, "Payload too large", "payload-too-large"


class DatabaseUnavailable(GrannsamverkanError):
    status, title, type_slug = 503, "Database unavailable", "database-unavailable"


class MigrationError(GrannsamverkanError):
    status, title, type_slug = 500, "Migration error", "migration-error"


class RequestTimeout(GrannsamverkanError):
    status, title, type_slug = 408, "Request timeout", "request-timeout"
