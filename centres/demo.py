"""Fictional demo records for trying the directory out (DESIGN.md sections 3, 4 and 6).

Every centre is plainly fictional: its name ends in "(демо)", it is flagged `is_demo`, its public notes start with a
DEMO note, and it has no phone number. Dates are relative to the day the data is loaded, so that the demo always
shows recent and stale figures, and leases, funding and licences ending soon or already ended. Each record's id is a
uuid5 of a fixed key, so loading again finds the same records instead of adding new ones.
"""

import datetime
import uuid
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from centres import languages
from centres.vocabularies import LicenceStatus

DEMO_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://example.org/crisis-centre-directory/demo")

# A demo centre's public notes and hours note in each language (centres/languages.py): the pages in every language
# show their own text, and say in it that the centre is not real.
DEMO_NOTES = {
    "ru": "ДЕМО: вымышленная запись для демонстрации сайта — такого центра нет, не обращайтесь сюда за помощью; "
    "звоните на горячую линию.",
    "kk": "ДЕМО: сайтты көрсетуге арналған ойдан шығарылған жазба — мұндай орталық жоқ, көмек сұрап мұнда "
    "жүгінбеңіз; сенім телефонына қоңырау шалыңыз.",
    "ky": "ДЕМО: сайтты көрсөтүү үчүн ойдон чыгарылган жазуу — мындай борбор жок, жардам сурап бул жакка "
    "кайрылбаңыз; ишеним телефонуна чалыңыз.",
    "uz": "DEMO: saytni koʻrsatish uchun toʻqima yozuv — bunday markaz yoʻq, yordam soʻrab bu yerga murojaat "
    "qilmang; ishonch telefoniga qoʻngʻiroq qiling.",
    "tg": "ДЕМО: сабти сохта барои намоиши сайт — чунин марказ нест, барои кӯмак ба ин ҷо муроҷиат накунед; ба "
    "хати боварӣ занг занед.",
    "en": "DEMO: a fictional record to show the site — there is no such centre; do not come here for help, call "
    "the hotline.",
}
ROUND_THE_CLOCK = {
    "ru": "Круглосуточно",
    "kk": "Тәулік бойы",
    "ky": "Күнү-түнү",
    "uz": "Kecha-kunduz",
    "tg": "Шабонарӯзӣ",
    "en": "Round the clock",
}
OFFICE_HOURS = {
    "ru": "Пн–Пт 9:00–18:00",
    "kk": "Дс–Жм 9:00–18:00",
    "ky": "Дш–Жм 9:00–18:00",
    "uz": "Du–Ju 9:00–18:00",
    "tg": "Дш–Ҷм 9:00–18:00",
    "en": "Mon–Fri 9:00–18:00",
}


def _per_language(text: str, by_language: dict[str, str]) -> dict[str, str]:
    return {languages.column(text, code): words for code, words in by_language.items()}


DEMO_SOURCE = "Demo data (manage.py load_demo_data): fictional, not verified with anyone."

# Thresholds for Kazakhstan when an editor has not set any: demo values, not the law's figures.
DEMO_MIN_PREMISES_AREA_M2 = Decimal("60")
DEMO_MIN_AREA_PER_BED_M2 = Decimal("6")

# key -> (country, name to look up in the gazetteer, GeoNames id to prefer when a name matches several places)
CITIES: dict[str, tuple[str, str, int]] = {
    "almaty": ("KZ", "Алматы", 1526384),
    "astana": ("KZ", "Астана", 1526273),
    "shymkent": ("KZ", "Шымкент", 1518980),
    "karaganda": ("KZ", "Караганда", 609655),
    "aktobe": ("KZ", "Актобе", 610611),
    "taraz": ("KZ", "Тараз", 1516905),
    "pavlodar": ("KZ", "Павлодар", 1520240),
    "oskemen": ("KZ", "Усть-Каменогорск", 1520316),
    "semey": ("KZ", "Семей", 1519422),
    "atyrau": ("KZ", "Атырау", 610529),
    "kostanay": ("KZ", "Костанай", 1519928),
    "kyzylorda": ("KZ", "Кызылорда", 1519922),
    "oral": ("KZ", "Уральск", 608668),
    "petropavl": ("KZ", "Петропавловск", 1520172),
    "aktau": ("KZ", "Актау", 610612),
    "turkistan": ("KZ", "Туркестан", 1517945),
    "bishkek": ("KG", "Бишкек", 1528675),
    "osh": ("KG", "Ош", 1527534),
    "jalal-abad": ("KG", "Джалал-Абад", 1528249),
    "karakol": ("KG", "Каракол", 1528121),
    "tashkent": ("UZ", "Ташкент", 1512569),
    "samarkand": ("UZ", "Самарканд", 1216265),
    "bukhara": ("UZ", "Бухара", 1217662),
    "namangan": ("UZ", "Наманган", 1513157),
    "nukus": ("UZ", "Нукус", 601294),
    "dushanbe": ("TJ", "Душанбе", 1221874),
    "khujand": ("TJ", "Худжанд", 1514879),
    "bokhtar": ("TJ", "Бохтар", 1220747),
    "kulob": ("TJ", "Куляб", 1221194),
}

