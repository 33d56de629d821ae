"""Every message a person can read about an error: a stable code and its Swedish text.

A raise site names the code and the values (``raise NotFound("area.not_found", area_id=999)``);
:class:`grannsamverkan.errors.GrannsamverkanError` fills the template here. The API answers
with both (``code`` and ``detail`` in problem+json, ``code`` and ``message`` on each field
error), the pages and the command line show the text. Codes are ``topic.what``, lower case, and
never change once published: clients may branch on them. Templates use ``str.format`` fields.

Imported by every layer (it imports nothing of the project), like :mod:`grannsamverkan.errors`.
tests/unit/test_messages.py checks that every code a raise site names is here, with the values
its template needs, and that no template reads as English.
"""

from __future__ import annotations

import errno
from collections.abc import Iterable, Mapping
from typing import Final

CATALOG: Final[dict[str, str]] = {
    # --- requests and the server (http/, db/pool.py) ---------------------------------------------
    "request.malformed": "Begäran kunde inte läsas: {reason}",
    "request.invalid": "Begäran innehåller ogiltiga värden.",
    "request.invalid_value": "Ogiltigt värde: {reason}",
    "request.too_deep": "JSON-innehållet är för djupt nästlat.",
    "request.too_large": "Begärans innehåll är för stort.",
    "request.not_found": "Adressen finns inte.",
    "request.method_not_allowed": "Metoden stöds inte på den här adressen.",
    "request.unsupported_media_type": "Innehållets typ stöds inte här.",
    "request.http_error": "Begäran kunde inte utföras ({status}).",
    "request.timeout": (
        "Begärans innehåll kom inte fram inom {seconds} sekunder; försök igen med en snabbare anslutning eller en mindre fil."
    ),
    "request.interrupted": "Anslutningen bröts innan begärans innehåll hade kommit fram.",
    "request.value_too_big": "Ett värde kan inte sparas: {reason}",
    "server.unexpected": "Ett oväntat fel inträffade. Det har loggats.",
    "database.unavailable": "Databasen går inte att nå. Försök igen om en stund.",
    # --- database rules (db/pool.py) -------------------------------------------------------------
    "constraint.area_external_ref": "Det finns redan ett område med det här external_ref i kommunen.",
    "constraint.household_external_ref": "Det finns redan ett hushåll med det här external_ref i kommunen.",
    "constraint.one_live_group": "Området har redan en grupp som inte är upplöst.",
    "constraint.signed_up_already": "Hushållet är redan anmält.",
    "constraint.burglary_external_ref": "Det finns redan ett inbrott med den här källan och det här external_ref i kommunen.",
    "constraint.contact_not_signed_up": "Kontaktpersonens hushåll måste vara anmält till gruppen.",
    "constraint.contact_household": "Hushållet har redan en kontaktperson i gruppen.",
    "constraint.contact_left_area": "Ett hushåll som är kontaktperson skulle lämna gruppens område; ta bort kontaktpersonen först.",
    "constraint.unknown_kommun": "Okänd kommunkod.",
    "constraint.unknown_area": "Området finns inte i hushållets kommun.",
    "constraint.duplicate": "Det finns redan en likadan rad ({constraint}).",
    "constraint.missing_row": "Hänvisar till en rad som inte finns ({constraint}).",
    "constraint.restricted": "Ändringen nekas av databasens regel {constraint}.",
    "constraint.check": "Värdet bryter mot databasens regel {constraint}.",
    # --- access (domain/access.py) ---------------------------------------------------------------
    "access.capability": "Rollen {role} får inte {capability}.",
    "access.kommun": "Din behörighet gäller inte kommun {kommun}.",
    # --- places in a file ------------------------------------------------------------------------
    "place.feature": "objekt {feature}: ",
    "place.line": "rad {line}: ",
    # --- addresses, contact persons, areas, dates (domain/) --------------------------------------
    "address.street_too_long": "Gatuadressen är för lång (högst {max} tecken).",
    "address.postcode": "Postnumret ska vara fem siffror, till exempel 881 30.",
    "address.city_too_long": "Orten är för lång (högst {max} tecken).",
    "address.invalid": "Adressen är inte giltig. {problems}",
    "contact.name_missing": "Skriv kontaktpersonens namn.",
    "contact.name_too_long": "Namnet är för långt (högst {max} tecken).",
    "contact.name_control": "Namnet innehåller otillåtna tecken (styrtecken).",
    "contact.phone_too_long": "Telefonnumret är för långt (högst {max} tecken).",
    "contact.phone_invalid": "Telefonnumret är inte giltigt. Skriv det till exempel som 070-123 45 67 eller +46 70 123 45 67.",
    "contact.email_too_long": "E-postadressen är för lång (högst {max} tecken).",
    "contact.email_invalid": "E-postadressen är inte giltig. Skriv den till exempel som namn@example.se.",
    "contact.invalid": "Kontaktpersonens uppgifter är inte giltiga. {problems}",
    "area.name_required": "'name' krävs (text).",
    "area.name_too_long": "'name' är längre än {max} tecken.",
    "area.kommun_required": "'kommun' krävs: SCB:s fyrsiffriga kod som text, t.ex. \"2283\".",
    "area.kind_unknown": "Områdets typ ('kind') ska vara en av: {kinds}; fick {kind}.",
    "area.external_ref_text": "'external_ref' ska vara text.",
    "area.external_ref_length": "'external_ref' ska vara 1 till {max} tecken.",
    "area.properties_invalid": "Områdets egenskaper är inte giltiga: {first}",
    "date.out_of_range": "{day} ligger utanför {first} .. {last}.",
    "date.out_of_range_at": "{field}: {problem}",
    # --- goals (domain/goals.py) -----------------------------------------------------------------
    "goal.year_range": "År {year} ligger utanför det tillåtna intervallet.",
    "goal.year_bounds": "Året ska vara mellan 1 och 9998.",
    "goal.negative": "Ska vara 0 eller mer.",
    "goal.invalid": "Målet är inte giltigt.",
    # --- group lifecycle (domain/lifecycle.py) ---------------------------------------------------
    "lifecycle.step_not_allowed": "En grupp som är {status} kan inte {step}: {why}.",
    # --- citizen promises (domain/promises.py) ---------------------------------------------------
    "promise.period_reversed": "Slutar före periodens start.",
    "promise.period_too_long": "Perioden får vara högst tio år.",
    "promise.counts_missing": "Ett löfte om antal behöver veta vad som räknas.",
    "promise.target_missing": "Ett löfte om antal behöver ett mål.",
    "promise.rhythm_missing": "Ett återkommande löfte behöver en rytm (monthly).",
    "promise.due_missing": "En engångsinsats behöver ett datum då den ska vara gjord.",
    "promise.months": "Månader är 1–12.",
    "promise.target_negative": "Får inte vara negativt.",
    "promise.invalid": "Löftet går inte att spara: {field}: {problem}",
    # --- groups and the 70 % rule (domain/eligibility.py) ----------------------------------------
    "eligibility.negative_total": "Antalet hushåll kan inte vara negativt.",
    "eligibility.not_negative": "Ska vara 0 eller mer.",
    "eligibility.more_signups": "{signed_up} anmälningar men bara {total} hushåll.",
    "eligibility.cannot_evaluate": "Det går inte att avgöra om gruppen kan bildas.",
    "eligibility.not_eligible": "Grupp {group_id} kan inte bildas: {reasons}.",
    "eligibility.reason.not_forming": "gruppen bildas inte längre",
    "eligibility.reason.no_households": "området har inga hushåll",
    "eligibility.reason.below_threshold": "färre än 70 % av hushållen är anmälda",
    "eligibility.reason.no_contact_person": "gruppen saknar kontaktperson",
    "group.status_unknown": "Okänd gruppstatus {status}.",
    "group.status_one_of": "Ska vara en av: {statuses}.",
    "group.new_status": "En ny grupp har status 'forming', eller 'active' för en grupp som fanns före registret.",
    "group.existing_needs_date": "En befintlig grupp behöver det datum då den bildades (established_on, i dag eller tidigare).",
    "group.established_on_set": "established_on sätts när gruppen bildas (ange status 'active' för en befintlig grupp).",
    "group.dissolved_before_established": "Upplösningsdagen (dissolved_on) ligger före den dag gruppen bildades ({established_on}).",
    "group.transition": "En grupp som är {current} kan inte bli {target}.",
    # --- ranking and backtest (domain/ranking.py, domain/backtest.py) ----------------------------
    "ranking.tz_aware": "Tiden behöver en tidszon.",
    "ranking.after": "Ska vara efter {start}.",
    "ranking.incidents_other_areas": "Inbrottstabellen byggdes för andra områden.",
    "ranking.method_unknown": "Okänd metod; ska vara en av: {methods}.",
    "ranking.at_least_one": "Ska vara minst 1.",
    "backtest.coverage": "Ska vara större än 0 och högst 1.",
    "backtest.training_period": "Träningsperioden är inte giltig.",
    "backtest.scores": "Det behövs ett värde per område.",
    "backtest.invalid": "Utvärderingens värden är inte giltiga.",
    "backtest.no_households": "Det finns inga hushåll att peka ut.",
    "backtest.no_households_in_areas": "Områdena har inga hushåll.",
    "backtest.folds": "Antalet omgångar är inte giltigt.",
    # --- places, reports from residents (domain/places.py) ---------------------------------------
    "place.status_unknown": "Okänd status {status}.",
    "place.status_one_of": "En av: {statuses}.",
    "place.duplicate_by_merge": "Status Dubblett sätts genom att slå ihop rapporten med en annan.",
    "place.use_merge": "Använd sammanslagning.",
    "place.transition": "Status kan inte ändras från {current} till {new}; tillåtet: {allowed}.",
    "place.transition_short": "{current} -> {new} är inte tillåtet.",
    "place.merge_self": "En rapport kan inte slås ihop med sig själv.",
    "place.merge_self_short": "Samma rapport.",
    "place.merge_kommun": "Rapporterna hör till olika kommuner.",
    "place.merge_kommun_short": "Annan kommun.",
    "place.merge_done": "Rapporten är redan {status}.",
    "place.merge_done_short": "Redan {status}.",
    "place.merge_into_duplicate": "Rapporten att slå ihop med är själv en dubblett; välj originalet.",
    "place.merge_into_duplicate_short": "Dubblett.",
    "place.field_required": "Fältet {field} måste fyllas i.",
    "place.missing": "Saknas.",
    "place.field_too_long": "Fältet {field} får vara högst {max} tecken (nu {length}).",
    "place.at_most": "Högst {max} tecken.",
    "place.email": "E-postadressen ser inte ut som en e-postadress, t.ex. namn@example.se.",
    "place.email_short": "Ogiltig e-postadress.",
    # --- goals and the yearly report (services/report.py, db/goals.py) ---------------------------
    "goal.not_set": "Inget mål är satt för kommun {kommun} år {year}.",
    # --- groups, sign-ups and contact persons (services/groups.py, db/groups.py) -----------------
    "group.dissolved": "Grupp {group_id} är upplöst.",
    "group.dissolved_keeps_name": "Grupp {group_id} är upplöst; den behåller sitt namn.",
    "group.name_missing": "Skriv gruppens namn.",
    "group.name_too_long": "Namnet är för långt (högst {max} tecken).",
    "group.dissolve_confirm": "Bekräfta att gruppen ska lösas upp: bocka i rutan.",
    "group.dissolved_since": "Gruppen är redan upplöst sedan {since}.",
    "group.dissolved_already": "Gruppen är redan upplöst.",
    "group.dissolve_before_established": "Datumet kan inte vara före den dag gruppen bildades ({established_on}).",
    "household.not_in_kommun": "Hushåll {household_id} finns inte i kommun {kommun}.",
    "household.not_in_group_area": "Hushåll {household_id} ligger inte i gruppens område {area_id}.",
    "signup.not_found": "Hushåll {household_id} är inte anmält till grupp {group_id}.",
    "signup.holds_contact": (
        "Hushåll {household_id} är kontaktperson för grupp {group_id} (kontaktperson {contacts}). Att ta bort anmälan "
        "raderar kontaktpersonens personuppgifter för gott. Gruppen har då ingen kontaktperson, som regeln kräver för "
        "att bildas. Ta bort kontaktpersonen först, eller bekräfta raderingen ({confirm})."
    ),
    "signup.holds_contact_active": (
        "Hushåll {household_id} är kontaktperson för grupp {group_id} (kontaktperson {contacts}). Att ta bort anmälan "
        "raderar kontaktpersonens personuppgifter för gott. Gruppen har då ingen kontaktperson, som regeln kräver för "
        "att en aktiv grupp ska uppfylla den. Ta bort kontaktpersonen först, eller bekräfta raderingen ({confirm})."
    ),
    "contact.not_found": "Grupp {group_id} har ingen kontaktperson {contact_id}.",
    # --- citizen promises and activities (services/promises.py, db/promises.py) ------------------
    "promise.field": "{field}: {problem}",
    "promise.year_range": "Året {year} ligger utanför {first}–{last}.",
    "promise.year_or_period": "Ange antingen year eller period_start och period_end.",
    "promise.period_missing": "Ange year eller både period_start och period_end.",
    "promise.title_empty": "Får inte vara tomt.",
    "promise.goal_owned": "Löftet är kommunens mål för {year}: ändra {fields} med PUT /api/v1/goals/{kommun}/{year}",
    "promise.goal_owned_field": "Styrs av årets mål.",
    "promise.goal_not_deleted": "Löftet är kommunens mål för {year} och tas inte bort här.",
    "promise.lon_lat": "Ange både lon och lat, eller ingen av dem.",
    "promise.other_kommun": "Löfte {promise_id} gäller inte kommun {kommun}.",
    "promise.day_not_in_year": "{day} ligger inte i {year}.",
    "promise.none_in_kommuner": "Inga medborgarlöften för {year} i kommun {kommuner}",
    "promise.none_in_kommun": "Inga löften för {kommun} {year}.",
    "promise.none": "Ingen kommun har medborgarlöften för {year}",
    "activity.kommun_missing": "Ange kommun (eller promise_id).",
    "activity.meeting_needs": "En informationsträff behöver plats (place) och ämne (topic: grannsamverkan eller byavakt).",
    "activity.walk_points": "Bara en trygghetsvandring har ett protokoll med punkter.",
    "activity.not_found": "Aktivitet {activity_id} finns inte.",
    "offer.not_found": "Erbjudande {offer_id} finns inte.",
    "area.not_found": "Område {area_id} finns inte.",
    "area.not_in_kommun": "Område {area_id} finns inte i kommun {kommun}.",
    "kommun.not_yours": "Kommun {kommun} finns inte bland dina kommuner.",
    # --- search and mail (services/search.py, services/mail.py) ----------------------------------
    "search.too_short": "Skriv minst {min} tecken att söka efter.",
    "search.too_long": "Sökningen får vara högst {max} tecken.",
    "mail.smtp_url": "SMTP_URL saknas eller är fel; t.ex. smtp://mail.kommun.se:587?starttls=1",
    "mail.smtp_port": "SMTP_URL har ett felaktigt portnummer.",
    # --- group lifecycle, renewals and signs (services/lifecycle.py, db/lifecycle.py) ------------
    "kommun.not_found": "Kommun {kommun} finns inte.",
    "lifecycle.own_route": "Steget {step} görs med /{step}.",
    "lifecycle.own_route_short": "Eget anrop.",
    "lifecycle.step_role": "Rollen {role} får inte {step}: det gör {who}.",
    "lifecycle.reactivate_needs_contact": "Grupp {group_id} har ingen kontaktperson; lägg till en innan gruppen återaktiveras.",
    "lifecycle.before_established": "Datumet {on} är före gruppens bildande ({established_on}).",
    "lifecycle.renew_status": "Grupp {group_id} är {status}; bara aktiva och vilande grupper förnyas.",
    "lifecycle.renew_needs_contact": "Grupp {group_id} har ingen kontaktperson att bekräfta; lägg till en först.",
    "lifecycle.declined_outside": "Hushåll {household_id} ligger inte i grupp {group_id}s område.",
    "lifecycle.declined_signed_up": "Hushåll {household_id} är anmält till grupp {group_id}; ta bort anmälan först.",
    "sign.x_and_y": "Ange både x och y (SWEREF 99 TM) för skyltens plats, eller ingen av dem.",
    "sign.date_order": "{later} ({later_day}) är före {earlier} ({earlier_day}).",
    "sign.taken_down_unplaced": "En skylt som tagits ner måste ha satts upp (placed_on).",
    "sign.group_not_active": "Skyltar sätts upp först när gruppen är aktiv; grupp {group_id} är {status}.",
    "sign.not_found": "Grupp {group_id} har ingen skylt {sign_id}.",
    # --- places, handling reports (services/places.py) -------------------------------------------
    "place.choice_unknown": "Okänt värde {value} för {field}; välj ett av: {choices}.",
    "place.position_needed": "Sätt ut platsen på kartan eller beskriv var den är.",
    "place.support_closed": "Det går bara att instämma i publicerade rapporter som inte är avslutade.",
    "place.not_open": "Inte öppen.",
    "place.publish_rejected": "Rapporten är avvisad och kan inte publiceras.",
    "place.rejected": "Avvisad.",
    "place.publish_position": "Sätt ut platsen på kartan innan rapporten publiceras.",
    "place.publish_personal_data": (
        "Texten verkar innehålla personuppgifter ({found}); ta bort dem (markera personuppgifter) innan rapporten publiceras."
    ),
    "place.personal_data_short": "Möjliga personuppgifter.",
    "place.review_done": "Rapporten är redan {status}.",
    "place.is_rejected": "Rapporten är avvisad.",
    "place.x_and_y": "Ange både x och y.",
    "place.x_and_y_short": "x och y.",
    "place.moved_after_publishing": "Platsen kan inte flyttas efter publicering.",
    "place.published": "Publicerad.",
    "place.responsible": "Ange vem som är ansvarig när det inte är kommunen.",
    "place.responsible_short": "T.ex. trafikverket eller fastighetsagare.",
    "place.not_found": "Ingen rapport med id {report_id}.",
    "place.to_before_from": "Slutdatumet (to) ligger före startdatumet (from).",
    "place.before_from": "Före from.",
    # --- goals, meetings (db/goals.py) -----------------------------------------------------------
    "goal.year_between": "Ska vara mellan {first} och {last}.",
    "goal.year_outside": "År {year} ligger utanför {first}–{last}.",
    "goal.not_set_in": "Inget mål är satt för {year} i kommun {kommuner}.",
    "goal.none": "Ingen kommun har ett mål för {year}.",
    "meeting.locality_empty": "Orten (locality) är tom.",
    "meeting.blank": "Får inte vara tomt.",
    "meeting.not_found": "Informationsmöte {meeting_id} finns inte.",
    # --- groups and contact persons (db/groups.py) -----------------------------------------------
    "group.not_found": "Grupp {group_id} finns inte.",
    "contact.not_signed_up": (
        "Hushåll {household_id} är inte anmält till grupp {group_id}; en kontaktperson väljs bland de anmälda hushållen."
    ),
    "contact.second": "Hushåll {household_id} har redan en kontaktperson i grupp {group_id}; ett hushåll har högst en kontaktperson.",
    "contact.would_leave_area": (
        "{what} flyttar hushåll ut ur området för grupper där de är kontaktpersoner: {named}{more}. En kontaktpersons "
        "personuppgifter raderas bara när det uttryckligen begärs: ta bort kontaktpersonerna först, eller gör om "
        "ändringen med {confirm} för att radera dem."
    ),
    "contact.would_be_erased": "Kontaktperson {contact_id} i grupp {group_id} (hushåll {household_id}) skulle raderas.",
    # --- kommuner, promises, tokens (db/) --------------------------------------------------------
    "kommun.unknown_codes": "Okänd kommunkod {codes}: använd SCB:s fyra siffror, t.ex. 2283 för Sollefteå.",
    "kommun.unknown_code": "Okänd kommunkod {code}.",
    "promise.not_found": "Löfte {promise_id} finns inte (eller syns inte för den här token).",
    "walk_point.not_found": "Punkt {point_id} i ett protokoll finns inte.",
    "token.role_unknown": "Okänd roll {role}.",
    "token.kommun_needed": "En token för samordnare eller polis behöver minst en --kommun.",
    "token.kommun_required": "Krävs för den här rollen.",
    "token.name_taken": "Det finns redan en token med namnet {name}.",
    "token.taken": "Upptaget.",
    "token.not_found": "Ingen token med namnet eller numret {name}.",
    # --- coordinates and CRS (geo/crs.py) --------------------------------------------------------
    "crs.unsupported": "Koordinatsystemet {crs} stöds inte; använd EPSG:4326 (WGS 84, lon/lat) eller EPSG:3006 (SWEREF 99 TM).",
    "crs.disagree": ("Parametern crs säger EPSG:{query_crs} men GeoJSON-medlemmen 'crs' säger EPSG:{member_crs}; ange bara den ena."),
    "crs.member_object": (
        'Medlemmen \'crs\' ska vara ett objekt som {{"type": "name", "properties": {{"name": "urn:ogc:def:crs:EPSG::3006"}}}}.'
    ),
    "crs.member_named": (
        "Medlemmen 'crs' förstås bara med ett namngivet koordinatsystem, som "
        '{{"type": "name", "properties": {{"name": "urn:ogc:def:crs:EPSG::3006"}}}}.'
    ),
    "coordinates.not_finite": "Koordinaterna {point} är inte ändliga tal.",
    "coordinates.lat_lon_swapped": "Koordinaterna ser ut att ha latitud och longitud omkastade: {point}; GeoJSON har ordningen lon,lat.",
    "coordinates.lat_lon_swapped.columns": (
        "Koordinaterna ser ut att ha latitud och longitud omkastade: {point}; kolumnen lon har latituder och kolumnen lat longituder."
    ),
    "coordinates.sweref_as_degrees": (
        "Koordinaterna {point} ser ut som meter i SWEREF 99 TM, inte grader longitud/latitud; ange crs=EPSG:3006 eller en 'crs'-medlem."
    ),
    "coordinates.sweref_as_degrees.columns": (
        "Koordinaterna {point} ser ut som meter i SWEREF 99 TM, inte grader longitud/latitud; döp kolumnerna till x,y (eller e,n)."
    ),
    "coordinates.sweref_north_east": (
        "Koordinaterna {point} ser ut som meter i SWEREF 99 TM i ordningen nord,öst, inte longitud/latitud; "
        "ange östvärdet (x) först och använd EPSG:3006."
    ),
    "coordinates.outside_sweden_wgs84": (
        "Koordinaterna {point} ligger utanför Sverige (longitud 10–24,5 och latitud 55–69,2 väntas, EPSG:4326)."
    ),
    "coordinates.x_y_swapped": (
        "Koordinaterna ser ut att ha x och y (öst- och nordvärde) omkastade: {point} EPSG:3006; "
        "ange östvärdet (x) först, sedan nordvärdet (y)."
    ),
    "coordinates.x_y_swapped.columns": (
        "Koordinaterna ser ut att ha x och y (öst- och nordvärde) omkastade: {point} EPSG:3006; "
        "kolumnen x har nordvärden och kolumnen y östvärden."
    ),
    "coordinates.degrees_as_sweref": (
        "Koordinaterna {point} ser ut som grader longitud/latitud, inte meter i SWEREF 99 TM; ta bort crs=EPSG:3006."
    ),
    "coordinates.degrees_as_sweref.columns": (
        "Koordinaterna {point} ser ut som grader longitud/latitud, inte meter i SWEREF 99 TM; döp kolumnerna till lon,lat."
    ),
    "coordinates.lat_lon_as_sweref": (
        "Koordinaterna {point} ser ut som grader latitud/longitud, inte meter i SWEREF 99 TM; ange lon,lat i EPSG:4326."
    ),
    "coordinates.outside_sweden_sweref": (
        "Koordinaterna {point} EPSG:3006 ligger utanför Sverige (x 180000–1000000 och y 6100000–7700000 väntas)."
    ),
    # --- files and lists of errors (geo/, db/) ---------------------------------------------------
    "place.event": "händelse {event}: ",
    "errors.more": " (och {count} till)",
    "file.json_invalid": "Filen (innehållet) är inte giltig JSON: {reason}",
    # --- police events and burglaries (geo/police.py, db/burglaries.py) --------------------------
    "police.event_object": "Ett händelseobjekt väntades.",
    "police.id": "'id' ska vara ett tal eller en text, fick {value}.",
    "police.datetime": "'datetime' {value} ser inte ut som '2023-03-23 9:37:32 +01:00'.",
    "police.gps_format": "gps {value} har inte formen 'lat,lng'.",
    "police.gps_swapped": "gps {value} ser ut som lng,lat; flödets ordning är lat,lng.",
    "police.gps_outside": "gps {value} ligger utanför Sverige (lon/lat {point}).",
    "police.invalid_events": "Polisens händelser kan inte läsas: {first}{more}",
    "police.array": 'En JSON-lista med polisens händelser väntades ([{{"id", "datetime", "type", ...}}]).',
    "burglary.source_length": "Källan (source) ska vara 1 till 100 tecken.",
    "burglary.no_area": "Inget område med external_ref {ref} i kommun {kommun}.",
    "burglary.other_area": "Platsen ligger i område {point_area}, inte i område {ref} ({named}); rätta den ena eller utelämna den.",
    "burglary.invalid": "Inbrotten kan inte läsas: {first}{more}",
    "period.reversed": "Startdagen {first} ligger efter periodens sista dag {last}.",
    "period.after_last": "Får inte ligga efter periodens sista dag ({last}).",
    "ranking.no_areas": "Kommun {kommun} har inga områden att rangordna.",
    # --- migrations (db/migrate.py) --------------------------------------------------------------
    "migration.file_name": "Migreringsfilens namn {name} har inte formen NNNN_namn.sql.",
    "migration.same_version": "Två migreringsfiler har samma versionsnummer.",
    "migration.changed": (
        "Migreringen {file} har ändrats efter att den körts (kontrollsumman skiljer sig); skriv en ny migrering i "
        "stället för att ändra en som redan körts."
    ),
    # --- Open311 (api/open311.py) ----------------------------------------------------------------
    "open311.format": "{name}: lägg till .json eller .xml.",
    "open311.service_code": "Okänd service_code {code}; se services.json.",
    "open311.time": "{field} ska vara en tid enligt ISO 8601, t.ex. 2026-11-01T00:00:00Z.",
    "open311.time_short": "Ogiltig tid.",
    "open311.year": "{field} ska ligga mellan år 1900 och 2100.",
    "open311.outside": "Utanför.",
    "open311.ids": "service_request_id är en kommaseparerad lista av nummer.",
    "open311.status": "status är open eller closed (eller båda, kommaseparerade).",
    "open311.jurisdiction": "Okänd jurisdiction_id {jurisdiction}; använd kommunkoden, t.ex. 2505.",
    "open311.number": "{field} ska vara ett tal.",
    "open311.not_number": "Inte ett tal.",
    "open311.position": "lat/long: {reason}",
    "open311.lat_long": "Ange både lat och long.",
    "open311.place": "Ange platsen med lat och long, eller address_string.",
    "open311.key_kommun": "api_key gäller inte kommunen {kommun}; ange jurisdiction_id.",
    "open311.no_request": "Ingen förfrågan {request}.",
    "open311.not_published": "Ingen publicerad förfrågan med id {request}.",
    "open311.key_missing": "api_key saknas.",
    "open311.key_unknown": "Okänd eller återkallad api_key.",
    # --- JSON bodies (api/registry.py) -----------------------------------------------------------
    "area.patch_object": "Ett objekt med 'properties' och/eller 'geometry' väntades.",
    "json.not_object": "Inte ett objekt.",
    "json.unknown_members": "Okända medlemmar {members}.",
    "json.unknown": "Okänd.",
    "area.properties_object": "'properties' ska vara ett objekt.",
    "area.properties_fixed": "De här egenskaperna kan inte ändras: {properties}.",
    "area.property_fixed": "Kan inte ändras.",
    # --- forms on the pages (web/context.py) -----------------------------------------------------
    "form.required": "Fyll i {field}.",
    "form.too_long": "{field} får vara högst {max} tecken.",
    "form.integer": "{field} ska vara ett heltal.",
    "form.out_of_range": "{field} ligger utanför det tillåtna intervallet.",
    "form.date": "{field} ska vara ett datum som ÅÅÅÅ-MM-DD.",
    "form.file_missing": "Välj en fil.",
    "form.file_empty": "Filen är tom.",
    # --- signing in and request bodies (http/) ---------------------------------------------------
    "auth.bearer_missing": "Skicka 'Authorization: Bearer <token>'; en token skapas med 'grannsamverkan token create'.",
    "auth.sign_in": "Logga in.",
    "auth.session_ended": "Inloggningen har gått ut eller avslutats.",
    "auth.token_unknown": "Token är okänd eller återkallad.",
    "request.body_too_large": "Begärans innehåll är större än de {limit} byte som tas emot här.",
    # --- the yearly report, settings and the command line ----------------------------------------
    "report.goal_other": "Är {value}, rapporten gäller {report}.",
    "report.goal_mismatch": "Målet hör inte till den här rapporten.",
    "settings.invalid": "{reason}",
    "settings.pool_sizes": (
        "GRANNSAMVERKAN_POOL_MIN_SIZE={min} är större än GRANNSAMVERKAN_POOL_MAX_SIZE={max}: minsta antalet "
        "anslutningar får inte överstiga största."
    ),
    "file.unreadable": "Filen {path} kan inte läsas: {reason}",
    "file.unwritable": "Filen {path} kan inte skrivas: {reason}",
    "file.export_suffix": "Filen {path} ska sluta på .geojson eller .gpkg.",
    "open311.key_name_taken": "Det finns redan en api_key med namnet {name}.",
    "backtest.no_burglaries": "Kommun {kommun} har inga inbrott att utvärdera på.",
    "backtest.two_years": (
        "Inbrotten i kommun {kommun} sträcker sig {first}..{last}: en rullande årsvis utvärdering behöver två hela "
        "kalenderår; ange --train-from/--train-to/--test-from/--test-to i stället."
    ),
    "backtest.all_periods": (
        "Ange alla av --train-from, --train-to, --test-from och --test-to, eller ingen för en rullande årsvis utvärdering."
    ),
    # --- pages (web/) ----------------------------------------------------------------------------
    "form.csrf": "Formuläret kunde inte verifieras (CSRF-token saknas eller är fel); ladda om sidan och försök igen.",
    "form.too_many_fields": "Formuläret har fler än {max} fält.",
    "form.choose_status": "Välj en status i listan.",
    "form.status_unknown": "Okänd status.",
    "lifecycle.step_unknown": "Okänt steg.",
    "place.map_unreadable": "Platsen på kartan kunde inte läsas; välj den igen.",
    "place.invalid_short": "Ogiltig.",
    "place.map_outside": "Platsen ligger utanför Sverige; välj den igen på kartan.",
    "kommun.no_code": "Ingen kommun med koden {code}.",
    "place.choose_status": "Välj en status.",
    "place.merge_number": "Ange numret på rapporten som ska finnas kvar.",
    "place.a_number": "Ett nummer.",
    "group.kind_choose": "Välj grannsamverkan eller byavakt.",
    "group.kind_unknown": "Okänd sort.",
    # --- error pages (web/errors.py) -------------------------------------------------------------
    "access.households": "Hushållens adresser och anmälningar visas bara för kommunens samordnare och administratörer.",
    "page.invalid_values": "Adressen eller formuläret innehåller ogiltiga värden.",
    "page.value_too_big": "Adressen eller formuläret innehåller ett värde som inte kan sparas (för stort tal eller otillåtet tecken).",
    # --- ranking input (domain/ranking.py) -------------------------------------------------------
    "ranking.duplicate_area": "Samma area_id förekommer två gånger.",
    "ranking.finite": "Koordinaterna ska vara ändliga tal.",
    "ranking.invalid_areas": "Områdena är inte giltiga.",
    "ranking.invalid_incidents": "Inbrotten är inte giltiga.",
    "ranking.to_before_from": "occurred_to ligger före occurred_from.",
    "ranking.positive": "Ska vara större än 0.",
    "ranking.invalid_parameters": "Rangordningens värden är inte giltiga.",
    # --- kommun boundaries (geo/boundaries.py) ---------------------------------------------------
    "boundary.point_outside": "Platsen (x {x}, y {y} i SWEREF 99 TM) ligger utanför kommunen {kommun}.",
    "boundary.outside_short": "Utanför kommunen.",
    "boundary.in_no_kommun": "Området ligger inte i {kommun} och inte i någon annan svensk kommun.",
    "boundary.in_other_kommun": "Området ligger i {found}, inte i {kommun}.",
    "boundary.crosses": "Området korsar kommungränsen och ligger inte helt i {kommun} (mer än {tolerance} m utanför): {parts}.",
    # --- editing an area (services/areas.py) -----------------------------------------------------
    "area.name_missing": "Skriv områdets namn.",
    "area.kind_choose": "Välj en av typerna i listan.",
    "area.invalid": "Områdets uppgifter är inte giltiga. {problems}",
    # --- areas (db/areas.py) ---------------------------------------------------------------------
    "place.feature_named": "objekt {feature} ({name}): ",
    "area.overlap": "{where}Området överlappar det befintliga området {name} (id {id}) med {m2} m² (mer än 1 m² är inte tillåtet).",
    "area.outside_kommun": "{reason}",
    "area.outside_kommun_at": "{where}{reason}",
    "area.kommun_fixed": "Områdets kommun kan inte ändras medan det har en grupp.",
    "area.has_groups": "Området har grupper ({groups}); ett område med en grupps historik kan inte tas bort.",
    "area.import_problems": "{count} fel i objekten; ingenting importerades.",
    "area.external_ref_repeats": "Objekt {index}: external_ref {ref} upprepar objekt {first}.",
    "area.features_overlap": "Objekt {index} ({name}) överlappar objekt {other} ({other_name}) med {m2} m².",
    "area.import_overlap": "{problem} Ingenting importerades.",
    # --- GeoJSON areas (geo/geojson.py) ----------------------------------------------------------
    "json.too_large": "JSON-innehållet är {size} byte; högst {max} byte tas emot (dela upp filen eller förenkla geometrierna).",
    "geojson.feature_or_collection": "Ett GeoJSON-objekt av typen 'Feature' eller 'FeatureCollection' väntades, fick {got}.",
    "geojson.type_feature_or_collection": "Typen 'Feature' eller 'FeatureCollection' väntades, fick {got}.",
    "geojson.feature": "Ett GeoJSON-objekt av typen 'Feature' väntades, fick {got}.",
    "geojson.type_feature": "Typen 'Feature' väntades, fick {got}.",
    "geojson.collection": "Ett GeoJSON-objekt av typen 'FeatureCollection' väntades, fick {got}.",
    "geojson.type_collection": "Typen 'FeatureCollection' väntades, fick {got}.",
    "geojson.features_array": "En 'FeatureCollection' behöver en lista 'features'.",
    "geojson.no_features": "'FeatureCollection' har inga objekt.",
    "geojson.invalid_area": "Området är inte giltigt: {first}{more}",
    "geojson.invalid_areas": "Områdena är inte giltiga: {first}{more}",
    "geojson.invalid_geometry": "Geometrin är inte giltig: {first}{more}",
    "geojson.point": '{field} ska vara en GeoJSON-punkt som {{"type": "Point", "coordinates": [17.27, 63.17]}}.',
    "geojson.at_field": "{field}: {problem}",
    "geojson.properties": "'properties' ska vara ett objekt eller null.",
    "geojson.feature_crs": "Objektets 'crs'-medlem skiljer sig från samlingens.",
    "geojson.id": "'id' ska vara en text eller ett tal.",
    "geojson.no_geometry": "Objektet har ingen geometri; ett område behöver en Polygon eller MultiPolygon.",
    "geojson.geometry_object": "Geometrin ska vara ett GeoJSON-objekt, fick {got}.",
    "geojson.geometry_type": "Geometritypen {kind} tas inte emot; använd Polygon eller MultiPolygon.",
    "geojson.no_coordinates": "{kind} har ingen lista 'coordinates'.",
    "geojson.empty": "{kind} är tom; ett område behöver minst en ring.",
    "geojson.no_rings": "{polygon}har inga ringar; den behöver en yttre ring.",
    "geojson.outside_count": " ({bad} av {all} positioner)",
    "geojson.outside": "{reason}{count}",
    "geojson.invalid_shape": "{reason}",
    "geojson.no_area": "{kind} har ingen yta.",
    "geojson.too_many_rings": "Området har {rings} ringar (yttre ringar och hål); högst {max} tas emot.",
    "geojson.too_many_positions": "Området har {positions} positioner; högst {max} tas emot (förenkla gränsen, t.ex. i QGIS).",
    "geojson.ring_array": "{ring} ska vara en lista av positioner, fick {got}.",
    "geojson.ring_too_long": "{ring} har {positions} positioner; högst {max} tas emot (förenkla gränsen, t.ex. i QGIS).",
    "geojson.position_at": "{ring} position {k}: {problem}",
    "geojson.ring_too_short": "{ring} har {positions} positioner; en ring behöver minst 4 (3 hörn och det första upprepat sist).",
    "geojson.ring_open": "{ring} är inte sluten: den sista positionen {last} ska upprepa den första {first}.",
    "geojson.position_array": "En position ska vara en lista [x, y], fick {value}.",
    "geojson.position_length": "En position har 2 eller 3 tal, fick {value}.",
    "geojson.position_numbers": "Koordinaterna ska vara tal, fick {value}.",
    "geojson.position_finite": "Koordinaterna ska vara ändliga tal, fick {value}.",
    # --- why a shape is invalid (geo/geojson.py, GEOS's reasons) ---------------------------------
    "shape.invalid": "Geometrin är ogiltig: {reason}",
    "shape.self_intersection": "{names} korsar sig själv vid {at}.",
    "shape.overlap": "{names} överlappar eller korsar varandra vid {at}.",
    "shape.cross": "{names} korsar varandra vid {at}.",
    "shape.ring_touches_itself": "{names} nuddar sig själv vid {at}; dela den i separata ringar eller polygoner.",
    "shape.hole_outside": "{names}: ett hål ligger utanför polygonens yttre ring vid {at}.",
    "shape.nested_holes": "{names}: ett hål ligger inuti ett annat hål vid {at}.",
    "shape.disconnected": "Det inre delas i bitar av hålen vid {at} ({names}).",
    "shape.nested_shells": "{names}: en polygon ligger inuti en annan vid {at}; använd ett hål i stället.",
    "shape.duplicate_rings": "{names} upprepar samma ring vid {at}.",
    "shape.too_few_points": "{names} har för få skilda punkter nära {at}.",
    "shape.other": "Geometrin är ogiltig ({what}) vid {at}; {names}.",
    # --- GIS files (geo/gis.py) ------------------------------------------------------------------
    "gis.kind_unknown": (
        "Filen är varken GeoJSON, GeoPackage eller en (zippad) shapefil; dessa tas emot: GeoJSON (.geojson), GeoPackage"
        " (.gpkg), shapefil (.shp med .dbf, .shx, .prj, gärna .cpg) eller alla delarna i en .zip."
    ),
    "gis.lone_shp": (
        "En ensam .shp saknar fälten (.dbf) och koordinatsystemet (.prj); skicka alla shapefilens delar i en .zip (application/zip)."
    ),
    "gis.lone_shp_short": "En ensam .shp tas inte emot.",
    "gis.zip_unreadable": "Zip-filen kan inte läsas: {reason}",
    "gis.zip_too_large": "Zip-filen packas upp till mer än {mib} MiB.",
    "gis.zip_contents": "Zip-filen ska innehålla en shapefil, GeoPackage eller GeoJSON; den har {what} ({names}).",
    "gis.zip_one_file": "En fil att läsa väntas i zip-filen.",
    "gis.no_layers": "Filen har inga lager.",
    "gis.no_layers_short": "Inga lager.",
    "gis.many_layers": "Filen har {count} lager ({names}); spara det som ska importeras som en egen fil.",
    "gis.one_layer": "Ett lager väntas.",
    "gis.unreadable": "Filen kan inte läsas som GIS-fil: {reason}",
    "gis.too_many_positions": (
        "Filen har {positions} positioner; högst {max} tas emot i en import (dela upp filen eller förenkla geometrierna)."
    ),
    "gis.crs_unreadable": "Filens koordinatsystem kan inte tolkas: {crs}",
    "gis.crs_unknown": "Okänt koordinatsystem.",
    "gis.crs_no_epsg": (
        "Filens koordinatsystem ({name}) har ingen EPSG-kod; spara om filen i SWEREF 99 TM (EPSG:3006) eller WGS 84 (EPSG:4326)."
    ),
    "gis.crs_disagree": "Filen anger koordinatsystemet EPSG:{code} men crs anger {crs}; låt bli crs (filens eget koordinatsystem används).",
    "gis.no_crs_sweref": (
        "Filen anger inget koordinatsystem (ingen .prj); koordinaterna (x {minx}–{maxx}, y {miny}–{maxy}) ser ut som "
        "SWEREF 99 TM-meter, men det går inte att veta säkert; ange --crs EPSG:3006 (crs=EPSG:3006) om de är det, eller"
        " lägg till .prj-filen."
    ),
    "gis.no_crs": (
        "Filen anger inget koordinatsystem (ingen .prj) och koordinaterna (x {minx}–{maxx}, y {miny}–{maxy}) är varken "
        "grader eller SWEREF 99 TM i Sverige."
    ),
    "gis.no_crs_short": "Filen saknar koordinatsystem.",
    "gis.no_field": "Filen har inget fält {field} ({option}); filens fält: {fields}",
    "gis.no_name_field": "Filen har inget fält 'name'; ange vilket fält som är namnet med {option}; filens fält: {fields}",
    "gis.fields": "{first}",
    # --- CSV files (geo/tabular.py, geo/columnar.py) ---------------------------------------------
    "errors.stopped": "; stoppade efter {limit} fel",
    "csv.xlsx": (
        "Det här ser ut som en Excel-arbetsbok (xlsx), inte CSV; spara den som 'CSV UTF-8' eller 'CSV "
        "(semikolonavgränsad)' och importera den."
    ),
    "csv.utf16": "Filen börjar med en byteordningsmarkering för UTF-16 men är inte UTF-16: {reason} vid byte {at}.",
    "csv.nul": "Filen innehåller en NUL-byte vid position {offset} (rad {line}); är det en CSV-fil med text?",
    "csv.encoding": "Filen är varken UTF-8 eller Windows-1252: byte {byte} på rad {line}; spara den som CSV UTF-8.",
    "csv.empty": "Filen är tom; en rubrikrad med kolumnnamn väntas.",
    "csv.header_unreadable": "Rubrikraden kan inte läsas: {reason}",
    "csv.column_twice": "Kolumnen '{name}' finns två gånger (kolumn {first} och {second}).",
    "csv.single_column": "rubrikraden lästes som den enda kolumnen {column}; skilj kolumnerna åt med komma eller semikolon",
    "csv.found_columns": "hittade: {columns}",
    "csv.missing_column": "Kolumnen {columns} saknas ({header}).",
    "csv.missing_columns": "Kolumnerna {columns} saknas ({header}).",
    "csv.no_partner": "Kolumnen '{have}' har ingen partnerkolumn '{lack}'.",
    "csv.two_pairs": "Ange ett par koordinatkolumner, inte {names}.",
    "csv.row_missing_column": "Kolumnen {columns} saknas ({fields} fält, rubrikraden har {ncols}).",
    "csv.row_missing_columns": "Kolumnerna {columns} saknas ({fields} fält, rubrikraden har {ncols}).",
    "csv.row_too_long": "{fields} fält, rubrikraden har {ncols}; sätt värden som innehåller {delimiter} inom citattecken.",
    "csv.value_too_long": "ett värde är längre än {max} tecken",
    "csv.broken": "felaktig CSV ({reason})",
    "csv.unreadable_line": "Filen kan inte läsas på rad {line}: {reason}",
    "csv.reason": "{reason}",
    "csv.empty_value": "Kolumnen '{name}' är tom.",
    "csv.postcode": "Postnumret {value} är inte ett svenskt postnummer (fem siffror, t.ex. '881 30').",
    "csv.not_a_number": "{name} {value} är inte ett tal.",
    "csv.half_position": "{have} är ifylld men {lack} är tom; ange båda koordinaterna eller ingen.",
    "csv.outside": "{reason}",
    "csv.ref_repeated": "external_ref {ref} används redan på rad {first}.",
    "csv.address_needed": "Raden har ingen position och filen ingen kolumn '{name}'; ett hushåll utan position behöver sin adress.",
    "csv.invalid_households": "Hushållsfilen kan inte importeras: {first}{more}",
    "csv.invalid_burglaries": "Inbrottsfilen kan inte importeras: {first}{more}",
    "csv.no_data": "Filen har en rubrikrad men inga datarader.",
    "csv.too_long": "Kolumnen '{name}' är {length} tecken lång; högst {max} tas emot.",
    "csv.burglary_place_columns": "Ange koordinatkolumner (lon,lat eller x,y) eller en kolumn 'area_external_ref' ({header}).",
    "csv.category_unknown": "Kategorin {value} är okänd; använd en av: {categories}.",
    "csv.category_empty": "Kolumnen 'category' är tom; använd en av: {categories}.",
    "csv.time": "{name} {value} är inte ett datum eller en tidpunkt enligt ISO 8601 (t.ex. {example}).",
    "csv.to_before_from": "occurred_to {to} ligger före occurred_from {start}.",
    "csv.future": "Inbrottet ligger i framtiden.",
    # --- a position outside its kommun (geo/boundaries.py) ---------------------------------------
    "boundary.point_in_other": (
        "Positionen (x {x}, y {y} i SWEREF 99 TM) ligger i {found}, inte i {kommun} (mer än {tolerance} m utanför kommungränsen)."
    ),
    "boundary.point_in_none": (
        "Positionen (x {x}, y {y} i SWEREF 99 TM) ligger utanför Sveriges kommuner, inte i {kommun} (mer än {tolerance}"
        " m utanför kommungränsen)."
    ),
    # --- households (db/households.py) -----------------------------------------------------------
    "household.not_found": "Hushåll {household_id} finns inte.",
    "household.location_other_area": (
        "Platsen ligger i område {located}, inte i område {area_id}; utelämna area_id så bestäms området av platsen."
    ),
    "household.location_no_area": (
        "Platsen ligger inte i något område, inte i område {area_id}; utelämna area_id så bestäms området av platsen."
    ),
    "household.area_missing": "Ett hushåll hänvisar till ett område som inte finns i dess kommun.",
    # (more sections are added above this line)
    # --- GIS files, areas and the kommun boundary (added after the merge, part A) -----------------
    "boundary.mostly_in_other": "Största delen av området ligger i {found}, inte i {kommun}: {parts}.",
    # A warning (the area is stored): "13 % ligger i Stockholm (0180), 2 % i Solna (0184)"
    "boundary.straddles": "{share} ligger i {kommun}{more}",
    "boundary.straddles_more": ", {share} i {kommun}",
    "place.file": "filen: ",
    "area.draw_first": "Rita området på kartan först.",
    "area.boundary_unusable": "Områdets gräns går inte att använda ({reason}). Rita om området.",
    "area.crosses_itself": "Gränsen korsar sig själv på det markerade stället. Flytta hörnen så att gränsen inte korsar sig själv.",
    "area.crosses_itself_many": ("Gränsen korsar sig själv på de markerade ställena. Flytta hörnen så att gränsen inte korsar sig själv."),
    "area.drawn_outside": "En del av området ligger utanför {kommun} (markerat på kartan). Flytta gränsen in i kommunen.",
    "area.drawn_overlap": "Området överlappar {name} med {m2} m² (markerat på kartan). Flytta gränsen så att områdena bara möts.",
    "area.line_first": "Rita en linje tvärs över området först, från kant till kant.",
    "area.line_no_split": "Linjen delar inte området i två delar. Dra den tvärs över området, från kant till kant.",
    "gis.no_features": "Filen har inga objekt.",
    "gis.unknown_mapping": "Okänt fält att mappa: {unknown}; de som går att ange: {known}.",
    "gis.no_field_for": "Filen har inget fält {field}; ange vilket fält som är {name} med {option}; filens fält: {fields}",
    "gis.point_expected": "Objekt {index} är {kind}; ett hushåll eller inbrott är en punkt.",
    "gis.features_invalid": "{first}{more}",
    "boundary.half_outside": "Hälften av området eller mer ligger utanför {kommun} (mer än {tolerance} m utanför): {parts}.",
    # --- CSV text files, households, accounts, settings (added after the merge, part B) ----------
    "account.name_missing": "Ange ett namn för kontot.",
    "account.name_missing_short": "Namnet saknas.",
    "account.name_length": "Namnet ska ha {min}–{max} tecken.",
    "account.name_characters": "Namnet får bara ha bokstäver, siffror och tecknen . @ + ' - _ (inga mellanslag).",
    "account.password_too_short": "Lösenordet måste ha minst {min} tecken.",
    "account.password_too_long": "Lösenordet får ha högst {max} tecken.",
    "account.passwords_differ": "Lösenorden är inte lika; försök igen.",
    "account.passwords_differ_short": "Lösenorden är inte lika.",
    "account.role_unknown": "Okänd roll {role}.",
    "account.role_one_of": "Rollen ska vara en av: {roles}.",
    "account.kommun_needed": "Ett konto för samordnare eller polis behöver minst en kommun (--kommun).",
    "account.name_taken": "Det finns redan ett konto med namnet {name}.",
    "account.name_taken_short": "Namnet är upptaget.",
    "account.not_found": "Det finns inget konto med namnet eller numret {name}.",
    "settings.tile_url": (
        "GRANNSAMVERKAN_MAP_TILE_URL={url} är ogiltig: en https-adress till rasterplattor med {{z}}, {{x}} och {{y}} "
        "väntas (eller none för ingen bakgrundskarta)."
    ),
}


