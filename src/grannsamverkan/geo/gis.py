"""GIS files in and out: GeoPackage, shapefiles (plain or zipped) and GeoJSON, read with pyogrio.

The kind of file is told by its first bytes, never by a name or a content type a client chose:
``SQLite format 3`` is a GeoPackage, ``PK`` a zip (a zipped shapefile, or a GeoPackage or GeoJSON
inside one), ``00 00 27 0a`` a bare ``.shp`` and ``{`` (after an optional UTF-8 BOM and white
space) GeoJSON. GeoJSON goes through :mod:`grannsamverkan.geo.geojson` as before; the other
formats are read by GDAL (shipped in the pyogrio wheel) and handed to the same validation, so a
polygon from a shapefile is checked exactly like one from GeoJSON.

- **Z** coordinates are dropped.
- **CRS** from the file: the ``.prj``, the GeoPackage's ``gpkg_spatial_ref_sys``, the GeoJSON
  ``crs`` member. Any CRS pyproj knows is moved to SWEREF 99 TM. A file without one whose
  coordinates look like SWEREF 99 TM metres is refused with that reason (name the CRS with
  ``--crs``); one in degrees is read as WGS 84, as GeoJSON's default.
- **Encoding** of a shapefile's DBF: the ``.cpg`` is honoured (GDAL reads it). Without one GDAL
  reads ISO-8859-1; when every text of the file is also valid UTF-8 with non-ASCII letters in it
  (ArcGIS writes UTF-8 and declares it only in the ``.cpg``) it is read as UTF-8 instead, so
  "Rosengård" stays "Rosengård" whether or not the ``.cpg`` came along.
- **Field mapping**: ``name_field``, ``ref_field``, ``kommun_field`` and ``kind_field`` name the
  file's own fields for ``name``, ``external_ref``, ``kommun`` and ``kind``; an error lists the
  fields the file has, once per problem. Without a kommun field the kommun is derived from the
  geometry (:mod:`grannsamverkan.geo.boundaries`).
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any, Final, Literal, cast

import msgspec
import numpy as np
import shapely

from grannsamverkan import messages
from grannsamverkan.domain import numbers
from grannsamverkan.errors import FieldError, InvalidInput, MalformedInput, PayloadTooLarge
from grannsamverkan.geo import boundaries
from grannsamverkan.geo.crs import SWEREF99TM, SWEREF_EXTENT, WGS84, WGS84_EXTENT, parse_crs, transformer
from grannsamverkan.geo.geojson import AreaFeature, decode_json, geometry_to_geojson_wgs84, parse_feature_collection

FileKind = Literal["geojson", "gpkg", "zip", "shp"]

UTF8_BOM: Final = b"\xef\xbb\xbf"
SHP_MAGIC: Final = b"\x00\x00\x27\x0a"
# A zip is unpacked to a temporary folder; more than this unpacked is refused (a zip bomb).
MAX_UNZIPPED_BYTES: Final = 512 * 1024 * 1024
# All the features of a file together (each area has its own bound in geo/geojson); what is read is
# handed on as Python lists, about 100 bytes a position.
MAX_FILE_POSITIONS: Final = 2_000_000
# The content types the import routes document; the file's kind is told by its bytes all the same.
CONTENT_TYPES: Final = ("application/geo+json", "application/geopackage+sqlite3", "application/zip", "application/x-shapefile")
KNOWN_FIELDS: Final = ("name", "kommun", "kind", "external_ref")


class FieldMapping(msgspec.Struct, frozen=True, kw_only=True):
    """Which of the file's fields hold our properties; ``None`` means the field of our own name."""

    name: str | None = None
    external_ref: str | None = None
    kommun: str | None = None
    kind: str | None = None

    def options(self) -> dict[str, str]:
        return {"name": "--name-field", "external_ref": "--ref-field", "kommun": "--kommun-field", "kind": "--kind-field"}


