"""The yearly report: numbers, Swedish text, escaping and the SVG chart."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from grannsamverkan.domain.goals import GroupRecord, MeetingRecord, cumulative_series, evaluate_goal
from grannsamverkan.errors import InvalidInput
from grannsamverkan.report import (
    PriorityAreaRow,
    ReportData,
    format_percent,
    format_signups,
    render_chart,
    render_html,
    render_markdown,
)

SVG = "{http://www.w3.org/2000/svg}"
AS_OF = date(2026, 7, 15)


def group(
    id: int,
    name: str,
    est: date | None,
    *,
    status: str = "active",
    total: int = 10,
    signed: int = 7,
    existing: bool = False,
    dissolved: date | None = None,
) -> GroupRecord:
    return GroupRecord(
        id=id,
        name=name,
        area_id=id,
        area_name=f"Område {id} Öjebyn",
        kommun="2283",
        kind="grannsamverkan",
        status=status,
        established_on=est,
        dissolved_on=dissolved,  # type: ignore[arg-type]
        registered_as_existing=existing,
        households_total=total,
        households_signed_up=signed,
    )


GROUPS = [
    group(1, "Ådalens grannar", date(2026, 2, 3)),
    group(2, "Byavakt Näsåker", date(2026, 4, 17), total=23, signed=19),
    group(3, "<script>alert('x')</script>", date(2026, 4, 17), status="dissolved", dissolved=date(2026, 6, 30), total=12, signed=9),
    group(4, "Gamla gänget", date(2019, 5, 1), existing=True),
    group(5, "Hällsjö", None, status="forming", total=15, signed=8),
]
MEETINGS = [
    MeetingRecord(held_on=date(2026, 1, 22), locality="Sollefteå", topic="Så startar ni", attendees=34),
    MeetingRecord(held_on=date(2026, 3, 12), locality="Näsåker", topic="Byavakt", attendees=None),
    MeetingRecord(held_on=date(2025, 11, 1), locality="Ramsele", topic="Förra året", attendees=5),
]
PRIORITY = [
    PriorityAreaRow(rank=2, name="Långsele", households=1480, burglaries=14, score=9.4581),
    PriorityAreaRow(rank=1, name="Österforse", households=212, burglaries=9, score=31.42),
]


def report(groups=GROUPS, *, as_of=AS_OF, target=10, priority=PRIORITY) -> ReportData:
    goal = evaluate_goal("2283", 2026, target, 6, groups, MEETINGS, as_of)
    return ReportData(kommun="2283", kommun_name="Sollefteå", year=2026, as_of=as_of, goal=goal, meetings=MEETINGS, priority_areas=priority)


def svg_of(html: str) -> ET.Element:
    match = re.search(r"<svg.*?</svg>", html, re.S)
    assert match, "no chart in the page"
    return ET.fromstring(match.group(0))


@pytest.mark.parametrize(
    ("part", "whole", "text"),
    [(7, 10, "70 %"), (2, 3, "66,6 %"), (6999, 10000, "69,9 %"), (1, 1, "100 %"), (0, 5, "0 %"), (0, 0, "–")],
)
def test_format_percent(part: int, whole: int, text: str) -> None:
    assert format_percent(part, whole) == text


def test_format_signups() -> None:
    assert format_signups(7, 10) == "7 av 10 hushåll (70 %)"
    assert format_signups(860, 1240) == "860 av 1\u00a0240 hushåll (69,3 %)"


@pytest.mark.parametrize("render", [render_markdown, render_html])
def test_numbers_and_swedish_text(render) -> None:
    text = render(report())
    assert "Uppföljning av medborgarlöfte – Sollefteå 2026" in text
    for heading in ("Mål och utfall", "Nya grupper", "Informationsmöten", "Prioriterade områden utan grupp"):
        assert heading in text
    assert "3 av 10 nya grupper" in text
    assert "7 av 10 hushåll (70 %)" in text
    assert "19 av 23 hushåll (82,6 %)" in text
    assert "2 av 6 informationsmöten" in text
    assert "Gamla gänget" not in text  # existing groups are not new
    assert "Förra året" not in text  # last year's meeting
    assert "Ådalens grannar" in text and "Österforse" in text and "| 31 |" in text.replace('<td class="num">31</td>', "| 31 |")
    assert "1\u00a0480" in text
    assert "15 juli 2026" in text
    assert "Upplöst" in text
    assert text.index("Österforse") < text.index("Långsele")  # by rank
    assert "Hällsjö" in text  # forming group
    assert "Efter plan" in text  # 3 < floor(5.37)


def test_markdown_escapes_user_text() -> None:
    md = render_markdown(report())
    assert "<script>" not in md
    assert r"\<script\>" in md


def test_html_is_self_contained_and_escapes() -> None:
    html = render_html(report())
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="sv">' in html and '<meta charset="utf-8">' in html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html
    assert "<link" not in html
    html.encode("utf-8")


def test_chart_is_well_formed_with_one_step_per_group() -> None:
    svg = svg_of(render_html(report()))
    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "img"
    assert "3 av målet 10" in svg.get("aria-label", "")
    assert svg.find(f"{SVG}title") is not None and "Sollefteå" in svg.find(f"{SVG}title").text
    steps = svg.findall(f".//{SVG}circle[@class='step']")
    assert len(steps) == 3
    path = svg.find(f".//{SVG}path[@class='actual-line']").get("d")
    assert path.count("V") == 3
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    for month in ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"):
        assert month in texts
    assert any(t and t.startswith("Nya grupper") for t in texts)  # legend
    assert any(t and t.startswith("Mål") for t in texts)
    goal_line = svg.find(f".//{SVG}line[@class='goal-line']")
    assert goal_line is not None
    # the goal line starts at 0 on the left and ends at the target on the right
    assert float(goal_line.get("y1")) > float(goal_line.get("y2"))


def test_chart_escapes_group_names() -> None:
    svg = svg_of(render_html(report()))
    titles = [t.text for t in svg.iter(f"{SVG}title")]
    assert any("<script>" in (t or "") for t in titles)  # parsed back: was escaped in the source


def test_chart_geometry_matches_dates() -> None:
    goal = evaluate_goal(
        "2283", 2026, 4, None, [group(1, "a", date(2026, 1, 1)), group(2, "b", date(2026, 12, 31))], [], date(2026, 12, 31)
    )
    svg = ET.fromstring(render_chart(cumulative_series(goal), title="t", width=365 + 76, height=400))
    xs = [float(c.get("cx")) for c in svg.findall(f".//{SVG}circle[@class='step']")]
    left = 52  # the chart's left margin; one pixel per day with this width
    assert xs == [left + 0, left + 364]


def test_empty_report() -> None:
    data = report([], as_of=date(2025, 12, 1), priority=[])
    md = render_markdown(data)
    assert "0 av 10 nya grupper" in md
    assert "Ej påbörjat" in md
    assert "Inga prioriterade områden utan grupp." in md
    svg = svg_of(render_html(data))
    assert svg.findall(f".//{SVG}circle") == []
    assert svg.find(f".//{SVG}path[@class='actual-line']") is None


def test_goal_must_match_report() -> None:
    data = report()
    other = ReportData(kommun="2283", kommun_name="Sollefteå", year=2025, as_of=AS_OF, goal=data.goal)
    with pytest.raises(InvalidInput):
        render_markdown(other)