#: The fields of each template, for the check that every raise site passes them.
def fields(code: str) -> set[str]:
    from string import Formatter

    return {name.split(".")[0].split("[")[0] for _, name, _, _ in Formatter().parse(CATALOG[code]) if name}


def known(code: str) -> bool:
    return code in CATALOG


def choices(words: Mapping[str, str], codes: Iterable[str] | None = None) -> str:
    """The values to choose from, for a message that lists them: each by its Swedish word, with
    the code an API user sends in brackets (``codes``, or all of ``words``, in order).

    ``choices({"admin": "administratör", "police": "polis"})`` is "administratör (admin), polis
    (police)". The word starts in lower case, as inside a sentence; a word that is its own code
    ("by") is written once."""
    shown = []
    for code in words if codes is None else codes:
        word = words.get(code, code)
        word = word[:1].lower() + word[1:]
        shown.append(word if word == code else f"{word} ({code})")
    return ", ".join(shown)


# Why a file could not be read or written, in Swedish (the system's own words are English).
OS_REASONS: Final[dict[int, str]] = {
    errno.ENOENT: "filen finns inte",
    errno.EACCES: "åtkomst nekas",
    errno.EPERM: "åtkomst nekas",
    errno.EISDIR: "det är en mapp",
    errno.ENOTDIR: "en del av sökvägen är inte en mapp",
    errno.ENOSPC: "disken är full",
    errno.EROFS: "filsystemet är skrivskyddat",
    errno.ENAMETOOLONG: "namnet är för långt",
    errno.EIO: "läsfel på disken",
}


def os_reason(exc: OSError) -> str:
    """``exc``'s reason in Swedish (for ``file.unreadable`` and ``file.unwritable``)."""
    if exc.errno in OS_REASONS:
        return OS_REASONS[exc.errno]
    return f"systemfel {errno.errorcode.get(exc.errno, exc.errno) if exc.errno else type(exc).__name__}"


def text(code: str, /, **values: object) -> str:
    """The Swedish text of ``code`` with ``values`` filled in; a missing value shows as its name
    in braces rather than failing the answer that reports an error."""
    template = CATALOG[code]
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template.format_map(_Shown(values))


class _Shown(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