def file_kind(data: bytes) -> FileKind:
    """What the bytes are, by their magic; :class:`MalformedInput` for anything else."""
    if data.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if data.startswith(SHP_MAGIC):
        return "shp"
    head = data[len(UTF8_BOM) :] if data.startswith(UTF8_BOM) else data
    if head.lstrip()[:1] in (b"{", b"["):
        return "geojson"
    raise MalformedInput("gis.kind_unknown")


# --- reading ------------------------------------------------------------------------------------


class Layer(msgspec.Struct, kw_only=True):
    """The features of one file in its own CRS: (geometry or None, properties) and the field names."""

    crs: int | None  # EPSG code after moving to a supported CRS; None: the file names none
    fields: list[str]
    features: list[tuple[shapely.Geometry | None, dict[str, Any]]]


def read_areas(
    source: bytes | Path,
    *,
    crs: str | int | None = None,
    mapping: FieldMapping | None = None,
) -> list[AreaFeature]:
    """Areas from a GeoJSON, GeoPackage or (zipped) shapefile, as SWEREF 99 TM features whose
    properties are ours (``name``, ``kommun``, ``kind``, ``external_ref``) after ``mapping``.

    A path ending in ``.shp`` is read with its sibling files; anything else by its bytes.
    The kommun is derived from the geometry where the file has no kommun field.
    """
    mapping = mapping or FieldMapping()
    if isinstance(source, Path) and source.suffix.lower() == ".shp":
        obj = _collection(_read_path(source), crs)
    else:
        data = _read_bytes(source) if isinstance(source, Path) else source
        kind = file_kind(data)
        if kind == "geojson":
            body = data[len(UTF8_BOM) :] if data.startswith(UTF8_BOM) else data
            obj = decode_json(body)
            if isinstance(obj, dict) and obj.get("type") == "Feature":
                obj = {"type": "FeatureCollection", "features": [obj], **({"crs": obj["crs"]} if "crs" in obj else {})}
        elif kind == "shp":
            raise _lone_shp()
        else:
            obj = _read_gdal_bytes(data, kind, crs)
    features = parse_feature_collection(obj, crs=crs)
    _map_fields(features, mapping)
    return features


def _lone_shp() -> InvalidInput:
    return InvalidInput("gis.lone_shp", [FieldError.of("file", "gis.lone_shp_short")])


def read_layer(source: bytes | Path) -> Layer:
    """The one layer of a GeoPackage, a (zipped) shapefile or a GeoJSON file, read by GDAL in the
    file's own CRS (households and burglaries; areas go through :func:`read_areas`). A path is a
    ``.shp`` read with its sibling files."""
    if isinstance(source, Path):
        return _read_path(source)
    kind = file_kind(source)
    if kind == "shp":
        raise _lone_shp()
    with tempfile.TemporaryDirectory(prefix="gsv-import-") as folder:
        root = Path(folder)
        if kind == "zip":
            target = _unzip(source, root)
        else:
            target = root / ("import.gpkg" if kind == "gpkg" else "import.geojson")
            target.write_bytes(source.removeprefix(UTF8_BOM))
        return _read_path(target)


def sweref_geometries(layer: Layer, crs: str | int | None) -> list[shapely.Geometry | None]:
    """The layer's geometries in SWEREF 99 TM: moved from the file's CRS; without one from ``crs``,
    or refused as :func:`read_areas` refuses it (degrees are read as WGS 84)."""
    geoms = [g for g, _ in layer.features]
    code = layer.crs
    if code is None:
        if crs is None:
            _refuse_without_crs(geoms)
        code = parse_crs(crs) if crs is not None else WGS84
    elif crs is not None and parse_crs(crs) != code:
        raise InvalidInput.at("crs", "gis.crs_disagree", code=code, crs=crs)
    if code == SWEREF99TM:
        return geoms
    t = transformer(code, SWEREF99TM)

    def move(xy: Any) -> Any:
        x, y = t.transform(xy[:, 0], xy[:, 1])
        return np.column_stack((x, y))

    return [None if g is None else shapely.transform(g, move) for g in geoms]


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInput.at("FILE", "file.unreadable", path=path, reason=messages.os_reason(exc)) from None


