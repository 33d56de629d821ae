"""The pure rules of the e-service for unsafe places: workflow, blur, personal data, rate limit."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grannsamverkan.domain import places as rules
from grannsamverkan.errors import Conflict, FieldError, InvalidInput


@pytest.mark.parametrize("current", list(rules.STATUSES))
@pytest.mark.parametrize("new", list(rules.STATUSES))
def test_every_transition_is_allowed_or_refused_as_the_table_says(current: str, new: str) -> None:
    if new != "duplicate" and new in rules.TRANSITIONS[current]:
        rules.check_transition(current, new)
    else:
        with pytest.raises(Conflict):
            rules.check_transition(current, new)


def test_closed_and_duplicate_are_final_and_an_unknown_status_is_invalid() -> None:
    assert not rules.TRANSITIONS["closed"] and not rules.TRANSITIONS["duplicate"]
    with pytest.raises(InvalidInput):
        rules.check_transition("open", "done")


@given(st.floats(300_000, 900_000), st.floats(6_200_000, 7_600_000))
def test_the_blurred_point_is_a_cell_centre_in_the_same_cell(x: float, y: float) -> None:
    for cell in rules.BLUR_CELLS:
        cx, cy = rules.cell_centre(x, y, cell)
        assert (cx - cell / 2) % cell == 0 and (cy - cell / 2) % cell == 0
        assert abs(cx - x) <= cell / 2 and abs(cy - y) <= cell / 2
        # the same for every point of the cell: the published point says nothing finer than the cell
        x0, y0, _, _ = rules.cell_bounds(x, y, cell)
        assert rules.cell_centre(x0 + 0.01, y0 + cell - 0.01, cell) == (cx, cy)


def test_blur_takes_the_smallest_cell_with_a_handful_of_households() -> None:
    x, y = 612_345.0, 7_045_678.0
    assert rules.choose_blur(x, y, {100: 5, 200: 9, 500: 40, 1000: 90}) == (612_350.0, 7_045_650.0, 100)
    assert rules.choose_blur(x, y, {100: 4, 200: 9, 500: 40, 1000: 90}) == (612_300.0, 7_045_700.0, 200)
    assert rules.choose_blur(x, y, {100: 0, 200: 1, 500: 2, 1000: 4}) is None


@pytest.mark.parametrize(
    "text, kinds",
    [
        ("Ring mig på 070-123 45 67 så visar jag", ["telefonnummer"]),
        ("ring +46 70 123 45 67", ["telefonnummer"]),
        ("mejla anna.svensson@example.se", ["e-postadress"]),
        ("jag heter Anna, 19850412-1234", ["personnummer"]),
        ("850412-1234 bor här", ["personnummer"]),
        ("Lampan vid gångtunneln är trasig sedan 3 veckor, ca 20 meter från busshållplats 12", []),
        ("Lyktstolpe nr 4411 vid Storgatan 12", []),
    ],
)
def test_personal_data_is_found_and_redacted(text: str, kinds: list[str]) -> None:
    assert rules.personal_data_found(text) == kinds
    if kinds:
        redacted = rules.redact(text)
        assert redacted is not None and rules.REDACTED in redacted and rules.personal_data_found(redacted) == []


def test_text_is_plain_and_at_most_4000_characters() -> None:
    assert rules.clean_text("  mörk\x00 stig\r\n ", "what", required=True) == "mörk stig"
    assert rules.clean_text("a" * 4000, "what", required=True) == "a" * 4000
    with pytest.raises(InvalidInput, match="4000"):
        rules.clean_text("a" * 4001, "what", required=True)
    with pytest.raises(InvalidInput):
        rules.clean_text("   ", "what", required=True)
    with pytest.raises(InvalidInput):
        rules.clean_email("inte en adress")
    assert rules.clean_email(" a@b.se ") == "a@b.se"


def test_rate_limiter_counts_per_key_within_the_window() -> None:
    limiter = rules.RateLimiter(3, 60.0)
    assert [limiter.allow("a", now=t) for t in (0, 1, 2, 3)] == [True, True, True, False]
    assert limiter.allow("b", now=3)
    assert limiter.retry_after("a", now=3) == 57
    assert limiter.allow("a", now=60.5)
    assert not math.isnan(limiter.window)


def test_rate_limiter_memory_is_bounded() -> None:
    limiter = rules.RateLimiter(1, 60.0, max_keys=10)
    for i in range(100):
        limiter.allow(f"k{i}", now=0)
    assert len(limiter._log) == 10


# --- what a coordinator reads when a status change or a merge is refused -------------------------


def test_an_unknown_status_names_the_field_and_the_statuses_there_are() -> None:
    with pytest.raises(InvalidInput) as info:
        rules.check_transition("open", "done")
    assert info.value.status == 422
    assert info.value.detail == "Okänd status 'done'."
    assert info.value.errors == [
        FieldError(
            field="status",
            message=(
                "En av: inkommen (open), utreds (in_progress), åtgärd planerad (action_scheduled), åtgärdad (fixed), "
                "inte kommunens ansvar (not_kommun_responsible), dubblett (duplicate), avslutad (closed)."
            ),
            code="place.status_one_of",
        )
    ]


def test_a_report_becomes_a_duplicate_only_by_merging() -> None:
    for current in ("open", "in_progress", "fixed", "closed"):
        with pytest.raises(Conflict) as info:
            rules.check_transition(current, "duplicate")
        assert info.value.detail == "Status Dubblett sätts genom att slå ihop rapporten med en annan."
        assert info.value.errors == [FieldError(field="status", message="Använd sammanslagning.", code="place.use_merge")]


def test_a_refused_change_names_both_statuses_and_what_is_allowed_in_swedish() -> None:
    with pytest.raises(Conflict) as info:
        rules.check_transition("fixed", "open")
    assert info.value.detail == "Status kan inte ändras från Åtgärdad till Inkommen; tillåtet: avslutad (closed), utreds (in_progress)."
    assert info.value.errors == [
        FieldError(field="status", message="åtgärdad (fixed) -> inkommen (open) är inte tillåtet.", code="place.transition_short")
    ]
    with pytest.raises(Conflict) as info:
        rules.check_transition("closed", "in_progress")
    assert info.value.detail == "Status kan inte ändras från Avslutad till Utreds; tillåtet: ingen (ärendet är avslutat)."
    assert info.value.errors == [
        FieldError(field="status", message="avslutad (closed) -> utreds (in_progress) är inte tillåtet.", code="place.transition_short")
    ]


@pytest.mark.parametrize(
    ("source", "target", "same_report", "same_kommun", "detail", "error"),
    [
        ("open", "open", True, True, "En rapport kan inte slås ihop med sig själv.", FieldError(field="into", message="Samma rapport.")),
        ("open", "open", False, False, "Rapporterna hör till olika kommuner.", FieldError(field="into", message="Annan kommun.")),
        ("closed", "open", False, True, "Rapporten är redan avslutad.", FieldError(field="id", message="Redan avslutad.")),
        ("duplicate", "open", False, True, "Rapporten är redan dubblett.", FieldError(field="id", message="Redan dubblett.")),
        (
            "open",
            "duplicate",
            False,
            True,
            "Rapporten att slå ihop med är själv en dubblett; välj originalet.",
            FieldError(field="into", message="Dubblett."),
        ),
    ],
)
def test_a_merge_is_refused_with_the_reason(
    source: str, target: str, same_report: bool, same_kommun: bool, detail: str, error: FieldError
) -> None:
    with pytest.raises(Conflict) as info:
        rules.check_merge(source, target, same_report, same_kommun)
    assert info.value.status == 409
    assert info.value.detail == detail
    assert [(e.field, e.message) for e in info.value.errors] == [(error.field, error.message)]


@pytest.mark.parametrize("source", ["open", "in_progress", "action_scheduled", "fixed", "not_kommun_responsible"])
@pytest.mark.parametrize("target", ["open", "in_progress", "fixed", "closed"])
def test_a_merge_of_two_reports_of_one_kommun_is_allowed(source: str, target: str) -> None:
    rules.check_merge(source, target, same_report=False, same_kommun=True)


def test_open311_knows_open_and_closed() -> None:
    assert {s: rules.open311_status(s) for s in rules.STATUSES} == {
        "open": "open",
        "in_progress": "open",
        "action_scheduled": "open",
        "fixed": "closed",
        "not_kommun_responsible": "closed",
        "duplicate": "closed",
        "closed": "closed",
    }


# --- the blurred position ------------------------------------------------------------------------


def test_the_cell_a_point_is_published_in_is_cell_metres_wide_and_holds_the_point() -> None:
    assert rules.cell_bounds(612_345.0, 7_045_678.0, 100) == (612_300.0, 7_045_600.0, 612_400.0, 7_045_700.0)
    assert rules.cell_bounds(612_345.0, 7_045_678.0, 1000) == (612_000.0, 7_045_000.0, 613_000.0, 7_046_000.0)


def test_blur_skips_cell_sizes_without_a_household_count() -> None:
    # only the 500 m count is known (the smaller cells had no household in the registry)
    assert rules.choose_blur(612_345.0, 7_045_678.0, {500: 12}) == (612_250.0, 7_045_750.0, 500)
    assert rules.choose_blur(612_345.0, 7_045_678.0, {}) is None


# --- personal data and plain text ----------------------------------------------------------------


def test_nothing_to_redact_in_a_missing_text() -> None:
    assert rules.redact(None) is None
    assert rules.redact("Trasig lampa") == "Trasig lampa"
    assert rules.redact("ring 070-123 45 67 eller anna@example.se") == "ring [borttaget] eller [borttaget]"


def test_a_missing_text_is_refused_only_where_it_is_required() -> None:
    with pytest.raises(InvalidInput) as info:
        rules.clean_text(None, "description", required=True)
    assert info.value.errors == [FieldError(field="description", message="Saknas.", code="place.missing")]
    assert info.value.detail == "Fältet description måste fyllas i."
    assert rules.clean_text(None, "place", required=False) is None
    assert rules.clean_text(" \x00\r\n ", "place", required=False) is None
    assert rules.clean_text("lampa\tvid\nporten", "place", required=False) == "lampa\tvid\nporten"


def test_a_too_long_text_names_its_field_and_the_limit() -> None:
    with pytest.raises(InvalidInput) as info:
        rules.clean_text("a" * 301, "place_text", required=False, max_length=rules.MAX_PLACE_TEXT)
    assert info.value.errors == [FieldError(field="place_text", message="Högst 300 tecken.", code="place.at_most")]
    assert info.value.detail == "Fältet place_text får vara högst 300 tecken (nu 301)."


def test_an_email_address_is_optional_and_at_most_254_characters() -> None:
    assert rules.clean_email(None) is None
    assert rules.clean_email("   ") is None
    longest = "a" * 64 + "@" + "b" * 186 + ".se"
    assert len(longest) == 254 and rules.clean_email(longest) == longest
    with pytest.raises(InvalidInput) as info:
        rules.clean_email("a" * 64 + "@" + "b" * 187 + ".se")
    assert info.value.errors == [FieldError(field="email", message="Ogiltig e-postadress.", code="place.email_short")]
    assert info.value.detail == "E-postadressen ser inte ut som en e-postadress, t.ex. namn@example.se."


# --- submissions per client ----------------------------------------------------------------------


def test_rate_limiter_runs_on_the_clock_when_no_time_is_given() -> None:
    limiter = rules.RateLimiter(1, 60.0)
    assert limiter.allow("a")
    assert not limiter.allow("a")
    assert 59 <= limiter.retry_after("a") <= 60


def test_an_attempt_exactly_one_window_old_no_longer_counts() -> None:
    limiter = rules.RateLimiter(1, 60.0)
    assert limiter.allow("a", now=0.0)
    assert not limiter.allow("a", now=59.9)
    assert limiter.retry_after("a", now=59.5) == 1  # half a second left: retry after 1 s, never 0
    assert limiter.allow("a", now=60.0)


def test_rate_limiter_forgets_the_least_recently_seen_client_first() -> None:
    limiter = rules.RateLimiter(1, 60.0, max_keys=3)
    for key in ("a", "b", "c", "d"):
        assert limiter.allow(key, now=0)
    # "a" (the oldest) was forgotten and may submit again; "d" (the newest) is still limited
    assert not limiter.allow("d", now=1)
    assert limiter.allow("a", now=1)


# --- a trygghetsvandring's responsible body, in the protocol's words -----------------------------


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("Kommunens gatuenhet", "kommun"),
        ("  Tekniska förvaltningen ", "kommun"),
        ("TRAFIKVERKET", "trafikverket"),
        ("Polisen i Sollefteå", "polis"),
        ("AB Sollefteåforsens bostäder", "fastighetsagare"),
        ("Polisen och kommunen", "polis"),  # the first body that fits is the one the report gets
    ],
)
def test_the_protocols_responsible_body_becomes_the_closest_value(words: str, expected: str) -> None:
    assert rules.responsible_from_text(words) == (expected, None)


def test_a_body_no_value_fits_is_kept_in_words() -> None:
    assert rules.responsible_from_text("  Vägföreningen Nipan ") == ("annan", "Ansvarig enligt trygghetsvandringen: Vägföreningen Nipan")


@pytest.mark.parametrize("words", ["", "   "])
def test_no_responsible_body_gives_none(words: str) -> None:
    assert rules.responsible_from_text(words) == (None, None)
