"""Areas, households and groups over HTTP: parse, call the db layer, answer. Nothing more."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from msgspec import Meta

from grannsamverkan.api.hot import hot_get
from grannsamverkan.db import areas, audit, groups, household_import, households, kommuner
from grannsamverkan.domain.access import Principal
from grannsamverkan.domain.eligibility import Eligibility, GroupKind, GroupStatus, NewGroupStatus
from grannsamverkan.errors import FieldError, InvalidInput
from grannsamverkan.geo import gis
from grannsamverkan.geo.geojson import decode_json, parse_feature, parse_geometry, parse_point
from grannsamverkan.geo.gis_points import PointFields
from grannsamverkan.http.common import (
    GEOJSON_SCHEMA,
    Caller,
    Db,
    FromPath,
    FromQuery,
    KommunFilter,
    Limit,
    Offset,
    Page,
    raw_body_operation,
    today_in_sweden,
)
from grannsamverkan.services import areas as area_cases
from grannsamverkan.services import groups as group_cases
from grannsamverkan.services import households as household_cases
from grannsamverkan.services.groups import CONTACT_TABLES

CrsParam = Annotated[
    str | None,
    QueryParameter(description="CRS of the input coordinates: EPSG:4326 (default, lon/lat) or EPSG:3006 (SWEREF 99 TM)"),
]
FieldParam = Annotated[
    str | None,
    QueryParameter(description="the file's field (property) holding this value, e.g. NAMN", max_length=200),
]
Text = Annotated[str, Meta(min_length=1, max_length=200)]
OptionalText = Annotated[str, Meta(max_length=200)] | None
KommunCode = Annotated[str, Meta(pattern=r"^[0-9]{4}$", description="SCB kommun code, e.g. 2283")]
Id = Annotated[int, Meta(ge=1, le=2**62)]
Confirm = Annotated[
    bool,
    QueryParameter(
        description="bekrafta=1 confirms that contact persons (kontaktombud) the change removes are erased: "
        "their personal data is deleted for good, audited as an erasure. Without it such a change is 409, "
        "naming them."
    ),
]


# --- areas ----------------------------------------------------------------------------------------


class AreaImportResult(msgspec.Struct, kw_only=True):
    inserted: int
    updated: int
    unchanged: int
    assigned: int
    unassigned: int


class AreaController(Controller):
    path = "/api/v1/areas"
    tags = ["areas"]

    @post(
        "/",
        operation_id="createArea",
        opt={"capability": "write"},
        status_code=HTTP_201_CREATED,
        operation_class=raw_body_operation(
            "application/geo+json",
            "a GeoJSON Feature: Polygon or MultiPolygon with properties name, kommun, kind, external_ref",
            GEOJSON_SCHEMA,
        ),
    )
    async def create(self, request: Request[Any, Any, Any], db: Db, principal: Caller, crs: CrsParam = None) -> dict[str, Any]:
        """Draw an area. Households already stored inside it are assigned to it."""
        feature = parse_feature(decode_json(await request.body()), crs=crs)
        area_id = await areas.create_area(db, principal, feature)
        return (await areas.get_area(db, area_id, principal.scope)).to_feature()

    @post(
        "/import",
        operation_id="importAreas",
        opt={"capability": "write"},
        status_code=HTTP_200_OK,
        operation_class=raw_body_operation(
            "application/geo+json",
            "a GeoJSON FeatureCollection (UTF-8, with or without BOM); or, by the same route, "
            "a GeoPackage (application/geopackage+sqlite3) or a zipped shapefile (application/zip: .shp, .shx, .dbf, "
            ".prj, .cpg). The kind is told by the file's first bytes.",
            GEOJSON_SCHEMA,
        ),
    )
    async def import_areas(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: Caller,
        crs: CrsParam = None,
        bekrafta: Confirm = False,
        name_field: FieldParam = None,
        ref_field: FieldParam = None,
        kommun_field: FieldParam = None,
        kind_field: FieldParam = None,
    ) -> areas.ImportSummary:
        """All or nothing; features whose external_ref exists update that area, so a re-run changes nothing.
        ``name_field``, ``ref_field``, ``kommun_field``, ``kind_field`` name the file's own fields; without a kommun
        field the kommun is found from the geometry, and an area must lie inside its kommun.
        409 when a changed area would move out a household that holds a group's contact person (see ``bekrafta``)."""
        mapping = gis.FieldMapping(name=name_field, external_ref=ref_field, kommun=kommun_field, kind=kind_field)
        return await area_cases.import_area_file(db, principal, await request.body(), crs=crs, mapping=mapping, erase_contacts=bekrafta)

    @get("/", operation_id="listAreas", opt={"capability": "read"})
    async def index(self, db: Db, principal: Caller, kommun: KommunFilter = None, limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
        """A FeatureCollection of the areas (WGS 84), with ``total`` for paging."""
        if kommun:
            await kommuner.require_known(db, kommun)
        records, total = await areas.list_areas(db, principal.visible_kommuner(kommun), limit=limit, offset=offset)
        return {"type": "FeatureCollection", "features": [r.to_feature() for r in records], "total": total}

    @get("/{area_id:int}", operation_id="getArea", opt={"capability": "read"})
    async def read(self, db: Db, principal: Caller, area_id: FromPath[int]) -> dict[str, Any]:
        return (await areas.get_area(db, area_id, principal.scope)).to_feature()

    @patch(
        "/{area_id:int}",
        operation_id="updateArea",
        opt={"capability": "write"},
        operation_class=raw_body_operation(
            "application/json", "a partial Feature: properties (name, kind, external_ref, kommun) and/or geometry", GEOJSON_SCHEMA
        ),
    )
    async def update(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: Caller,
        area_id: FromPath[int],
        crs: CrsParam = None,
        bekrafta: Confirm = False,
    ) -> dict[str, Any]:
        """Change properties or the geometry; households are re-assigned where the area moved. 409 when a
        household that holds a group's contact person would leave the group's area (see ``bekrafta``)."""
        body = decode_json(await request.body())
        if not isinstance(body, dict):
            raise InvalidInput("area.patch_object", [FieldError.of("body", "json.not_object")])
        unknown = set(body) - {"type", "properties", "geometry", "crs", "id"}
        if unknown:
            raise InvalidInput("json.unknown_members", [FieldError.of(k, "json.unknown") for k in sorted(unknown)], members=sorted(unknown))
        props = body.get("properties") or {}
        if not isinstance(props, dict):
            raise InvalidInput("area.properties_object", [FieldError.of("properties", "json.not_object")])
        allowed = {"name", "kind", "external_ref", "kommun"}
        if set(props) - allowed:
            bad = sorted(set(props) - allowed)
            raise InvalidInput(
                "area.properties_fixed", [FieldError.of(f"properties.{k}", "area.property_fixed") for k in bad], properties=bad
            )
        geometry = None
        if body.get("geometry") is not None:
            geometry = parse_geometry(body["geometry"], crs=crs if crs else _member_crs(body))
        if await areas.update_area(db, principal, area_id, props, geometry, erase_contacts=bekrafta):
            await audit.scrub(db, CONTACT_TABLES)
        return (await areas.get_area(db, area_id, principal.scope)).to_feature()

    @delete("/{area_id:int}", operation_id="deleteArea", opt={"capability": "write"}, status_code=HTTP_204_NO_CONTENT)
    async def remove(self, db: Db, principal: Caller, area_id: FromPath[int]) -> None:
        """Refused with 409 while the area has a group."""
        await areas.delete_area(db, principal, area_id)

    @get("/{area_id:int}/households", operation_id="listAreaHouseholds", opt={"capability": "read_households"})
    async def households(
        self, db: Db, principal: Caller, area_id: FromPath[int], limit: Limit = 100, offset: Offset = 0
    ) -> Page[households.Household]:
        area = await areas.get_area(db, area_id, principal.scope)
        items, total = await households.list_households(db, in_kommuner=[area.kommun], area_id=area_id, limit=limit, offset=offset)
        return Page(items=items, total=total)


def _member_crs(body: dict[str, Any]) -> str | None:
    from grannsamverkan.geo.crs import crs_from_geojson

    code = crs_from_geojson(body["crs"]) if "crs" in body else None
    return None if code is None else f"EPSG:{code}"


# --- households -----------------------------------------------------------------------------------


class Point(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    type: Literal["Point"]
    coordinates: Annotated[list[float], Meta(min_length=2, max_length=3)]


class HouseholdCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    kommun: KommunCode
    external_ref: OptionalText = None
    street: OptionalText = None
    postcode: Annotated[str, Meta(max_length=20)] | None = None
    city: OptionalText = None
    location: Point | None = None
    area_id: Id | None = None


class HouseholdController(Controller):
    path = "/api/v1/households"
    tags = ["households"]

    @post("/", operation_id="createHousehold", opt={"capability": "write"}, status_code=HTTP_201_CREATED)
    async def create(self, db: Db, principal: Caller, data: JSONBody[HouseholdCreate], crs: CrsParam = None) -> households.Household:
        """One household; its area is assigned from the location (or given as area_id when it has none)."""
        x = y = None
        if data.location is not None:
            x, y = parse_point(msgspec.to_builtins(data.location), crs=crs)
        household_id = await households.create_household(
            db,
            principal,
            households.HouseholdInput(
                kommun=data.kommun,
                external_ref=data.external_ref,
                street=data.street,
                postcode=data.postcode,
                city=data.city,
                x=x,
                y=y,
                area_id=data.area_id,
            ),
        )
        return await households.get_household(db, household_id, principal.scope)

    @post(
        "/import",
        operation_id="importHouseholds",
        opt={"capability": "write"},
        status_code=HTTP_200_OK,
        operation_class=raw_body_operation(
            "text/csv",
            "header external_ref,street,postcode,city and lon,lat (EPSG:4326) or x,y / e,n "
            "(EPSG:3006); comma or semicolon; UTF-8 or Windows-1252. By the same route, the points of a "
            "GeoPackage, a zipped shapefile or GeoJSON (told by the file's first bytes; fields named by the *_field parameters)",
        ),
    )
    async def import_csv(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: Caller,
        kommun: Annotated[str, QueryParameter(description="SCB kommun code of the households")],
        bekrafta: Confirm = False,
        crs: CrsParam = None,
        ref_field: FieldParam = None,
        street_field: FieldParam = None,
        postcode_field: FieldParam = None,
        city_field: FieldParam = None,
    ) -> household_import.ImportResult:
        """All or nothing, idempotent by external_ref; errors name the line (a GIS file's feature). 409 when
        the file moves a household that holds a group's contact person out of the group's area (see ``bekrafta``)."""
        principal.require_kommun(kommun)
        await kommuner.require_known(db, [kommun])
        body = await request.body()
        fields = PointFields.of(external_ref=ref_field, street=street_field, postcode=postcode_field, city=city_field)
        return await household_cases.import_households(db, principal, kommun, body, fields=fields, crs=crs, erase_contacts=bekrafta)

    @get("/", operation_id="listHouseholds", opt={"capability": "read_households"})
    async def index(
        self,
        db: Db,
        principal: Caller,
        kommun: KommunFilter = None,
        area_id: FromQuery[int | None] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[households.Household]:
        if kommun:
            await kommuner.require_known(db, kommun)
        items, total = await households.list_households(
            db, in_kommuner=principal.visible_kommuner(kommun), area_id=area_id, limit=limit, offset=offset
        )
        return Page(items=items, total=total)

    @get("/{household_id:int}", operation_id="getHousehold", opt={"capability": "read_households"})
    async def read(self, db: Db, principal: Caller, household_id: FromPath[int]) -> households.Household:
        return await households.get_household(db, household_id, principal.scope)

    @delete("/{household_id:int}", operation_id="deleteHousehold", opt={"capability": "write"}, status_code=HTTP_204_NO_CONTENT)
    async def remove(self, db: Db, principal: Caller, household_id: FromPath[int]) -> None:
        """Erase the household and its personal data (sign-ups, contact persons, audit values)."""
        await household_cases.erase_household(db, principal, household_id)


# --- groups -----------------------------------------------------------------------------------------


class GroupCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    area_id: Id
    kind: GroupKind
    name: Text
    status: NewGroupStatus = "forming"
    established_on: date | None = None


class SignupCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    household_id: Id


class ContactCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Checked on the server (``domain/contact.py``): a 422 names the field that is wrong."""

    household_id: Id
    name: Annotated[str, Meta(max_length=1000, description="1-200 characters")]
    phone: (
        Annotated[
            str, Meta(max_length=1000, description="a Swedish number, e.g. 070-123 45 67 or +46 70 123 45 67, or a foreign one with +")
        ]
        | None
    ) = None
    email: Annotated[str, Meta(max_length=1000, description="an e-mail address, e.g. namn@example.se")] | None = None
    consent_at: datetime | None = None
    role: Annotated[
        Literal["kontaktombud", "huvudkontaktombud"], Meta(description="huvudkontaktombud: the main contact of a large area")
    ] = "kontaktombud"


class Establish(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    established_on: date | None = None


class Dissolve(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    dissolved_on: date | None = None


class GroupController(Controller):
    path = "/api/v1/groups"
    tags = ["groups"]

    @post("/", operation_id="createGroup", opt={"capability": "write"}, status_code=HTTP_201_CREATED)
    async def create(self, db: Db, principal: Caller, data: JSONBody[GroupCreate]) -> groups.Group:
        """Start a group in ``forming``; or register an existing group with status active and its past date."""
        group_id = await group_cases.create_group(db, principal, groups.GroupInput(**msgspec.structs.asdict(data)), today_in_sweden())
        return await groups.get_group(db, group_id, principal.scope)

    @get("/", operation_id="listGroups", opt={"capability": "read"})
    async def index(
        self,
        db: Db,
        principal: Caller,
        kommun: KommunFilter = None,
        status: FromQuery[GroupStatus | None] = None,
        kind: FromQuery[GroupKind | None] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[groups.Group]:
        if kommun:
            await kommuner.require_known(db, kommun)
        items, total = await groups.list_groups(
            db, in_kommuner=principal.visible_kommuner(kommun), status=status, kind=kind, limit=limit, offset=offset
        )
        return Page(items=items, total=total)

    @get("/{group_id:int}", operation_id="getGroup", opt={"capability": "read"})
    async def read(self, db: Db, principal: Caller, group_id: FromPath[int]) -> groups.Group:
        return await groups.get_group(db, group_id, principal.scope)

    @hot_get("/{group_id:int}/eligibility", operation_id="getGroupEligibility", opt={"capability": "read"})
    async def eligibility(self, request: Request[Principal, Any, Any], group_id: FromPath[int]) -> Eligibility:
        """The 70 % rule: at least 70 % of the area's households signed up, and a contact person."""
        # The hot path: one query straight on the pool and the caller from the request, with no
        # per-request dependencies (resolving them costs more than the query itself).
        return await groups.eligibility(request.app.state.pool, group_id, request.user.scope)

    @post("/{group_id:int}/establish", operation_id="establishGroup", opt={"capability": "write"}, status_code=HTTP_200_OK)
    async def establish(self, db: Db, principal: Caller, group_id: FromPath[int], data: JSONBody[Establish | None] = None) -> groups.Group:
        """forming → active; 409 with the reasons when the group is not eligible."""
        on = (data.established_on if data else None) or today_in_sweden()
        await group_cases.establish(db, principal, group_id, on)
        return await groups.get_group(db, group_id, principal.scope)

    @post("/{group_id:int}/dissolve", operation_id="dissolveGroup", opt={"capability": "write"}, status_code=HTTP_200_OK)
    async def dissolve(self, db: Db, principal: Caller, group_id: FromPath[int], data: JSONBody[Dissolve | None] = None) -> groups.Group:
        on = (data.dissolved_on if data else None) or today_in_sweden()
        await group_cases.dissolve(db, principal, group_id, on)
        return await groups.get_group(db, group_id, principal.scope)

    @post("/{group_id:int}/signups", operation_id="createSignup", opt={"capability": "write"}, status_code=HTTP_201_CREATED)
    async def sign_up(self, db: Db, principal: Caller, group_id: FromPath[int], data: JSONBody[SignupCreate]) -> groups.Signup:
        """The household must lie in the group's area; twice is 409."""
        return await group_cases.sign_up(db, principal, group_id, data.household_id)

    @get("/{group_id:int}/signups", operation_id="listSignups", opt={"capability": "read_households"})
    async def signups(
        self, db: Db, principal: Caller, group_id: FromPath[int], limit: Limit = 100, offset: Offset = 0
    ) -> Page[groups.Signup]:
        items, total = await groups.list_signups(db, group_id, principal.scope, limit=limit, offset=offset)
        return Page(items=items, total=total)

    @delete(
        "/{group_id:int}/signups/{household_id:int}",
        operation_id="deleteSignup",
        opt={"capability": "write"},
        status_code=HTTP_204_NO_CONTENT,
    )
    async def withdraw(
        self, db: Db, principal: Caller, group_id: FromPath[int], household_id: FromPath[int], bekrafta: Confirm = False
    ) -> None:
        """Withdraw a sign-up. 409 when the household holds the group's contact person, unless ``bekrafta=1``
        confirms that the contact person is erased with it."""
        await group_cases.withdraw_signup(db, principal, group_id, household_id, confirm_erasure=bekrafta)

    @post("/{group_id:int}/contacts", operation_id="createContactPerson", opt={"capability": "write"}, status_code=HTTP_201_CREATED)
    async def add_contact(self, db: Db, principal: Caller, group_id: FromPath[int], data: JSONBody[ContactCreate]) -> groups.ContactPerson:
        """A contact person (kontaktombud); the household must be signed up. consent_at defaults to now."""
        return await group_cases.add_contact(db, principal, group_id, groups.ContactInput(**msgspec.structs.asdict(data)))

    @get("/{group_id:int}/contacts", operation_id="listContactPersons", opt={"capability": "read"})
    async def contacts(self, db: Db, principal: Caller, group_id: FromPath[int]) -> Page[groups.ContactPerson]:
        items = await groups.list_contacts(db, group_id, principal.scope)
        return Page(items=items, total=len(items))

    @delete(
        "/{group_id:int}/contacts/{contact_id:int}",
        operation_id="deleteContactPerson",
        opt={"capability": "write"},
        status_code=HTTP_204_NO_CONTENT,
    )
    async def remove_contact(self, db: Db, principal: Caller, group_id: FromPath[int], contact_id: FromPath[int]) -> None:
        """Erase a contact person: the row, their values in the audit trail and in the data files."""
        await group_cases.erase_contact(db, principal, group_id, contact_id)
