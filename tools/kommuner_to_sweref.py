"""Write the shipped kommun boundaries (``geodata/kommuner-simplified.geojson``) in SWEREF 99 TM.

    python tools/kommuner_to_sweref.py IN.geojson geodata/kommuner-simplified.geojson

IN is a FeatureCollection in WGS 84 with ``properties.kommun`` (SCB's four digits) and
``properties.name``, already simplified. The file is shipped in SWEREF 99 TM, rounded to whole
metres, so that the app need not load pyproj to answer "does this point lie in the kommun?" (an
import of a file in SWEREF 99 TM then starts about 0.15 s sooner).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping, shape

from grannsamverkan.geo.crs import SWEREF99TM, WGS84, transform_geometry


def main(source: Path, target: Path) -> None:
    data = json.loads(source.read_text(encoding="utf-8"))
    features = []
    for feature in data["features"]:
        geom = transform_geometry(shape(feature["geometry"]), WGS84, SWEREF99TM)
        geom = shapely.transform(geom, lambda coords: np.round(coords))
        features.append({"type": "Feature", "properties": feature["properties"], "geometry": _integers(mapping(geom))})
    out = {
        "type": "FeatureCollection",
        "name": data.get("name", "kommuner"),
        "source": data.get("source", ""),
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}},
        "features": features,
    }
    target.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _integers(geometry: dict) -> dict:
    def walk(value: object) -> object:
        if isinstance(value, (list, tuple)):
            return [walk(v) for v in value]
        return int(value) if isinstance(value, float) else value

    return {**geometry, "coordinates": walk(geometry["coordinates"])}


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
