"""Households and burglaries from GIS files: GeoPackage, shapefiles (plain or zipped) and GeoJSON points.

The file is read by :func:`grannsamverkan.geo.gis.read_layer` (pyogrio; the ``.cpg`` honoured, a
latin-1 DBF read as such, Z dropped), its points moved to SWEREF 99 TM from the file's own CRS,
its fields mapped to ours, and the result written as the CSV the household and burglary imports
already read (``x,y`` in EPSG:3006). So checking, the kommun's boundary and the all-or-nothing
import stay one code path whatever the file was; :func:`as_features` then names the file's
features ("objekt 3", 0-based as the area import's ``features[3]``) where the CSV reader named lines.

A feature without a geometry is a household or burglary without a position (an empty ``x,y``);
a MultiPoint of one point is its point; lines and polygons are refused naming the features.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import msgspec
import shapely

from grannsamverkan import messages
from grannsamverkan.errors import FieldError, InvalidInput, MalformedInput
from grannsamverkan.geo import gis

#: Our columns of a household file, and the option naming the file's field for each.
HOUSEHOLD_FIELDS: Final = {
    "external_ref": "--ref-field",
    "street": "--street-field",
    "postcode": "--postcode-field",
    "city": "--city-field",
}
#: Our columns of a burglary file, and the option naming the file's field for each.
BURGLARY_FIELDS: Final = {
    "external_ref": "--ref-field",
    "occurred_from": "--occurred-from-field",
    "occurred_to": "--occurred-to-field",
    "category": "--category-field",
    "area_external_ref": "--area-ref-field",
}
#: Columns a file must have (by our name or mapped); the others are read where the file has them.
REQUIRED: Final = {"households": ("external_ref",), "burglaries": ("external_ref", "occurred_from", "category")}
#: Listed features of one kind of problem, at most.
MAX_LISTED: Final = 10
# "line 5: ..." (or "rad 5: ...") as the CSV reader starts its messages.
_LINE_PREFIX: Final = re.compile(r"^(?:line|rad) (\d+):\s*")
_GEOMETRY_NAMES: Final = {
    int(shapely.GeometryType.MULTIPOINT): "flera punkter",
    int(shapely.GeometryType.LINESTRING): "en linje",
    int(shapely.GeometryType.MULTILINESTRING): "linjer",
    int(shapely.GeometryType.POLYGON): "en yta (Polygon)",
    int(shapely.GeometryType.MULTIPOLYGON): "ytor (MultiPolygon)",
}
# The CSV's line of feature i: the header is line 1.
FIRST_LINE: Final = 2


class PointFields(msgspec.Struct, frozen=True, kw_only=True):
    """Which of the file's fields hold our columns (our name -> the file's); unnamed: the field of our own name."""

    names: dict[str, str] = msgspec.field(default_factory=dict)

    @classmethod
    def of(cls, **names: str | None) -> PointFields:
        return cls(names={ours: theirs for ours, theirs in names.items() if theirs})


def is_gis_file(source: bytes | Path) -> bool:
    """A GeoPackage, a zip, a ``.shp`` or GeoJSON (``{``): not a CSV and not the police's JSON array."""
    if isinstance(source, Path):
        return True
    try:
        kind = gis.file_kind(source)
    except MalformedInput:  # neither GIS nor JSON: a CSV, for the CSV reader
        return False
    head = source.removeprefix(gis.UTF8_BOM).lstrip()[:1]
    return kind != "geojson" or head == b"{"


def households_csv(source: bytes | Path, fields: PointFields | None = None, *, crs: str | int | None = None) -> bytes:
    """A household CSV (``external_ref,street,postcode,city,x,y``) of a GIS file's points."""
    return _points_csv(source, HOUSEHOLD_FIELDS, REQUIRED["households"], fields or PointFields(), crs)


def burglaries_csv(source: bytes | Path, fields: PointFields | None = None, *, crs: str | int | None = None) -> bytes:
    """A burglary CSV (``external_ref,occurred_from,occurred_to,category,area_external_ref,x,y``) of a GIS file's points."""
    return _points_csv(source, BURGLARY_FIELDS, REQUIRED["burglaries"], fields or PointFields(), crs)


def _points_csv(source: bytes | Path, ours: dict[str, str], required: tuple[str, ...], fields: PointFields, crs: str | int | None) -> bytes:
    layer = gis.read_layer(source)
    if not layer.features:
        raise InvalidInput.at("file", "gis.no_features")
    columns = _columns(layer.fields, ours, required, fields)
    xy = _positions(gis.sweref_geometries(layer, crs))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*columns, "x", "y"])
    for (_, props), (x, y) in zip(layer.features, xy, strict=True):
        writer.writerow([*(_text(props.get(theirs)) if theirs else "" for theirs in columns.values()), x, y])
    return out.getvalue().encode("utf-8")