def _read_gdal_bytes(data: bytes, kind: FileKind, crs: str | int | None) -> dict[str, Any]:
    """A GeoPackage or a zip as a FeatureCollection (GeoJSON inside a zip is read as GeoJSON)."""
    with tempfile.TemporaryDirectory(prefix="gsv-import-") as folder:
        root = Path(folder)
        if kind == "gpkg":
            target = root / "import.gpkg"
            target.write_bytes(data)
        else:
            target = _unzip(data, root)
            if target.suffix.lower() in (".geojson", ".json"):
                inner = target.read_bytes()
                obj = decode_json(inner[len(UTF8_BOM) :] if inner.startswith(UTF8_BOM) else inner)
                return obj if isinstance(obj, dict) else {"type": None}
        return _collection(_read_path(target), crs)


def _unzip(data: bytes, root: Path) -> Path:
    """Unpack a zip's files (by their base names, never its folders) and answer the one to read."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise MalformedInput("gis.zip_unreadable", reason=str(exc)) from None
    with archive:
        members = [
            m
            for m in archive.infolist()
            if not m.is_dir() and not PurePosixPath(m.filename).name.startswith(".") and "__MACOSX" not in m.filename
        ]
        if sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
            raise PayloadTooLarge("gis.zip_too_large", mib=MAX_UNZIPPED_BYTES // (1024 * 1024))
        readable = [m for m in members if PurePosixPath(m.filename).suffix.lower() in (".shp", ".gpkg", ".geojson", ".json")]
        if len(readable) != 1:
            names = ", ".join(PurePosixPath(m.filename).name for m in members) or "inga filer"
            what = "ingen" if not readable else f"{len(readable)}"
            raise InvalidInput("gis.zip_contents", [FieldError.of("file", "gis.zip_one_file")], what=what, names=names)
        chosen = readable[0]
        stem = PurePosixPath(chosen.filename).with_suffix("")
        for m in members:
            path = PurePosixPath(m.filename)
            if path.with_suffix("") == stem or m is chosen:
                (root / path.name).write_bytes(archive.read(m))
        return root / PurePosixPath(chosen.filename).name


def _read_path(path: Path) -> Layer:
    import pyogrio
    import pyogrio.raw
    from pyogrio.errors import DataLayerError, DataSourceError

    try:
        layers = pyogrio.list_layers(path)
        if len(layers) == 0:
            raise InvalidInput("gis.no_layers", [FieldError.of("file", "gis.no_layers_short")])
        if len(layers) > 1:
            names = ", ".join(str(n) for n in layers[:, 0])
            raise InvalidInput("gis.many_layers", [FieldError.of("file", "gis.one_layer")], count=len(layers), names=names)
        meta, _, wkb, columns = pyogrio.raw.read(path)
    except (DataSourceError, DataLayerError) as exc:
        raise MalformedInput("gis.unreadable", reason=str(exc)) from None
    fields = [str(f) for f in meta["fields"]]
    values = [_column(c) for c in columns]
    if (
        path.suffix.lower() == ".shp"
        and not path.with_suffix(".cpg").exists()
        and not path.with_suffix(".CPG").exists()
        and str(meta.get("encoding", "")).upper() in ("ISO-8859-1", "LATIN1")
    ):
        values = _utf8_if_all(values)
    geoms = shapely.from_wkb(wkb) if wkb is not None else np.array([None] * len(columns[0]), dtype=object)
    positions = int(shapely.get_num_coordinates(geoms).sum())
    if positions > MAX_FILE_POSITIONS:
        raise PayloadTooLarge("gis.too_many_positions", positions=numbers.count(positions), max=numbers.count(MAX_FILE_POSITIONS))
    geoms = [None if g is None else shapely.force_2d(g) for g in geoms]
    features = [(g, {f: col[i] for f, col in zip(fields, values, strict=True)}) for i, g in enumerate(geoms)]
    return Layer(crs=_epsg(meta.get("crs"), geoms), fields=fields, features=features)


def _column(column: Any) -> list[Any]:
    out = []
    for v in column.tolist() if hasattr(column, "tolist") else list(column):
        if isinstance(v, float) and v != v:
            v = None
        elif isinstance(v, bytes):
            v = v.decode("latin-1")
        elif v is not None and not isinstance(v, (str, int, float, bool)):
            v = str(v)
        out.append(v)
    return out


def _utf8_if_all(columns: list[list[Any]]) -> list[list[Any]]:
    """Texts read as ISO-8859-1 read again as UTF-8, when every one of them is UTF-8 and some are not ASCII."""
    texts = [v for col in columns for v in col if isinstance(v, str)]
    if not any(not t.isascii() for t in texts):
        return columns
    try:
        again = {t: t.encode("latin-1").decode("utf-8") for t in texts}
    except (UnicodeEncodeError, UnicodeDecodeError):
        return columns
    return [[again.get(v, v) if isinstance(v, str) else v for v in col] for col in columns]


def _epsg(crs_text: str | None, geoms: Iterable[shapely.Geometry | None]) -> int | None:
    if not crs_text:
        return None
    from pyproj import CRS  # loaded when a file names its CRS (as pyogrio, when a file is read)
    from pyproj.exceptions import CRSError

    try:
        crs = CRS.from_user_input(crs_text)
    except CRSError:
        raise InvalidInput("gis.crs_unreadable", [FieldError.of("crs", "gis.crs_unknown")], crs=crs_text[:80]) from None
    code = crs.to_epsg(min_confidence=70)
    if code is None:
        raise InvalidInput("gis.crs_no_epsg", [FieldError.of("crs", "gis.crs_unknown")], name=crs.name)
    return code


def _collection(layer: Layer, crs: str | int | None) -> dict[str, Any]:
    """The layer as a GeoJSON FeatureCollection (in the file's CRS, or SWEREF 99 TM when the file
    has another), for the same validation as a GeoJSON file."""
    code = layer.crs
    geoms = [g for g, _ in layer.features]
    if code is not None and code not in (WGS84, SWEREF99TM):
        t = transformer(code, SWEREF99TM)

        def move(xy: Any) -> Any:
            x, y = t.transform(xy[:, 0], xy[:, 1])
            return np.column_stack((x, y))

        geoms = [None if g is None else shapely.transform(g, move) for g in geoms]
        code = SWEREF99TM
    if code is None and crs is None:
        _refuse_without_crs(geoms)
    features = []
    for g, (_, props) in zip(geoms, layer.features, strict=True):
        features.append(
            {"type": "Feature", "properties": props, "geometry": None if g is None else _listify(shapely.geometry.mapping(cast(Any, g)))}
        )
    obj: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if code is not None:
        if crs is not None and parse_crs(crs) != code:
            raise InvalidInput.at("crs", "gis.crs_disagree", code=code, crs=crs)
        obj["crs"] = {"type": "name", "properties": {"name": f"EPSG:{code}"}}
    return obj


def _refuse_without_crs(geoms: list[shapely.Geometry | None]) -> None:
    present = [g for g in geoms if g is not None]
    if not present:
        return
    minx, miny, maxx, maxy = shapely.total_bounds(np.array(present, dtype=object)).tolist()
    lon_lat = WGS84_EXTENT[0] <= minx and maxx <= WGS84_EXTENT[2] and WGS84_EXTENT[1] <= miny and maxy <= WGS84_EXTENT[3]
    if lon_lat:
        return  # degrees in Sweden: read as WGS 84, GeoJSON's default
    sweref = SWEREF_EXTENT[0] <= minx and maxx <= SWEREF_EXTENT[2] and SWEREF_EXTENT[1] <= miny and maxy <= SWEREF_EXTENT[3]
    code = "gis.no_crs_sweref" if sweref else "gis.no_crs"
    bounds: dict[str, Any] = {"minx": f"{minx:.0f}", "maxx": f"{maxx:.0f}", "miny": f"{miny:.0f}", "maxy": f"{maxy:.0f}"}
    raise InvalidInput(code, [FieldError.of("crs", "gis.no_crs_short")], **bounds)


def _listify(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [_listify(v) for v in value]
    if isinstance(value, dict):
        return {k: _listify(v) for k, v in value.items()}
    return value


# --- field mapping ------------------------------------------------------------------------------


def _map_fields(features: list[AreaFeature], mapping: FieldMapping) -> None:
    """Our properties from the file's fields, in place; errors list the file's fields once."""
    available: list[str] = []
    for f in features:
        for key in f.properties:
            if key not in available:
                available.append(key)
    chosen = {ours: getattr(mapping, ours) for ours in KNOWN_FIELDS}
    _check_mapping(available, chosen, mapping.options())
    for f in features:
        f.properties = _mapped(f, chosen)


def _check_mapping(available: list[str], chosen: dict[str, str | None], options: dict[str, str]) -> None:
    """422 for a named field the file lacks, or no name field at all, listing the file's fields."""
    listed = ", ".join(available) if available else "inga"
    errors: list[FieldError] = []
    for ours, theirs in chosen.items():
        if theirs is not None and theirs not in available:
            errors.append(FieldError.of(f"{ours}_field", "gis.no_field", field=repr(theirs), option=options[ours], fields=listed))
    if chosen["name"] is None and "name" not in available:
        errors.append(FieldError.of("name_field", "gis.no_name_field", option=options["name"], fields=listed))
    if errors:
        raise InvalidInput("gis.fields", errors, first=errors[0].message)


