"""Small hand-made geodata for tests: squares around real places, in WGS 84 (lon, lat)."""

from __future__ import annotations

from typing import Any

SOLLEFTEA = (17.27, 63.167)  # Sollefteå town centre
RAMSELE = (16.485, 63.535)
ARVIDSJAUR = (19.176, 65.592)


def square(center: tuple[float, float], half: float = 0.004) -> list[list[list[float]]]:
    lon, lat = center
    return [
        [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half], [lon - half, lat + half], [lon - half, lat - half]]
    ]


def area_feature(name: str, kommun: str, center: tuple[float, float], half: float = 0.004, **props: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": square(center, half)},
        "properties": {"name": name, "kommun": kommun, **props},
    }


def grid_points(center: tuple[float, float], n: int, spread: float = 0.002) -> list[tuple[float, float]]:
    """n distinct points inside square(center, half > spread)."""
    lon, lat = center
    side = max(1, int(n**0.5) + 1)
    step = 2 * spread / side
    return [(lon - spread + step * (i % side), lat - spread + step * (i // side)) for i in range(n)]


def households_csv(prefix: str, points: list[tuple[float, float]], *, sep: str = ",", city: str = "Sollefteå") -> str:
    lines = [sep.join(["external_ref", "street", "postcode", "city", "lon", "lat"])]
    for i, (lon, lat) in enumerate(points):
        lines.append(sep.join([f"{prefix}{i}", f"Storgatan {i + 1}", "881 30", city, f"{lon:.6f}", f"{lat:.6f}"]))
    return "\n".join(lines) + "\n"
