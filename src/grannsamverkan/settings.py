"""Configuration: every setting declared once, with its bounds, and read from the environment.

Each field of :class:`Settings` is one environment variable (``ENV_NAMES``); ``from_env`` hands the
variables to ``msgspec.convert`` as they are, so a value that is not a number, or is out of its
bounds, is refused with a :class:`ConfigurationError` naming the variable (in Swedish), never a
traceback. The README's Configuration table lists the same variables.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Final
from urllib.parse import urlsplit

import msgspec
import platformdirs

from grannsamverkan.errors import GrannsamverkanError

OSM_TILE_URL: Final = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION: Final = "© OpenStreetMap-bidragsgivare"
NO_TILES: Final = frozenset({"", "none"})  # map_tile_url values meaning: no background tiles

KIB: Final = 1024
MIB: Final = 1024 * KIB


class ConfigurationError(GrannsamverkanError):
    status, title, type_slug = 500, "Configuration error", "configuration-error"


def default_data_dir() -> Path:
    """Where the embedded PostgreSQL keeps its files when nothing else is said."""
    return Path(platformdirs.user_data_dir("grannsamverkan", appauthor=False)) / "pgdata"


Seconds = Annotated[float, msgspec.Meta(ge=0, le=86_400)]


def env_name(field: str) -> str:
    """The environment variable of a setting."""
    return field.upper() if field in UNPREFIXED else f"GRANNSAMVERKAN_{field.upper()}"


#: Settings whose variable has the name other programs use for it, without the prefix.
UNPREFIXED: Final = frozenset({"database_url", "smtp_url"})


class Settings(msgspec.Struct, frozen=True, kw_only=True, rename=env_name):
    """Each field is read from the variable ``env_name(field)`` (msgspec decodes by those names;
    Python code uses the field names)."""

    # A postgresql:// URL; None means: start the embedded PostgreSQL in data_dir.
    database_url: str | None = None
    data_dir: Path = msgspec.field(default_factory=default_data_dir)
    # How long a verified token (or web session) is trusted without asking the database again.
    # Revocation takes effect within this many seconds; 0 checks the database on every request.
    token_cache_seconds: Seconds = 5.0
    # Request bodies above this are refused with 413 (a 1,000,000-row CSV is about 60 MB).
    max_body_bytes: Annotated[int, msgspec.Meta(ge=64 * KIB, le=4096 * MIB)] = 200 * MIB
    # A request body must have arrived within this many seconds (else 408); no database
    # connection is taken before it has.
    body_timeout_seconds: Annotated[float, msgspec.Meta(gt=0, le=3600)] = 120.0
    # How long a sign-in on the web pages lasts.
    session_hours: Annotated[float, msgspec.Meta(gt=0, le=24 * 30)] = 12.0
    pool_min_size: Annotated[int, msgspec.Meta(ge=0, le=1000)] = 2
    pool_max_size: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 10
    # Where reporters' mail goes (smtp://[user:password@]host[:port][?starttls=1] or smtps://...);
    # None: mail waits in the outbox.
    smtp_url: str | None = None
    mail_from: str = "no-reply@grannsamverkan.invalid"
    # With SMTP_URL set, the server sends the outbox's due mail this often (every server process;
    # a mail is claimed by one only). 0: only `grannsamverkan places send-mail` (cron) sends.
    mail_interval_seconds: Seconds = 30.0
    # A place reporter's e-mail address is erased after this many days at the latest.
    places_retention_days: Annotated[int, msgspec.Meta(ge=1, le=3650)] = 180
    # Public place reports (and "jag tycker också") per client address, server process and hour.
    places_submissions_per_hour: Annotated[int, msgspec.Meta(ge=1, le=1_000_000_000)] = 20
    # The maps' background: an XYZ raster tile URL with {z}, {x} and {y} (and optionally {s}, {r});
    # "none" (or "" given in code) draws the app's own layers on a blank background. The pages'
    # Content-Security-Policy allows images from this URL's host and from nowhere else.
    map_tile_url: str = OSM_TILE_URL
    # Shown in the map's corner; the tile provider's terms ask for it (HTML is not allowed).
    map_tile_attribution: str = OSM_ATTRIBUTION

    @property
    def tile_url(self) -> str | None:
        """The background tile URL, or None for no background."""
        url = self.map_tile_url.strip()
        return None if url.lower() in NO_TILES else url

    @property
    def tile_origin(self) -> str | None:
        """The tiles' origin for the Content-Security-Policy (``{s}`` subdomains as a wildcard)."""
        url = self.tile_url
        if url is None:
            return None
        parts = urlsplit(url.replace("{s}", "tiles-s"))
        return f"{parts.scheme}://{parts.netloc.replace('tiles-s', '*')}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """The settings from the environment (variables that are unset or empty keep their default);
        ``overrides`` (by field name, None ignored) win over the environment."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {name: env[name] for name in ENV_NAMES.values() if env.get(name)}
        values.update({ENV_NAMES[k]: v for k, v in overrides.items() if v is not None})
        try:
            settings = msgspec.convert(values, cls, strict=False, dec_hook=_dec_path)
        except msgspec.ValidationError as exc:
            raise ConfigurationError("settings.invalid", reason=_explain(exc, values)) from None
        _check_tile_url(settings.tile_url)
        if settings.pool_min_size > settings.pool_max_size:
            raise ConfigurationError("settings.pool_sizes", min=settings.pool_min_size, max=settings.pool_max_size)
        return settings


