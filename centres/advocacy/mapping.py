"""The coverage map's projection, in one place: `manage.py build_map` draws the countries' outlines with it into
centres/data/outlines.json, and the page (centres/advocacy/coverage_map.py) places region circles and town dots
with it, so both land on the same spot.

An equirectangular projection whose longitudes are shortened by the cosine of the middle latitude: over the four
countries (36.7° to 55.4° north) it keeps shapes and distances within about 15% of the truth, which a map of
regions' needs can afford, and it is a single multiplication a reader of the code can check.
"""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Projection:
    west: float
    east: float
    south: float
    north: float
    width: float  # SVG units; the height follows from the box and the latitude

    @property
    def middle_latitude(self) -> float:
        return (self.south + self.north) / 2

    @property
    def units_per_degree(self) -> float:
        """SVG units per degree of latitude (a degree of longitude is this times the cosine)."""
        return self.width / ((self.east - self.west) * math.cos(math.radians(self.middle_latitude)))

    @property
    def height(self) -> float:
        return round((self.north - self.south) * self.units_per_degree, 1)

    def point(self, longitude: float, latitude: float) -> tuple[float, float]:
        """(x, y) in SVG units, to 0.1 unit, y growing southwards."""
        shrink = math.cos(math.radians(self.middle_latitude))
        x = (float(longitude) - self.west) * shrink * self.units_per_degree
        y = (self.north - float(latitude)) * self.units_per_degree
        return round(x, 1), round(y, 1)

    def as_dict(self) -> dict[str, float | str]:
        """What outlines.json records of the projection it was drawn with."""
        return {
            "name": "equirectangular, longitudes times cos(middle latitude)",
            "west": self.west,
            "east": self.east,
            "south": self.south,
            "north": self.north,
            "middle_latitude": self.middle_latitude,
            "width": self.width,
            "height": self.height,
        }


# The four countries (46.6°E to 87.3°E, 36.7°N to 55.4°N) with a little margin.
MAP = Projection(west=46.0, east=88.0, south=36.2, north=55.8, width=1000)