def _mapped(feature: AreaFeature, chosen: dict[str, str | None]) -> dict[str, Any]:
    """The feature's properties with ours taken from the chosen fields; the kommun from the
    geometry where no kommun field is named and the feature has none."""
    props = feature.properties
    mapped = dict(props)
    for ours, theirs in chosen.items():
        if theirs is not None:
            value = props.get(theirs)
            is_number = isinstance(value, int) and not isinstance(value, bool)
            mapped[ours] = str(value) if ours == "external_ref" and is_number else value
    if chosen["kommun"] is None and mapped.get("kommun") in (None, ""):
        code = boundaries.kommun_of_area(feature.geometry_sweref)
        if code is not None:
            mapped["kommun"] = code
    return mapped


# --- writing ------------------------------------------------------------------------------------


def write_areas_gpkg(path: Path, records: list[dict[str, Any]]) -> None:
    """Areas (``geometry`` in SWEREF 99 TM plus ``name``, ``kommun``, ``kind``, ``external_ref``) as a
    GeoPackage layer ``areas`` in EPSG:3006."""
    import pyogrio.raw

    geoms = np.array(
        [
            shapely.to_wkb(
                shapely.MultiPolygon([r["geometry"]]) if r["geometry"].geom_type == "Polygon" else r["geometry"], output_dimension=2
            )
            for r in records
        ],
        dtype=object,
    )
    names = ["name", "kommun", "kind", "external_ref"]
    columns = [np.array([r[n] for r in records], dtype=object) for n in names]
    pyogrio.raw.write(
        path, geoms, columns, fields=names, geometry_type="MultiPolygon", crs="EPSG:3006", driver="GPKG", layer="areas", encoding="UTF-8"
    )


def areas_geojson(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Areas as an RFC 7946 FeatureCollection (WGS 84, 7 decimals), as ``GET /api/v1/areas`` writes them."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": geometry_to_geojson_wgs84(r["geometry"]),
                "properties": {n: r[n] for n in ("name", "kommun", "kind", "external_ref")},
            }
            for r in records
        ],
    }