def _check_tile_url(url: str | None) -> None:
    """A tile URL must be http(s) with a host and name {z}, {x} and {y}; else a message naming it."""
    if url is None:
        return
    parts = urlsplit(url.replace("{s}", "s"))
    missing = [p for p in ("{z}", "{x}", "{y}") if p not in url]
    if parts.scheme not in ("https", "http") or not parts.hostname or missing or any(c in url for c in " ;,'\"\\"):
        raise ConfigurationError("settings.tile_url", url=url)


#: The environment variable of each setting.
ENV_NAMES: Final[dict[str, str]] = {name: env_name(name) for name in Settings.__struct_fields__}


def _dec_path(type_: type, obj: object) -> object:
    if type_ is Path:
        return Path(str(obj))
    raise NotImplementedError


def _expected(name: str) -> str:
    """What a setting accepts, in Swedish, from its declared type and bounds."""
    field = next(f for f in msgspec.inspect.type_info(Settings).fields if f.name == name)  # type: ignore[attr-defined]
    info = field.type
    if isinstance(info, msgspec.inspect.UnionType):
        info = next(t for t in info.types if not isinstance(t, msgspec.inspect.NoneType))
    if isinstance(info, msgspec.inspect.IntType):
        what = "ett heltal"
    elif isinstance(info, msgspec.inspect.FloatType):
        what = "ett tal (med punkt som decimaltecken)"
    else:
        return "en text"
    low = info.ge if info.ge is not None else info.gt
    high = info.le if info.le is not None else info.lt
    if low is None or high is None:
        return what
    if info.ge is not None:
        return f"{what} från {_number(low)} till {_number(high)}"
    return f"{what} större än {_number(low)} och högst {_number(high)}"


def _number(value: float) -> str:
    if isinstance(value, float) and not value.is_integer() and math.isfinite(value):
        return str(value).replace(".", ",")
    return f"{int(value):,}".replace(",", " ")


def _explain(exc: msgspec.ValidationError, values: Mapping[str, object]) -> str:
    message = str(exc)
    variable = message.rpartition("$.")[2].rstrip("`") if "$." in message else None
    name = next((field for field, env_name in ENV_NAMES.items() if env_name == variable), None)
    if variable is None or name is None:
        return f"Inställningarna är ogiltiga: {message}"
    return f"{variable}={values.get(variable)!s} är ogiltig: {_expected(name)} väntas."
