"""What the household and burglary imports share on the command line for GIS files: reading the
file (a ``.shp`` by its path, with its sibling files) and the field-mapping options.

A plain module: it registers no command, so ``cli/registry.py`` and ``cli/ranking.py`` both import it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from grannsamverkan.cli import read_file


def read_point_file(path: Path) -> bytes | Path:
    """A household or burglary file's bytes; a ``.shp`` as its path (read with its sibling files)."""
    if path.suffix.lower() == ".shp":
        if not path.is_file():
            read_file(path)  # the error naming the file
        return path
    return read_file(path)


def point_file_options(p: argparse.ArgumentParser, *, household_fields: bool) -> None:
    """``--crs`` and the field mapping of a GIS file of households or burglaries (gis_points)."""
    p.add_argument("--crs", help="a GIS file's CRS when it names none: EPSG:4326 (default) or EPSG:3006")
    p.add_argument("--ref-field", help="a GIS file's field holding its own id, kept as external_ref (default: external_ref)")
    if household_fields:
        p.add_argument("--street-field", help="a GIS file's field holding the street address (default: street)")
        p.add_argument("--postcode-field", help="a GIS file's field holding the postcode (default: postcode)")
        p.add_argument("--city-field", help="a GIS file's field holding the city (default: city)")
        return
    p.add_argument("--occurred-from-field", help="a GIS file's field holding the date or time (default: occurred_from)")
    p.add_argument("--occurred-to-field", help="a GIS file's field holding the end of the time window (default: occurred_to)")
    p.add_argument("--category-field", help="a GIS file's field holding the category (default: category)")
    p.add_argument("--area-ref-field", help="a GIS file's field holding the area's external_ref (default: area_external_ref)")
