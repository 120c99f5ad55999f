"""Build centres/data/outlines.json, the coverage map's country outlines, from world-atlas's TopoJSON.

Run once to refresh the committed file (see centres/data/outlines-ORIGIN.md); the site only reads the result, never
the package or the network. The TopoJSON is decoded here rather than with a library: its arcs are quantized and
delta-encoded (undone with the file's `transform`), and a ring lists arc indexes, a negative index ~i meaning arc i
walked backwards (the TopoJSON specification, sections 2.1.4 to 2.2).
"""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from centres.advocacy.mapping import MAP, Projection

OUTPUT = Path(__file__).resolve().parents[2] / "data" / "outlines.json"
# ISO 3166-1 numeric, as world-atlas names its countries.
COUNTRIES = {"398": "KZ", "417": "KG", "860": "UZ", "762": "TJ"}

Point = tuple[float, float]
Ring = list[Point]


def decode_arcs(topology: dict[str, Any]) -> list[Ring]:
    """Every arc as (longitude, latitude) points: delta-decoded and scaled when the topology is quantized."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform is None:
            arcs.append([(float(p[0]), float(p[1])) for p in arc])
            continue
        (scale_x, scale_y), (shift_x, shift_y) = transform["scale"], transform["translate"]
        x = y = 0
        points = []
        for dx, dy, *_ in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def ring_points(arcs: list[Ring], indexes: list[int]) -> Ring:
    """One closed ring from its arcs; each arc begins where the one before ended, so that point is kept once."""
    points: Ring = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def polygons_of(geometry: dict[str, Any], arcs: list[Ring]) -> list[list[Ring]]:
    """A Polygon or MultiPolygon as polygons, each its outer ring then its holes."""
    if geometry["type"] == "Polygon":
        polygons = [geometry["arcs"]]
    elif geometry["type"] == "MultiPolygon":
        polygons = geometry["arcs"]
    else:
        raise ValueError(f"not an area: {geometry['type']}")
    return [[ring_points(arcs, ring) for ring in polygon] for polygon in polygons]


def _number(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def svg_path(polygons: list[list[Ring]], projection: Projection) -> str:
    """The SVG path `d` of the polygons, projected, to 0.1 unit, repeated points dropped; a ring that shrinks to
    fewer than three points at that precision (an islet) is left out. Holes are rings like any other: draw the path
    with fill-rule="evenodd"."""
    parts = []
    for polygon in polygons:
        for ring in polygon:
            points: list[Point] = []
            for longitude, latitude in ring:
                point = projection.point(longitude, latitude)
                if not points or point != points[-1]:
                    points.append(point)
            if len(points) > 1 and points[0] == points[-1]:
                points.pop()  # Z closes it
            if len(points) < 3:
                continue
            parts.append("M" + " ".join(f"{_number(x)} {_number(y)}" for x, y in points) + "Z")
    return "".join(parts)


def outlines(topology: dict[str, Any], projection: Projection = MAP) -> dict[str, str]:
    """Country code -> SVG path `d` of the four countries."""
    arcs = decode_arcs(topology)
    found = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = COUNTRIES.get(str(geometry.get("id")))
        if code:
            found[code] = svg_path(polygons_of(geometry, arcs), projection)
    missing = sorted(set(COUNTRIES.values()) - set(found))
    if missing:
        raise ValueError(f"not in the file: {', '.join(missing)}")
    return {code: found[code] for code in COUNTRIES.values()}


class Command(BaseCommand):
    help = (
        "Draw the four countries' outlines from world-atlas's countries-50m.json (npm package world-atlas) into "
        "centres/data/outlines.json, projected as the coverage map draws them (centres/advocacy/mapping.py)."
    )

    def add_arguments(self, parser):
        parser.add_argument("topology", type=Path, help="world-atlas's countries-50m.json")
        parser.add_argument("--output", type=Path, default=OUTPUT, help="where to write (default: %(default)s)")

    def handle(self, *args, topology: Path, output: Path, **options):
        try:
            data = json.loads(topology.read_text(encoding="utf-8"))
            paths = outlines(data)
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"{topology}: {error}") from error
        result = {
            "source": f"world-atlas, {topology.name} (Natural Earth Admin 0 countries); see outlines-ORIGIN.md",
            "projection": MAP.as_dict(),
            "viewBox": f"0 0 {_number(MAP.width)} {_number(MAP.height)}",
            "countries": paths,
        }
        output.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        self.stdout.write(f"{output}: {', '.join(paths)}, {output.stat().st_size:,} bytes")
