"""The gazetteer: loading places from our committed data, resolving a typed place name, distances.

`centres/data/places.json` is built from GeoNames by `manage.py build_gazetteer`; `centres/data/place_aliases.csv`
adds names GeoNames lacks (Soviet names, spellings without Kazakh or Tajik letters, "Джалал-Абад" for the city
GeoNames calls "Manas"). A place name typed by a survivor is resolved here, against our own data, never by a
public geocoding service (DESIGN.md section 6).

`centres/data/place_names.csv` gives places and regions their names in Kyrgyz, Tajik and Uzbek (Latin), which
GeoNames does not label: one row per GeoNames id or ISO 3166-2 code and language, chosen by hand, and its `source`
says from where. `geonames-main` is GeoNames' main name of a town in Uzbekistan, which is its Uzbek one (less a
trailing "Shahri", "Shaharchasi" or "Qishlogʻi": city, town, village); `geonames-alternate` is one of the place's
unlabelled alternates (`alternate_names` in places.json), told apart by its letters (Kyrgyz ң ө ү; Tajik ҳ ҷ ӣ ӯ қ
ғ; Uzbek oʻ gʻ q x) and taken only in or near the language's country; `editorial` is the standard name as we know it
(Бишкек, Хуҷанд, Toshkent), for towns of the language's own country and for regions. Where we were unsure there is
no row, and pages fall back to the Russian or Latin name (`models._localised_name`); a name that would have made a
place's existing name ambiguous (GeoNames lists some towns twice, once with no population) is left out too. Uzbek
names write oʻ and gʻ with U+02BB (ʻ) and the glottal stop with U+02BC (ʼ); search also knows them typed with ' or ’
or without (`typed_spellings`).
"""

import csv
import difflib
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _
from geopy.distance import geodesic

from centres.derived import reindex_centres
from centres.text import fold

DATA_DIR = Path(__file__).resolve().parent / "data"
PLACES_FILE = DATA_DIR / "places.json"
ALIASES_FILE = DATA_DIR / "place_aliases.csv"
NAMES_FILE = DATA_DIR / "place_names.csv"
# The languages `NAMES_FILE` gives names in, each a `name_<language>` column of places and regions.
NAME_LANGUAGES = ("ky", "tg", "uz")
# "editorial-transliterated": spelled by us from the local name, to be reviewed by native speakers.
NAME_SOURCES = ("geonames-main", "geonames-alternate", "editorial", "editorial-transliterated")
# Every `name_*` column of places and regions: what their own names are, and what a public card reads of them.
NAME_COLUMNS = tuple(f"name_{language}" for language in ("en", "ru", "kk", *NAME_LANGUAGES))

# A name shared by several places resolves to the biggest when it is a city and the others are at most a tenth of
# it: "Талас" means the town of 40,000, not a village of the same name. Below that, the visitor is asked which.
CLEAR_WINNER_POPULATION = 100_000
CLEAR_WINNER_RATIO = 10
MAX_SUGGESTIONS = 5
# "г. Алматы", "город Ош", "с. Аксу": the kind of place is not part of its name.
_PLACE_KIND = re.compile(r"^(г|гор|город|с|село|пос|посёлок|поселок|пгт|аул|п)\.?\s+", re.IGNORECASE)
_COORDINATE = Decimal("0.000001")


def search_names(names: Iterable[str]) -> str:
    """Every name, folded, as ";a;b;": the form `PlaceQuerySet.named` looks names up in.

    A hyphenated name is also stored with a space ("курган тюбе"), as people type it either way.
    """
    keys = set()
    for name in names:
        key = fold(name)
        if key and ";" not in key:
            keys.add(key)
            keys.add(key.replace("-", " "))
    return ";" + ";".join(sorted(keys)) + ";" if keys else ""


def read_aliases(path: Path = ALIASES_FILE) -> dict[int, list[str]]:
    """Our aliases by GeoNames id."""
    aliases: dict[int, list[str]] = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            aliases[int(row["geonameid"])].append(row["alias"].strip())
    return aliases


