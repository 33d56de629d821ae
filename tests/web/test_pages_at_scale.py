"""The kommun page and the priority page of a kommun with hundreds of areas: every area on the
map, the tables a page at a time with working page links, and a size per area that keeps a
kommun of 2,000 areas under 1 MB (``benchmarks/bench_national.py --stockholm`` measures that one)."""

from __future__ import annotations

import json
import re

from litestar.testing import AsyncTestClient

from grannsamverkan.geo.crs import WGS84, to_sweref
from tests.conftest import TokenFactory
from tests.geodata import RAMSELE

AREAS = 450
ROW = re.compile(r'<td data-value="[^"]*"><a href="/omraden/\d+">')


def town(n: int) -> bytes:
    """``n`` areas of 100 m × 100 m, 150 m apart, around Ramsele (SWEREF 99 TM)."""
    xs, ys = to_sweref([RAMSELE[0]], [RAMSELE[1]], WGS84)
    x0, y0, side = float(xs[0]) - 1500, float(ys[0]) - 1500, 21
    features = [
        {
            "type": "Feature",
            "properties": {"name": f"Kvarter {i:03d}", "kommun": "2283", "external_ref": f"kv{i}"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [
                        [x0 + 150 * (i % side) + dx, y0 + 150 * (i // side) + dy]
                        for dx, dy in ((0, 0), (100, 0), (100, 100), (0, 100), (0, 0))
                    ]
                ],
            },
        }
        for i in range(n)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


async def test_kommun_and_priority_pages_of_450_areas(client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = await auth("coordinator", "2283")
    imported = await client.post(
        "/api/v1/areas/import?crs=EPSG:3006", content=town(AREAS), headers={**headers, "content-type": "application/geo+json"}
    )
    assert imported.status_code == 200, imported.text

    page = await client.get("/kommun/2283", headers=headers)
    assert page.status_code == 200, page.text
    html = page.text
    assert html.count('class="map-link"') == AREAS  # the map shows every area
    assert len(ROW.findall(html)) == 200 and f"Visar 1–200 av {AREAS}" in html
    assert f"{AREAS} områden" in html
    assert '<a href="/kommun/2283?sida=3">3</a>' in html and 'rel="next"' in html
    assert len(page.content) < 10_000 + AREAS * 500  # 2,000 areas: under 1 MB

    last = await client.get("/kommun/2283?sida=3", headers=headers)
    assert len(ROW.findall(last.text)) == AREAS - 400 and f"Visar 401–{AREAS} av {AREAS}" in last.text
    assert 'aria-current="page">3<' in last.text and 'rel="next"' not in last.text
    beyond = await client.get("/kommun/2283?sida=99", headers=headers)
    assert beyond.status_code == 200 and 'aria-current="page">3<' in beyond.text

    priority = await client.get("/prioritering?kommun=2283&metod=rate", headers=headers)
    assert priority.status_code == 200, priority.text
    text = priority.text
    assert text.count('class="map-link"') == AREAS
    ranked = re.findall(r'<td class="num" data-value="(\d+)">\1</td>\s*<td data-value="[^"]*"><a href="/omraden/', text)
    assert [int(r) for r in ranked] == list(range(1, 201))
    assert '<a href="/prioritering?kommun=2283&amp;metod=rate&amp;sida=2">2</a>' in text
    second = await client.get("/prioritering?kommun=2283&metod=rate&sida=2", headers=headers)
    ranked = re.findall(r'<td class="num" data-value="(\d+)">\1</td>\s*<td data-value="[^"]*"><a href="/omraden/', second.text)
    assert [int(r) for r in ranked] == list(range(201, 401))
    assert len(priority.content) < 10_000 + AREAS * 500