def _columns(available: list[str], ours: dict[str, str], required: tuple[str, ...], fields: PointFields) -> dict[str, str | None]:
    """Our column -> the file's field (None: the file has none, the column stays empty); 422 listing the file's fields."""
    listed = ", ".join(available) if available else "inga"
    errors: list[FieldError] = []
    unknown = sorted(set(fields.names) - set(ours))
    if unknown:
        errors.append(FieldError.of("fields", "gis.unknown_mapping", unknown=", ".join(unknown), known=", ".join(ours)))
    columns: dict[str, str | None] = {}
    for name, option in ours.items():
        theirs = fields.names.get(name)
        if theirs is not None and theirs not in available:
            errors.append(FieldError.of(f"{name}_field", "gis.no_field", field=repr(theirs), option=option, fields=listed))
        elif theirs is None and name not in available and name in required:
            errors.append(FieldError.of(f"{name}_field", "gis.no_field_for", field=repr(name), name=name, option=option, fields=listed))
        else:
            columns[name] = theirs or (name if name in available else None)
    if errors:
        raise InvalidInput("gis.fields", errors, first=errors[0].message)
    return columns


def _positions(geoms: list[shapely.Geometry | None]) -> list[tuple[str, str]]:
    """Each feature's point as SWEREF 99 TM text to the millimetre, empty for none; 422 for a line or polygon."""
    out: list[tuple[str, str]] = []
    wrong: list[tuple[int, str]] = []
    for i, g in enumerate(geoms):
        if g is not None and shapely.get_type_id(g) == shapely.GeometryType.MULTIPOINT and shapely.get_num_geometries(g) == 1:
            g = shapely.get_geometry(g, 0)
        if g is None or shapely.is_empty(g):
            out.append(("", ""))
        elif shapely.get_type_id(g) == shapely.GeometryType.POINT:
            out.append((f"{shapely.get_x(g):.3f}", f"{shapely.get_y(g):.3f}"))
        else:
            wrong.append((i, _GEOMETRY_NAMES.get(int(shapely.get_type_id(g)), "linje eller yta")))
    if wrong:
        errors = [
            FieldError.of(f"features[{i}].geometry", "gis.point_expected", feature=i, index=i, kind=kind) for i, kind in wrong[:MAX_LISTED]
        ]
        raise _invalid_features(errors, len(wrong))
    return out


def _text(value: Any) -> str:
    """A field's value as CSV text on one line (so the CSV's line numbers are the features')."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).splitlines())


@contextmanager
def as_features() -> Iterator[None]:
    """Errors of the CSV reader about the CSV made of a GIS file, naming the file's features instead of lines."""
    try:
        yield
    except InvalidInput as exc:
        if not any(e.line is not None for e in exc.errors):
            raise
        errors = [_renumbered(e) for e in exc.errors]
        raise _invalid_features(errors, len(errors)) from None


def _invalid_features(errors: list[FieldError], count: int) -> InvalidInput:
    """422 saying the first of ``count`` problems (and how many more)."""
    more = messages.text("errors.more", count=count - 1) if count > 1 else ""
    return InvalidInput("gis.features_invalid", errors, first=errors[0].message, more=more)


def _renumbered(error: FieldError) -> FieldError:
    if error.line is None:
        return error
    feature = error.line - FIRST_LINE
    text = _LINE_PREFIX.sub("", error.message)
    if feature < 0:  # the header: the file as a whole
        return FieldError(field=error.field, message=messages.text("place.file") + text, code=error.code)
    return FieldError(field=error.field, message=messages.text("place.feature", feature=feature) + text, feature=feature, code=error.code)