def read_place_names(path: Path = NAMES_FILE) -> dict[str, dict[str, str]]:
    """Our Kyrgyz, Tajik and Uzbek names by GeoNames id or region code (as written in the file), then language."""
    names: dict[str, dict[str, str]] = defaultdict(dict)
    with path.open(encoding="utf-8", newline="") as file:
        for line, row in enumerate(csv.DictReader(file), start=2):
            key, language, name = row["geonameid_or_region_code"].strip(), row["language"], row["name"].strip()
            if language not in NAME_LANGUAGES or row["source"] not in NAME_SOURCES or not name:
                raise ValueError(f"{path.name} line {line}: unknown language or source, or no name")
            if language in names[key]:
                raise ValueError(f"{path.name} line {line}: a second {language} name for {key}")
            names[key][language] = name
    return names


# How people type Uzbek's oʻ, gʻ and glottal stop: with the proper letter, a straight or curly apostrophe, a
# backtick, or nothing at all ("Fargʻona", "Farg'ona", "Fargona").
_UZBEK_MARKS = "ʻʼ'‘’`"
_UZBEK_MARK = re.compile(f"[{_UZBEK_MARKS}]")


def typed_spellings(name: str) -> list[str]:
    """An Uzbek name as people may type it: with each of the marks for ʻ and ʼ, and without them. (Only Uzbek
    names: in a Russian romanisation the mark is a soft sign, "Akkol’", and dropping it would make namesakes.)"""
    if not _UZBEK_MARK.search(name):
        return [name]
    return [name, *(_UZBEK_MARK.sub(mark, name) for mark in [*_UZBEK_MARKS, ""])]


def read_gazetteer(path: Path = PLACES_FILE) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class LoadCounts:
    regions_created: int
    regions_updated: int
    places_created: int
    places_updated: int
    places_total: int


def _upsert(model: type[models.Model], records: dict[Any, dict[str, Any]], fields: list[str]) -> tuple[int, list]:
    """Create the missing rows and update the changed ones, in bulk. Rows not in `records` are left alone:
    a place that drops out of GeoNames may still be some centre's city."""
    # A data migration's historical model may predate some columns (search_words came later): leave those out.
    known = {field.attname for field in model._meta.concrete_fields}
    fields = [field for field in fields if field in known]
    records = {pk: {field: values[field] for field in fields} for pk, values in records.items()}
    existing = model._default_manager.in_bulk(list(records))
    to_create, to_update = [], []
    for pk, values in records.items():
        row = existing.get(pk)
        if row is None:
            to_create.append(model(pk=pk, **values))
        elif any(getattr(row, field) != values[field] for field in fields):
            for field in fields:
                setattr(row, field, values[field])
            to_update.append(row)
    model._default_manager.bulk_create(to_create, batch_size=500)
    model._default_manager.bulk_update(to_update, fields, batch_size=500)
    return len(to_create), [row.pk for row in to_update]


def load_places(place_model: type[models.Model], region_model: type[models.Model]) -> LoadCounts:
    """Upsert the regions and places of the committed gazetteer; running it again changes nothing.

    Takes the models as arguments so that a data migration can pass its historical ones.
    """
    data = read_gazetteer()
    aliases = read_aliases()
    our_names = read_place_names()
    regions = {}
    for region in data["regions"]:
        names = _names_by_language(region, our_names.get(region["code"], {}))
        regions[region["code"]] = {
            "country": region["country"],
            **names,
            "search_names": search_names(_spellings(names)),
        }
    places = {}
    for place in data["places"]:
        names = _names_by_language(place, our_names.get(str(place["geonameid"]), {}))
        others = [*place["alternate_names"], *aliases.get(place["geonameid"], [])]
        places[place["geonameid"]] = {
            "country": place["country"],
            "region_id": place["region"] or None,
            **names,
            "alternate_names": ";".join(place["alternate_names"]),
            "population": place["population"],
            "latitude": Decimal(str(place["latitude"])).quantize(_COORDINATE),
            "longitude": Decimal(str(place["longitude"])).quantize(_COORDINATE),
            "search_names": search_names([*_spellings(names), *others]),
        }
    unknown = set(aliases) - set(places)
    if unknown:
        raise ValueError(f"{ALIASES_FILE.name} names places not in the gazetteer: {sorted(unknown)}")
    unknown_names = set(our_names) - {str(key) for key in [*places, *regions]}
    if unknown_names:
        raise ValueError(f"{NAMES_FILE.name} names places or regions not in the gazetteer: {sorted(unknown_names)}")
    with transaction.atomic():
        regions_created, regions_updated = _upsert(region_model, regions, list(next(iter(regions.values()))))
        places_created, places_updated = _upsert(place_model, places, list(next(iter(places.values()))))
        if regions_updated or places_updated:
            # The centres of a renamed town or region carry its names in their own search columns.
            centre_model = place_model._meta.apps.get_model("centres", "Centre")
            touched = centre_model._base_manager.filter(
                models.Q(city__in=places_updated) | models.Q(region__in=regions_updated)
            )
            reindex_centres(touched, parts=["search_text"], apps=place_model._meta.apps)
    _name_index.cache_clear()
    return LoadCounts(
        regions_created=regions_created,
        regions_updated=len(regions_updated),
        places_created=places_created,
        places_updated=len(places_updated),
        places_total=place_model._default_manager.count(),
    )


