"""The files the tests under tests/gis write themselves: GeoPackage, shapefile (plain, zipped, a
copy of a real one), GeoJSON with pyogrio or json, and the CSV bodies of the point imports."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from collections.abc import Iterable, Mapping, Sequence
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


#: A layer's features: a geometry (or none) and its fields.
Rows = Sequence[tuple[shapely.Geometry | None, Mapping[str, Any]]]

#: Two areas in Sollefteå and one in Arvidsjaur with the fields of the police's shapefile.
AREAS = [("Ramsele", 11, RAMSELE), ("Långsele centrum", 12, (17.05, 63.18)), ("Arvidsjaur", 13, ARVIDSJAUR)]
KOMMUNER = {11: "2283", 12: "2283", 13: "2505"}


def write_layer(
    path: Path,
    rows: Rows,
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


def geopackage(
    tmp: Path,
    rows: Rows | None = None,
    *,
    name: str = "omraden",
    geometry_type: str = "Polygon Z",
) -> Path:
    """``tmp/<name>.gpkg`` with ``rows`` (the police-like areas by default) in SWEREF 99 TM."""
    path = tmp / f"{name}.gpkg"
    write_layer(path, rows or police_like_rows(), driver="GPKG", geometry_type=geometry_type)
    return path


def shapefile(
    tmp: Path,
    *,
    rows: Rows | None = None,
    encoding: str = "UTF-8",
    cpg: bool = True,
    prj: bool = True,
    name: str = "omraden",
    crs: str = "EPSG:3006",
    geometry_type: str = "Polygon Z",
) -> Path:
    """``<name>.shp`` and its sibling files in a folder of their own under ``tmp`` (the police-like
    areas by default); without the .cpg or .prj when asked."""
    folder = tmp / f"shp-{name}"
    folder.mkdir()
    path = folder / f"{name}.shp"
    write_layer(path, rows or police_like_rows(), driver="ESRI Shapefile", crs=crs, encoding=encoding, geometry_type=geometry_type)
    if not cpg:
        (folder / f"{name}.cpg").unlink(missing_ok=True)
    if not prj:
        (folder / f"{name}.prj").unlink()
    return path


def shapefile_without_cpg(shp: Path, folder: Path) -> Path:
    """A copy of the shapefile ``shp`` in ``folder``, all its parts but the .cpg."""
    for part in shp.parent.iterdir():
        if part.suffix != ".cpg":
            shutil.copy(part, folder / part.name)
    return folder / shp.name


def shapefile_where(shp: Path, folder: Path, where: str) -> Path:
    """A copy of the shapefile ``shp`` in ``folder`` with only the features ``where`` (SQL) selects."""
    meta, _, wkb, columns = pyogrio.raw.read(shp, where=where)
    path = folder / shp.name
    pyogrio.raw.write(
        path,
        wkb,
        columns,
        fields=meta["fields"],
        geometry_type=meta["geometry_type"],
        crs=meta["crs"],
        driver="ESRI Shapefile",
        encoding="UTF-8",
    )
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


def saved_file(tmp: Path, name: str, data: bytes) -> Path:
    """``tmp/<name>`` holding ``data``: GeoJSON, a zip, or bytes that only look like one."""
    path = tmp / name
    path.write_bytes(data)
    return path


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]], *, delimiter: str = ",", final_newline: bool = True) -> bytes:
    """A CSV body in UTF-8: the header and one line per row, an empty cell for None."""
    lines = [delimiter.join(header), *(delimiter.join("" if v is None else str(v) for v in row) for row in rows)]
    return ("\n".join(lines) + ("\n" if final_newline else "")).encode()


__all__ = ["SOLLEFTEA"]