# key -> (name, kind). Fictional organisations; no registration numbers, which could belong to someone real.
OPERATORS: dict[str, tuple[str, str]] = {
    "kz-state-1": ("ГУ «Примерный центр социальной защиты» (демо)", "state"),
    "kz-state-2": ("КГУ «Вымышленный центр специальных социальных услуг» (демо)", "state"),
    "kz-cso-1": ("ОФ «Союз примерных кризисных центров» (демо)", "cso"),
    "kz-cso-2": ("ОО «Жаңа Қадам — вымышленная инициатива» (демо)", "cso"),
    "kz-cso-3": ("ОФ «Ана мен бала — тестовый фонд» (демо)", "cso"),
    "kg-state": ("Управление социального развития — пример (демо)", "state"),
    "kg-cso-1": ("ОФ «Вымышленная сеть Ак-Жол» (демо)", "cso"),
    "kg-cso-2": ("ОО «Примерная инициатива Эне» (демо)", "cso"),
    "uz-state": ("Центр реабилитации и адаптации — пример (демо)", "state"),
    "uz-cso": ("ННО «Namuna tashabbus» (демо)", "cso"),
    "tj-state": ("Комитет по делам женщин и семьи — пример (демо)", "state"),
    "tj-cso": ("ОО «Пример ҳимоя» (демо)", "cso"),
}

# country -> (city key, distinctive word of the name) for each centre, in a fixed order (the order makes the ids).
CENTRES: dict[str, list[tuple[str, str]]] = {
    "KZ": [
        ("almaty", "Сенім"),
        ("almaty", "Қамқор"),
        ("almaty", "Мейірім"),
        ("almaty", "Шуақ"),
        ("almaty", "Ақ бота"),
        ("astana", "Жарық"),
        ("astana", "Үміт"),
        ("astana", "Бақыт"),
        ("astana", "Шапағат"),
        ("shymkent", "Нұр"),
        ("shymkent", "Ақниет"),
        ("shymkent", "Аялы алақан"),
        ("karaganda", "Жанұя"),
        ("karaganda", "Самал"),
        ("karaganda", "Тұмар"),
        ("aktobe", "Көктем"),
        ("aktobe", "Арман"),
        ("taraz", "Береке"),
        ("taraz", "Құс жолы"),
        ("pavlodar", "Алтын ұя"),
        ("pavlodar", "Жұлдыз"),
        ("oskemen", "Айгөлек"),
        ("oskemen", "Таң шолпан"),
        ("semey", "Ақжол"),
        ("semey", "Күнсұлу"),
        ("atyrau", "Ырыс"),
        ("atyrau", "Бәйтерек"),
        ("kostanay", "Дала гүлі"),
        ("kostanay", "Ақ шаңырақ"),
        ("kyzylorda", "Ана үйі"),
        ("kyzylorda", "Сәуле"),
        ("oral", "Шаттық"),
        ("petropavl", "Жас қанат"),
        ("petropavl", "Қорған"),
        ("aktau", "Тірек"),
        ("turkistan", "Дана"),
    ],
    "KG": [
        ("bishkek", "Ак-Жол"),
        ("bishkek", "Мээрим"),
        ("bishkek", "Үмүт"),
        ("bishkek", "Ынтымак"),
        ("osh", "Күн нуру"),
        ("osh", "Айкөл"),
        ("osh", "Береке"),
        ("jalal-abad", "Тунук"),
        ("jalal-abad", "Эне-Сай"),
        ("karakol", "Жаңы-Жол"),
    ],
    "UZ": [
        ("tashkent", "Nur"),
        ("tashkent", "Mehr"),
        ("tashkent", "Umid"),
        ("samarkand", "Oydin"),
        ("samarkand", "Najot"),
        ("bukhara", "Shafqat"),
        ("namangan", "Ishonch"),
        ("nukus", "Bahor"),
    ],
    "TJ": [
        ("dushanbe", "Меҳр"),
        ("dushanbe", "Умед"),
        ("dushanbe", "Сипар"),
        ("khujand", "Бахт"),
        ("bokhtar", "Нур"),
        ("kulob", "Ҳимоя"),
    ],
}