def _names_by_language(record: dict[str, Any], ours: dict[str, str]) -> dict[str, str]:
    """A place's or region's `name_*` columns: Latin, Russian and Kazakh from places.json, the rest from ours."""
    names = {f"name_{language}": record[f"name_{language}"] for language in ("en", "ru", "kk")}
    names.update({f"name_{language}": ours.get(language, "") for language in NAME_LANGUAGES})
    return names


def _spellings(names: dict[str, str]) -> list[str]:
    """The `name_*` columns' names as people may type them: the Uzbek name in each of its spellings."""
    spellings = [name for column, name in names.items() if name and column != "name_uz"]
    return spellings + (typed_spellings(names["name_uz"]) if names["name_uz"] else [])


def own_names(place: Any) -> list[str]:
    """A place's names in our languages (not its alternates or aliases), as people may type them."""
    return _spellings({column: getattr(place, column) for column in NAME_COLUMNS})


@dataclass(frozen=True)
class Resolution:
    """What a typed place name means.

    - `place`: the place meant, when there is one answer (then `candidates` may still list namesakes);
    - `candidates`: every place with that name, biggest first; without `place` the caller asks "which region?";
    - `suggestions`: when no place has that name, places with a similar one, biggest first.
    """

    query: str
    place: Any = None
    candidates: tuple[Any, ...] = ()
    suggestions: tuple[Any, ...] = ()

    @property
    def found(self) -> bool:
        return self.place is not None

    @property
    def ambiguous(self) -> bool:
        return self.place is None and len(self.candidates) > 1


def _clean(name: str) -> str:
    return _PLACE_KIND.sub("", fold(name).strip(" ,.")).strip()


def resolve_place(name: str, country: str | None = None) -> Resolution:
    """Find the place `name` means (any of its names, any case), within `country` if given.

    One match: that place. Several: the only one whose current name (`own_names`) it is, or else
    the biggest if it is a city dwarfing the rest (CLEAR_WINNER_*); otherwise no place and the candidates, so the
    caller can ask which region. None: suggestions of similar names.
    """
    from centres.models import Place

    key = _clean(name)
    if not key:
        return Resolution(query=name)
    places = Place.objects.named(key).order_by("-population", "geonameid")
    if country:
        places = places.filter(country=country.upper())
    matches = tuple(places)
    if len(matches) == 1:
        return Resolution(query=name, place=matches[0], candidates=matches)
    if matches:
        # A place's current name beats another's old or alternate one: "Samarkand" is the city in Uzbekistan,
        # not Temirtau (once Samarkandskoye). Among equals, only a city dwarfing the rest wins.
        current = [place for place in matches if key in _current_names(place)] or list(matches)
        first = current[0]
        second = current[1] if len(current) > 1 else None
        clear = second is None or (
            first.population >= CLEAR_WINNER_POPULATION
            and first.population >= CLEAR_WINNER_RATIO * max(second.population, 1)
        )
        return Resolution(query=name, place=first if clear else None, candidates=matches)
    return Resolution(query=name, suggestions=suggest_places(key, country))


def _current_names(place: Any) -> set[str]:
    keys = {fold(name) for name in own_names(place)}
    return keys | {key.replace("-", " ") for key in keys}


@lru_cache(maxsize=8)
def _name_index(country: str | None) -> tuple[list[str], dict[str, list[int]]]:
    """Every folded name, and the places bearing it. Cleared by `load_places`; the gazetteer changes only then."""
    from centres.models import Place

    by_name: dict[str, list[int]] = defaultdict(list)
    rows = Place.objects.all()
    if country:
        rows = rows.filter(country=country)
    for geonameid, names in rows.values_list("geonameid", "search_names"):
        for key in names.strip(";").split(";"):
            if key:
                by_name[key].append(geonameid)
    return sorted(by_name), dict(by_name)


