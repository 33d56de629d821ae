"""GIS files the tests write themselves with pyogrio: GeoPackage, shapefile (zipped or not), GeoJSON."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio.raw
import shapely

from grannsamverkan.geo import boundaries
from grannsamverkan.geo.crs import SWEREF99TM, WGS84, transform_geometry
from tests.geodata import ARVIDSJAUR, RAMSELE, SOLLEFTEA


def sweref_square(center_lonlat: tuple[float, float], half_m: float = 300.0, z: bool = False) -> shapely.Polygon:
    """A square in SWEREF 99 TM around a WGS 84 point (with z = 0 when asked)."""
    c = transform_geometry(shapely.Point(center_lonlat), WGS84, SWEREF99TM)
    box = shapely.box(c.x - half_m, c.y - half_m, c.x + half_m, c.y + half_m)
    return shapely.force_3d(box) if z else box


def straddling_area() -> shapely.Polygon:
    """An area (SWEREF 99 TM) of about 11 km² across the border of Sollefteå (2283) and Kramfors
    (2282): about three quarters in Sollefteå, the rest reaching up to 600 m into Kramfors."""
    solleftea, kramfors = boundaries.boundary("2283"), boundaries.boundary("2282")
    middle = shapely.intersection(solleftea.buffer(50), kramfors.buffer(50)).representative_point()
    box = shapely.box(middle.x - 2000, middle.y - 2000, middle.x + 2000, middle.y + 2000)
    return shapely.intersection(box, solleftea.buffer(600))


def across_the_border(metres: float) -> shapely.Point:
    """A point ``metres`` from Sollefteå (2283) inside Kramfors (2282), in SWEREF 99 TM."""
    solleftea, kramfors = boundaries.boundary("2283"), boundaries.boundary("2282")
    middle = shapely.intersection(solleftea.buffer(50), kramfors.buffer(50)).representative_point()
    line = shapely.LineString([middle, kramfors.representative_point()])
    for step in np.arange(0.0, line.length, 5.0):
        p = line.interpolate(step)
        if kramfors.contains(p) and not solleftea.contains(p) and solleftea.distance(p) >= metres:
            return p
    raise AssertionError("no such point")


#: Two areas in Sollefteå and one in Arvidsjaur with the fields of the police's shapefile.
AREAS = [("Ramsele", 11, RAMSELE), ("Långsele centrum", 12, (17.05, 63.18)), ("Arvidsjaur", 13, ARVIDSJAUR)]
KOMMUNER = {11: "2283", 12: "2283", 13: "2505"}


def write_layer(
    path: Path,
    rows: list[tuple[shapely.Geometry, dict[str, Any]]],
    *,
    driver: str,
    crs: str | None = "EPSG:3006",
    encoding: str | None = None,
    geometry_type: str = "Polygon Z",
) -> None:
    fields = list(rows[0][1])
    columns = [np.array([r[1][f] for r in rows], dtype=object if isinstance(rows[0][1][f], str) else None) for f in fields]
    wkb = np.array([shapely.to_wkb(g) for g, _ in rows], dtype=object)
    kwargs: dict[str, Any] = {"encoding": encoding} if encoding else {}
    pyogrio.raw.write(path, wkb, columns, fields=fields, geometry_type=geometry_type, crs=crs, driver=driver, **kwargs)


def police_like_rows() -> list[tuple[shapely.Geometry, dict[str, Any]]]:
    return [(sweref_square(c, z=True), {"NAMN": name, "ORT": "x", "SPECIALOMR": ref}) for name, ref, c in AREAS]


def geopackage(tmp: Path) -> Path:
    path = tmp / "omraden.gpkg"
    write_layer(path, police_like_rows(), driver="GPKG")
    return path


def shapefile(
    tmp: Path,
    *,
    rows: list[tuple[shapely.Geometry, dict[str, Any]]] | None = None,
    encoding: str = "UTF-8",
    cpg: bool = True,
    prj: bool = True,
    name: str = "omraden",
) -> Path:
    folder = tmp / f"shp-{name}"
    folder.mkdir()
    path = folder / f"{name}.shp"
    write_layer(path, rows or police_like_rows(), driver="ESRI Shapefile", encoding=encoding)
    if not cpg:
        (folder / f"{name}.cpg").unlink(missing_ok=True)
    if not prj:
        (folder / f"{name}.prj").unlink()
    return path


def zipped(shp: Path, *, folder_in_zip: str = "export/") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for part in sorted(shp.parent.iterdir()):
            z.write(part, folder_in_zip + part.name)
    return buf.getvalue()


def geojson_bytes(features: list[dict[str, Any]], *, bom: bool = False, crs: str | None = None) -> bytes:
    obj: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if crs:
        obj["crs"] = {"type": "name", "properties": {"name": crs}}
    data = json.dumps(obj, ensure_ascii=False).encode("utf-8")
    return b"\xef\xbb\xbf" + data if bom else data


__all__ = ["SOLLEFTEA"]