NAME_TEMPLATES = {
    "KZ": ["Кризисный центр «{}» (демо)", "«{}» дағдарыс орталығы (демо)", "Центр поддержки семьи «{}» (демо)"],
    "KG": ["«{}» кризистик борбору (демо)", "Кризисный центр «{}» (демо)"],
    "UZ": ["«{}» inqiroz markazi (демо)", "Центр реабилитации «{}» (демо)"],
    "TJ": ["Маркази бӯҳронии «{}» (демо)", "Кризисный центр «{}» (демо)"],
}
OPERATOR_CYCLE = {
    "KZ": ["kz-cso-1", "kz-state-1", "kz-cso-2", "kz-state-2", "kz-cso-3", "kz-cso-1"],
    "KG": ["kg-cso-1", "kg-state", "kg-cso-2"],
    "UZ": ["uz-state", "uz-cso"],
    "TJ": ["tj-cso", "tj-state"],
}
LANGUAGE_CYCLE = {
    "KZ": [["kk", "ru"], ["ru"], ["kk", "ru", "en"], ["kk"]],
    "KG": [["ky", "ru"], ["ky", "ru", "uz"], ["ru"]],
    "UZ": [["uz", "ru"], ["uz"], ["uz", "ru", "en"]],
    "TJ": [["tg", "ru"], ["tg", "ru", "uz"], ["tg"]],
}