def suggest_places(name: str, country: str | None = None, limit: int = MAX_SUGGESTIONS) -> tuple[Any, ...]:
    """Places whose name starts with `name` or resembles it, biggest first."""
    from centres.models import Place

    key = _clean(name)
    if not key:
        return ()
    keys, by_name = _name_index(country.upper() if country else None)
    close = difflib.get_close_matches(key, keys, n=limit * 2, cutoff=0.7)
    prefixed = [other for other in keys if other.startswith(key)] if len(key) >= 3 else []
    ids = {geonameid for other in [*close, *prefixed] for geonameid in by_name[other]}
    return tuple(Place.objects.filter(geonameid__in=ids).select_related("region").order_by("-population")[:limit])


def distance_km(lat1: float | Decimal, lon1: float | Decimal, lat2: float | Decimal, lon2: float | Decimal) -> float:
    """Distance on the WGS-84 ellipsoid, for showing. Too slow (~90 µs) to rank thousands of centres with."""
    return geodesic((float(lat1), float(lon1)), (float(lat2), float(lon2))).km


# -- a town named in an import file --------------------------------------------------------------------------------

# Of several places with one name in one region, the one within this distance of the row's coordinates is meant.
NEAR_KM = 30


class UnknownCity(ValueError):
    """A town an import row names that the gazetteer cannot place; the message says why and what to write."""


def find_city(name: str, country: str, region_code: str | None) -> Any:
    """The place an import row means by `name` (in `country`, in region `region_code` if given), or several
    candidates for `pick_place` to choose among with the row's help. Raises UnknownCity."""
    from centres.models import Place

    places = Place.objects.named(name)
    if country:
        places = places.filter(country=country)
    candidates = list(places[:20])
    if region_code:
        in_region = [place for place in candidates if place.region_id == region_code]
        if not in_region and len(candidates) == 1:
            # The editor changed the city and left the old region: the city is unambiguous, so it wins and the
            # region follows it.
            return candidates[0]
        if not in_region and candidates:
            raise UnknownCity(
                _("there is no place named '%(name)s' in region %(region)s; places of that name: %(places)s.")
                % {"name": name, "region": region_code, "places": _list_places(candidates)}
            )
        candidates = in_region
    if not candidates:
        raise UnknownCity(
            _("'%(name)s' is not a known town or city of %(country)s.") % {"name": name, "country": country or "?"}
        )
    if len(candidates) > 1:
        # A place's own name (`own_names`) beats an alternate one: "Алтай" is not "Алтайский" called Алтай.
        exact = [place for place in candidates if name in own_names(place)]
        if len(exact) == 1:
            return exact[0]
        return exact or candidates
    return candidates[0]


def pick_place(candidates: list, name: str, current: Any, latitude: Any, longitude: Any) -> Any:
    """Choose among places of one name in one region (GeoNames has a few): the centre's `current` city if it is
    one of them, else the one at (or the only one within NEAR_KM of) the row's coordinates; otherwise say how to
    choose. Raises UnknownCity."""
    if current is not None and current.pk in {place.pk for place in candidates}:
        return current
    if latitude is not None and longitude is not None:
        distances = [(_rough_km(place, latitude, longitude), place) for place in candidates]
        for limit in (0.05, NEAR_KM):  # at the place's own coordinates (derived from it), else near only one
            near = [place for distance, place in distances if distance <= limit]
            if len(near) == 1:
                return near[0]
    raise UnknownCity(
        _("'%(name)s' could be %(places)s; put the region's code in the region column to say which.")
        % {"name": name, "places": _list_places(candidates)}
    )


def _rough_km(place: Any, latitude: Decimal, longitude: Decimal) -> float:
    """Equirectangular distance: plenty to tell two villages of one name apart."""
    mean_latitude = math.radians(float(place.latitude + latitude) / 2)
    dx = math.radians(float(place.longitude - longitude)) * math.cos(mean_latitude)
    dy = math.radians(float(place.latitude - latitude))
    return 6371 * math.hypot(dx, dy)


def _list_places(places: Iterable[Any]) -> str:
    return ", ".join(f"{place.display_name()} ({place.region_id or '?'})" for place in places)
