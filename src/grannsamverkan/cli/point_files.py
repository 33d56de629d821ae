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
    p.add_argument(
        "--crs", metavar="EPSG", help="en GIS-fils koordinatsystem när filen inte anger något: EPSG:4326 (standard) eller EPSG:3006"
    )
    fields = {"--ref-field": "GIS-filens fält med filens eget id, sparas som external_ref (standard: external_ref)"}
    if household_fields:
        fields |= {
            "--street-field": "GIS-filens fält med gatuadressen (standard: street)",
            "--postcode-field": "GIS-filens fält med postnumret (standard: postcode)",
            "--city-field": "GIS-filens fält med orten (standard: city)",
        }
    else:
        fields |= {
            "--occurred-from-field": "GIS-filens fält med datum eller tidpunkt (standard: occurred_from)",
            "--occurred-to-field": "GIS-filens fält med slutet av tidsfönstret (standard: occurred_to)",
            "--category-field": "GIS-filens fält med kategorin (standard: category)",
            "--area-ref-field": "GIS-filens fält med områdets external_ref (standard: area_external_ref)",
        }
    for option, help in fields.items():
        p.add_argument(option, metavar="FÄLT", help=help)
