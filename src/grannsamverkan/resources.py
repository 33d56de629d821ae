"""Files that ship inside the package: SQL migrations and the demo geodata.

In a wheel they sit at ``grannsamverkan/sql`` and ``grannsamverkan/geodata`` (hatch force-include);
in a source checkout (editable install, tests) they are the top-level ``sql/`` and ``geodata/``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_CHECKOUT_ROOT = Path(__file__).resolve().parents[2]


def _shipped(name: str) -> Path:
    packaged = resources.files("grannsamverkan").joinpath(name)
    if packaged.is_dir():
        return Path(str(packaged))
    return _CHECKOUT_ROOT / name


def sql_dir() -> Path:
    return _shipped("sql")


def geodata_dir() -> Path:
    return _shipped("geodata")
