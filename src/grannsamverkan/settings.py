"""Configuration, read once from the environment into one frozen Struct."""

from __future__ import annotations

import os
from pathlib import Path

import msgspec
import platformdirs


def default_data_dir() -> Path:
    """Where the embedded PostgreSQL keeps its files when nothing else is said."""
    return Path(platformdirs.user_data_dir("grannsamverkan", appauthor=False)) / "pgdata"


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    # A postgresql:// URL; None means: start the embedded PostgreSQL in data_dir.
    database_url: str | None = None
    data_dir: Path = msgspec.field(default_factory=default_data_dir)
    # How long a verified token is trusted without asking the database again. Revocation
    # takes effect within this many seconds; 0 checks the database on every request.
    token_cache_seconds: float = 5.0
    # Request bodies above this are refused with 413 (a 1,000,000-row CSV is about 60 MB).
    max_body_bytes: int = 200 * 1024 * 1024
    pool_min_size: int = 2
    pool_max_size: int = 10

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        values: dict[str, object] = {}
        if env.get("DATABASE_URL"):
            values["database_url"] = env["DATABASE_URL"]
        if env.get("GRANNSAMVERKAN_DATA_DIR"):
            values["data_dir"] = Path(env["GRANNSAMVERKAN_DATA_DIR"])
        if env.get("GRANNSAMVERKAN_TOKEN_CACHE_SECONDS"):
            values["token_cache_seconds"] = float(env["GRANNSAMVERKAN_TOKEN_CACHE_SECONDS"])
        if env.get("GRANNSAMVERKAN_MAX_BODY_BYTES"):
            values["max_body_bytes"] = int(env["GRANNSAMVERKAN_MAX_BODY_BYTES"])
        if env.get("GRANNSAMVERKAN_POOL_MAX_SIZE"):
            values["pool_max_size"] = int(env["GRANNSAMVERKAN_POOL_MAX_SIZE"])
        values.update({k: v for k, v in overrides.items() if v is not None})
        return msgspec.convert(values, cls, strict=False, dec_hook=_dec_path)


def _dec_path(type_: type, obj: object) -> object:
    if type_ is Path:
        return Path(str(obj))
    raise NotImplementedError