SERVICES = [
    ["shelter", "psychological", "legal", "social", "children"],
    ["shelter", "hotline", "psychological", "legal", "medical"],
    ["psychological", "legal", "social"],
    ["shelter", "psychological", "social", "training"],
    ["hotline", "psychological", "legal"],
    ["shelter", "hotline", "psychological", "legal", "medical", "social", "children", "training"],
    ["shelter", "social", "children"],
]
AUDIENCES = [
    ["women", "children"],
    ["women"],
    ["women", "children", "disability"],
    ["women", "children", "older"],
    ["women", "children", "men"],
    ["women", "older", "disability"],
]
VISIBILITIES = ["hidden", "hidden", "city", "public"]
# Weekly hours of the centres not open around the clock (`opening_hours`): office hours, a lunch break, a night
# service past midnight, and by appointment.
WEEKS = [
    "Mo-Fr 09:00-18:00",
    "Mo-Fr 09:00-13:00,14:00-18:00; Sa 10:00-14:00",
    "Mo-Su 20:00-08:00",
    "by appointment",
]
OPEN_24_7 = [True, False, None]
BEDS = [8, 12, 20, 30, 6, 45, 15, 10, 25]
BEDS_FREE = [0, 1, 2, 3, None, 5]
# (days ago, hour): the first three are recent, the last two older than the 7 days a figure may be.
BEDS_FREE_UPDATED = [(1, 18), (2, 10), (5, 9), (12, 14), (40, 11)]
ADMISSIONS: list[dict[str, Any]] = [
    {
        "accepts_children": True,
        "boys_max_age": 10,
        "accepts_pregnant": True,
        "documents_needed": "none",
        "accepts_non_citizens": True,
        "referral_needed": False,
        "anonymous": True,
        "max_stay_days": 90,
    },
    {
        "accepts_children": True,
        "boys_max_age": 14,
        "accepts_pregnant": True,
        "documents_needed": "id",
        "accepts_non_citizens": False,
        "referral_needed": True,
        "anonymous": False,
        "max_stay_days": 30,
    },
    {
        "accepts_children": False,
        "boys_max_age": None,
        "accepts_pregnant": False,
        "documents_needed": "id_and_registration",
        "accepts_non_citizens": False,
        "referral_needed": True,
        "anonymous": False,
        "max_stay_days": 60,
    },
    {
        "accepts_children": True,
        "boys_max_age": 7,
        "accepts_pregnant": True,
        "documents_needed": "id",
        "accepts_non_citizens": True,
        "referral_needed": False,
        "anonymous": True,
        "max_stay_days": 180,
    },
    {  # mostly unknown, as many real records start
        "accepts_children": True,
        "boys_max_age": None,
        "accepts_pregnant": None,
        "documents_needed": "none",
        "accepts_non_citizens": None,
        "referral_needed": False,
        "anonymous": None,
        "max_stay_days": None,
    },
    {
        "accepts_children": True,
        "boys_max_age": 12,
        "accepts_pregnant": False,
        "documents_needed": "",
        "accepts_non_citizens": True,
        "referral_needed": True,
        "anonymous": False,
        "max_stay_days": 45,
    },
    {
        "accepts_children": False,
        "boys_max_age": None,
        "accepts_pregnant": True,
        "documents_needed": "none",
        "accepts_non_citizens": False,
        "referral_needed": False,
        "anonymous": True,
        "max_stay_days": 14,
    },
]
# Ten active, then one temporarily closed, then one closed.
STATUSES = ["active"] * 10 + ["temporarily_closed", "closed"]
TEMPORARY_REASONS = [
    "Ремонт помещения (демо).",
    "Работа приостановлена до решения по лицензии (демо).",
    "Нет финансирования на текущий квартал (демо).",
]
CLOSURE_REASONS = [
    "Лицензия отозвана, приют закрыт (демо).",
    "Помещение не соответствует минимальной площади (демо).",
    "Государственный контракт не продлён (демо).",
]
# Days ago; the last three are older than the 365 days a verification may be, or missing.
VERIFIED = [10, 45, 120, 200, 300, 400, 700, None]
SHELTER_AREAS = [25, 48, 60, 85, 120, 150, 210, 320, 600, None, 95]
OTHER_AREAS = [40, None, 70]
TENURES = ["leased", "owned", "free_use", "leased", "unknown"]
LEASE_ENDS = [60, -20, 400, 150, None]  # days from today
FUNDING = ["state_contract", "grant", "own", "none", "unknown", "state_contract", "grant"]
FUNDING_ENDS = [30, -15, 365, 200]  # days from today
KZ_LICENCES = list(LicenceStatus.values)
OTHER_LICENCES = ["not_required", "unknown"]
LICENCE_EXPIRY = [40, 700, -10, None]  # licensed centres: expiring soon, fine, date passed, no date


def pick(values: list, n: int):
    return values[n % len(values)]


def centre_id(key: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, f"centre:{key}")


def _local_datetime(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=ZoneInfo(settings.TIME_ZONE))


def demo_centres(today: datetime.date) -> list[dict[str, Any]]:
    """Every demo centre as {"key", "city", "operator", "centre": field values, "compliance": field values}.

    "city" and "operator" are keys of CITIES and OPERATORS (operator may be None).
    """
    records = []
    n = 0  # across all countries, so that the cycles below mix differently in each country
    for country, rows in CENTRES.items():
        per_city: dict[str, int] = {}
        for local, (city, word) in enumerate(rows):
            per_city[city] = per_city.get(city, 0) + 1
            key = f"{country.lower()}-{city}-{per_city[city]}"
            records.append(_record(n, local, country, city, word, key, today))
            n += 1
    return records


def _record(n: int, local: int, country: str, city: str, word: str, key: str, today: datetime.date) -> dict[str, Any]:
    def days(offset: int | None) -> datetime.date | None:
        return None if offset is None else today + datetime.timedelta(days=offset)

    services = pick(SERVICES, n)
    shelter = "shelter" in services
    open_24_7 = pick(OPEN_24_7, n)
    status = pick(STATUSES, n)
    verified = pick(VERIFIED, n)
    centre: dict[str, Any] = {
        "name": pick(NAME_TEMPLATES[country], local).format(word),
        "is_demo": True,
        "country": country,
        "address": f"ул. Демонстрационная, {n + 1} (вымышленный адрес)",
        "address_visibility": pick(VISIBILITIES, n),
        "email": f"demo-{n + 1}@example.org" if n % 5 == 0 else "",
        "website": f"https://example.org/demo/{key}" if n % 6 == 0 else "",
        **_per_language("hours", {True: ROUND_THE_CLOCK, False: OFFICE_HOURS, None: {"ru": ""}}[open_24_7]),
        "opening_hours": {True: "24/7", False: pick(WEEKS, n), None: ""}[open_24_7],
        "open_24_7": open_24_7,
        "services": services,
        "audiences": pick(AUDIENCES, n),
        "languages": ["uz", "kaa", "ru"] if city == "nukus" else pick(LANGUAGE_CYCLE[country], local),
        "accessible": pick([True, False, None], n + 1),
        "free": pick([True, True, True, None], n),
        "status": status,
        "status_since": days(-(10 + (n * 7) % 120) if status != "active" else -(30 + (n * 47) % 900)),
        "closure_reason": (
            pick(TEMPORARY_REASONS, n // 12)
            if status == "temporarily_closed"
            else pick(CLOSURE_REASONS, n // 12)
            if status == "closed"
            else ""
        ),
        "archived": n % 20 == 19,
        "last_verified_on": None if verified is None else days(-verified),
        "source": DEMO_SOURCE,
        **_per_language("public_notes", DEMO_NOTES),
        "internal_notes": "Демо: запись-дубликат, поэтому в архиве." if n % 20 == 19 else "Демо-запись.",
    }
    if shelter:
        beds = pick(BEDS, n)
        beds_free = pick(BEDS_FREE, n)
        beds_free = None if beds_free is None else min(beds_free, beds)
        centre["beds"] = beds
        centre["beds_free"] = beds_free
        ago, hour = pick(BEDS_FREE_UPDATED, n)
        centre["beds_free_updated_at"] = (
            None if beds_free is None else _local_datetime(today - datetime.timedelta(days=ago), hour)
        )
        centre.update(pick(ADMISSIONS, n))
    else:
        centre.update({"beds": None, "beds_free": None, "beds_free_updated_at": None})
        admission = dict(pick(ADMISSIONS, n))
        admission["max_stay_days"] = None  # no stay without a shelter
        centre.update(admission)

    compliance: dict[str, Any] = {
        "licence_status": pick(KZ_LICENCES, local) if country == "KZ" else pick(OTHER_LICENCES, local),
        "licence_number": "",
        "licence_authority": "",
        "licence_applied_on": None,
        "licence_issued_on": None,
        "licence_decided_on": None,
        "licence_expires_on": None,
    }
    status_code = compliance["licence_status"]
    authority = "Управление — пример лицензиара (демо)"
    if status_code == "applied":
        compliance.update(licence_applied_on=days(-60), licence_authority=authority)
    elif status_code == "licensed":
        compliance.update(
            licence_number=f"ДЕМО-{n + 1:03d}",
            licence_authority=authority,
            licence_applied_on=days(-400),
            licence_issued_on=days(-300),
            licence_decided_on=days(-300),
            # Kazakhstan's centres go through every status in turn: this is the first, second... licensed one.
            licence_expires_on=days(pick(LICENCE_EXPIRY, local // len(KZ_LICENCES))),
        )
    elif status_code in ("suspended", "revoked", "refused"):
        compliance.update(licence_applied_on=days(-200), licence_decided_on=days(-30), licence_authority=authority)
        if status_code != "refused":
            compliance.update(licence_number=f"ДЕМО-{n + 1:03d}", licence_issued_on=days(-180))
    elif status_code == "expired":
        compliance.update(
            licence_number=f"ДЕМО-{n + 1:03d}",
            licence_authority=authority,
            licence_issued_on=days(-800),
            licence_expires_on=days(-45),
        )
    area = pick(SHELTER_AREAS, n) if shelter else pick(OTHER_AREAS, n)
    tenure = pick(TENURES, n)
    funding = pick(FUNDING, n)
    compliance.update(
        premises_area_m2=None if area is None else Decimal(area),
        premises_tenure=tenure,
        lease_ends_on=days(pick(LEASE_ENDS, n // len(TENURES))) if tenure == "leased" else None,
        funding_kind=funding,
        funding_ends_on=days(pick(FUNDING_ENDS, n)) if funding in ("state_contract", "grant") else None,
    )
    return {
        "key": key,
        "city": city,
        "operator": None if key == "kz-turkistan-1" else pick(OPERATOR_CYCLE[country], local),  # one unrecorded
        "centre": centre,
        "compliance": compliance,
    }
