"""Synthetic centres in bulk, for benchmarks and load tests (`manage.py generate_centres`, `make bench`).

Names in Russian, Kazakh, Kyrgyz, Uzbek, Tajik and Latin letters, in the gazetteer's 300 largest towns (bigger towns
get more), with every status and licence state, one to three phone numbers in each country's format, and licensing
records for nine centres in ten. Every record is fictional and says so in its source; the phone numbers are random
ones in real formats and may belong to someone, so a generated directory is never to be published.

The same size and seed give the same directory (on the same day: dates are relative to today, so that the at-risk
list always has licences and leases ending soon). The benchmark relies on the ids (`uuid.UUID(int=n + 1)`), the slugs
(`centre-{n}`) and one rare word in the name of centre `size // 2`, an active one.

Rows are written in bulk (`bulk_create`; COPY on PostgreSQL), without `Centre.save()`: the columns `save()` derives
(search text, search words, public point) are set on each record beforehand with `derived.py`'s functions, the one
writer of derived columns. No history entries are made.
"""

import datetime
import random
import uuid
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from itertools import accumulate
from operator import attrgetter

from django.core.cache import cache
from django.db import connections, models, transaction
from django.db.models import Model
from django.db.models.fields import AutoFieldMixin

from centres import caching, derived, judging, languages, planner
from centres.demo import DEMO_MIN_AREA_PER_BED_M2, DEMO_MIN_PREMISES_AREA_M2
from centres.models import (
    RULES_CACHE_KEY,
    Centre,
    CentreOpening,
    CentrePhone,
    Compliance,
    CountryRules,
    Operator,
    Place,
    today,
)
from centres.vocabularies import (
    AddressVisibility,
    Audience,
    DocumentsNeeded,
    FundingKind,
    LicenceStatus,
    Service,
    Status,
    Tenure,
)

BATCH_SIZE = 5000
PLACES = 300
OPERATORS = 200
RARE_WORD = "zzrarezz"  # in exactly one name, for the benchmark's search for a rare word
SOURCE = "Synthetic (manage.py generate_centres): fictional, not a real centre."
SIX_PLACES = Decimal("0.000001")

# Words for names, by language.
RU_WORDS = ["Надежда", "Доверие", "Забота", "Мой дом", "Радуга", "Светлый путь", "Вера", "Опора", "Ана", "Үміт"]
KK_WORDS = ["Үміт", "Мейірім", "Шұғыла", "Қамқор", "Аңсар", "Сенім", "Ақниет", "Өркен", "Ізгілік", "Жиһан", "Шаңырақ"]
KY_WORDS = ["Үмүт", "Сезим", "Ак-Жол", "Мээрим", "Эне", "Ырыс", "Бакыт"]
TG_WORDS = ["Ҳимоя", "Умед", "Модар", "Меҳр", "Гулистон", "Дилшод"]
LATIN_WORDS = ["Nur", "Umit", "Zhan", "Aru", "Sezim", "Dostyk", "Bereke", "Meirim", "Hope", "Umid", "Oydin"]
UZ_WORDS = ["Umid", "Oydin", "Mehr", "Ishonch", "Sogʻlom oila", "Nurli yoʻl"]

# Templates of names by language: {word} a word above, {city} the town's name in that language.
RU_NAMES = [
    "Кризисный центр «{word}»",
    "Центр поддержки женщин «{word}»",
    "Кризисный центр для женщин и детей г. {city}",
    "Центр оказания специальных социальных услуг г. {city}",
    "Убежище «{word}»",
    "Семейный центр «{word}»",
]
# Between them, the Kazakh templates hold every letter of Kazakh's own: ә ғ қ ң ө ұ ү һ і.
KK_NAMES = [
    "«{word}» дағдарыс орталығы",
    "{city} қ. әйелдерге көмек көрсету орталығы",
    "Отбасын қолдау орталығы «{word}»",
    "«{word}» арнаулы әлеуметтік қызметтер көрсету орталығы",
    "«{word}» қоғамдық ұйымының баспанасы",
    "Әйелдер мен балаларға арналған «Ана үйі» {city}",
    "Шаһар дағдарыс орталығы «{word}»",
]
KY_NAMES = [
    "«{word}» кризистик борбору",
    "{city} шаарынын аялдарга жардам борбору",
    "Үй-бүлөнү колдоо борбору «{word}»",
]
TG_NAMES = ["Маркази бӯҳронии «{word}»", "Маркази дастгирии занон «{word}»", "Паноҳгоҳи {city}"]
UZ_NAMES = ["«{word}» inqiroz markazi", "Ayollarni qoʻllab-quvvatlash markazi «{word}»", "{city} oilaviy markazi"]
LATIN_NAMES = [
    "Crisis Centre {word}",
    "{city} Women's Support Centre",
    "Safe House «{word}»",
    "Family Support Centre {word}",
    "Dağdarys ortalyğy «Ümıt» {city}",  # Kazakh in its new Latin alphabet
]
# For each country: (templates, words, which of the town's names) and how often, in ten, each is chosen.
RUSSIAN = (RU_NAMES, RU_WORDS, "name_ru")
LATIN = (LATIN_NAMES, LATIN_WORDS, "name_en")
NAMINGS = {
    "KZ": [(RUSSIAN, 4), ((KK_NAMES, KK_WORDS, "name_kk"), 4), (LATIN, 2)],
    "KG": [(RUSSIAN, 5), ((KY_NAMES, KY_WORDS, "name_ru"), 3), (LATIN, 2)],
    "UZ": [(RUSSIAN, 4), ((UZ_NAMES, UZ_WORDS, "name_en"), 4), (LATIN, 2)],
    "TJ": [(RUSSIAN, 5), ((TG_NAMES, TG_WORDS, "name_ru"), 3), (LATIN, 2)],
}
OPERATOR_NAMES = {
    "KZ": ["КГУ «Центр социальной помощи» акимата г. {city}", "ОФ «{word}»", "Қоғамдық қор «{word}»"],
    "KG": ["Управление социального развития г. {city}", "ОФ «{word}»", "Public Foundation {word}"],
    "UZ": ["Центр реабилитации и адаптации г. {city}", "ННО «{word}»", "Nodavlat notijorat tashkiloti «{word}»"],
    "TJ": ["Комитет по делам женщин и семьи г. {city}", "ОО «{word}»", "Ташкилоти ҷамъиятии «{word}»"],
}
OPERATOR_WORDS = {"KZ": KK_WORDS, "KG": KY_WORDS, "UZ": UZ_WORDS, "TJ": TG_WORDS}
LANGUAGES = {
    "KZ": ["kk", "ru", "en"],
    "KG": ["ky", "ru", "en"],
    "UZ": ["uz", "ru", "kaa", "en"],
    "TJ": ["tg", "ru", "en"],
}
STREETS = ["ул. Абая", "пр. Республики", "ул. Толе би", "мкр. Самал", "ул. Ленина", "Amir Temur koʻchasi", "ул. Рудаки"]
HOURS = ["пн–пт 9:00–18:00", "пн–сб 9:00–19:00", "ежедневно 8:00–20:00", "дүйсенбі–жұма 9:00–18:00"]
# Weekly hours in the one spelling (`opening_hours`), as `Centre.save()` would leave them.
WEEKS = ["Mo-Fr 09:00-18:00", "Mo-Sa 09:00-19:00", "Mo-Su 08:00-20:00", "Mo-Fr 09:00-13:00,14:00-18:00", ""]
CLOSURE_REASONS = ["Ремонт помещения", "Закончилось финансирование", "Истёк договор аренды", "Қаржыландыру тоқтады"]

# Phone numbers as each country writes them: country code, mobile operators' (or the capital's) codes, and the
# groups of digits after: ten digits after +7, nine after +996, +998 and +992.
PHONE_FORMATS = {
    "KZ": ("+7", ["700", "701", "702", "705", "707", "708", "747", "771", "775", "777", "778"], (3, 2, 2)),
    "KG": ("+996", ["555", "550", "700", "707", "770", "999", "312"], (3, 3)),
    "UZ": ("+998", ["90", "91", "93", "94", "97", "99", "33", "71"], (3, 2, 2)),
    "TJ": ("+992", ["90", "91", "92", "93", "98", "50", "37"], (3, 2, 2)),
}
# A Kazakh landline as it is dialled at home: 8 (area code) and six digits.
KZ_LANDLINE = ["7172", "7212", "7222", "7232", "7242", "7252", "7262", "7272", "7282", "7292"]
# (label, whether it is a line that answers day and night)
PHONE_LABELS = [
    ("", False),
    ("Горячая линия", True),
    ("Приёмная", False),
    ("Психолог", False),
    ("Юрист", False),
    ("WhatsApp", False),
    ("Сенім телефоны", True),
    ("Қабылдау бөлмесі", False),
    ("Hotline", True),
]


# The vocabularies' codes as plain strings, read once: an enum's `.values` and members cost more than a million
# records can afford.
VISIBILITIES = list(AddressVisibility.values)
STATUSES = [Status.ACTIVE.value] * 8 + [Status.TEMPORARILY_CLOSED.value, Status.CLOSED.value]  # all, most active
ACTIVE, SHELTER = Status.ACTIVE.value, Service.SHELTER.value
SERVICES = list(Service.values)
AUDIENCES = list(Audience.values)
DOCUMENTS = ["", *DocumentsNeeded.values]
LICENCE_STATES = list(LicenceStatus.values)
NOT_APPLIED = {LicenceStatus.NOT_REQUIRED.value, LicenceStatus.UNKNOWN.value, LicenceStatus.NOT_APPLIED.value}
ISSUED = {
    LicenceStatus.LICENSED.value,
    LicenceStatus.SUSPENDED.value,
    LicenceStatus.REVOKED.value,
    LicenceStatus.EXPIRED.value,
}
EXPIRED, REFUSED = LicenceStatus.EXPIRED.value, LicenceStatus.REFUSED.value
TENURES, LEASED = list(Tenure.values), Tenure.LEASED.value
FUNDING_KINDS = list(FundingKind.values)
FUNDED_UNTIL = {FundingKind.STATE_CONTRACT.value, FundingKind.GRANT.value}  # kinds of funding that end on a date


# Field types whose conversion for PostgreSQL (`get_db_prep_save`) returns a value of the right Python type as it is.
AS_IS = {
    models.BooleanField,
    models.CharField,
    models.DateField,
    models.DateTimeField,
    models.DecimalField,
    models.EmailField,
    models.ForeignKey,
    models.OneToOneField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.SlugField,
    models.TextField,
    models.URLField,
    models.UUIDField,
}


class DirectoryNotEmpty(Exception):
    """The target already holds centres: synthetic ones are written only into an empty directory."""

    def __init__(self, count: int):
        self.count = count
        super().__init__(f"the directory already has {count} centres")


def generate(
    size: int,
    *,
    seed: int | None = None,
    using: str = "default",
    on: datetime.date | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write `size` synthetic centres, their phones and licensing records into the empty directory of `using`, all
    in one transaction (nothing is left half-written), and the demo thresholds for Kazakhstan; `progress` is called
    with the number written after each batch. Returns how many centres were written.

    Raises DirectoryNotEmpty when the directory has centres, and LookupError when the gazetteer is empty."""
    rng = random.Random(size if seed is None else seed)  # noqa: S311 (made-up data, nothing secret)
    on = on or today()
    places = list(Place.objects.using(using).select_related("region").order_by("-population", "geonameid")[:PLACES])
    if not places:
        raise LookupError("the gazetteer is empty")
    # Bigger towns get more centres, though not in proportion: a town of 2,000,000 about 45 times one of 1,000.
    weights = list(accumulate(max(place.population, 1000) ** 0.5 for place in places))
    with transaction.atomic(using=using):
        count = Centre.objects.using(using).count()
        if count:
            raise DirectoryNotEmpty(count)
        operators = _operators(rng, places, weights, using)
        for start in range(0, size, BATCH_SIZE):
            centres, phones, records, openings = [], [], [], []
            for n in range(start, min(start + BATCH_SIZE, size)):
                place = rng.choices(places, cum_weights=weights)[0]
                centre = _centre(rng, n, size, place, rng.choice(operators[place.country]), on)
                centres.append(centre)
                phones.extend(_phones(rng, centre))
                if rng.random() < 0.9:
                    records.append(_compliance(rng, centre, on))
                openings.extend(
                    CentreOpening(centre=centre, day=day, opens=opens, closes=closes)
                    for day, opens, closes in derived.openings(centre.opening_hours)
                )
            for model, rows in (
                (Centre, centres),
                (CentrePhone, phones),
                (Compliance, records),
                (CentreOpening, openings),
            ):
                _write(model, rows, using)
            if progress:
                progress(start + len(centres))
        _demo_thresholds(using)
    # bulk_create sends no post_save, which drops what the caches hold from before (caching.py): dropped here.
    caching.new_data_version()
    cache.delete(RULES_CACHE_KEY)
    if using == "default":
        judging.judge()  # bulk writes send no post_save: every centre judged here
    planner.refresh_statistics(using=using)
    return size


def _write(model: type[Model], rows: list[Model], using: str) -> None:
    """`bulk_create`; on PostgreSQL a COPY, in less than half the time (100,000 centres: 29 s against 62 s), as
    Django's INSERT converts every value through several calls, and a million centres with their phones and
    licensing records are some 70 million values.

    COPY writes each column's value as Django's own conversion (`get_db_prep_save`) gives it: the attribute itself
    for the field types whose conversion leaves a value of the right type unchanged on PostgreSQL, the conversion
    for any other (the code lists, the automatic timestamps). An automatic id is left to its sequence."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        model.objects.using(using).bulk_create(rows)
        return
    fields = [field for field in model._meta.concrete_fields if not isinstance(field, AutoFieldMixin)]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    copy_sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    values = [_value_of(field, connection) for field in fields]
    with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
        for row in rows:
            copy.write_row([value(row) for value in values])


def _value_of(field: models.Field, connection) -> Callable[[Model], object]:
    if type(field) in AS_IS and not (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)):
        return attrgetter(field.attname)
    return lambda row: field.get_db_prep_save(field.pre_save(row, add=True), connection)


def _operators(rng: random.Random, places: list[Place], weights: list[float], using: str) -> dict[str, list[Operator]]:
    """About 200 operators, by country, each based in a town of it (bigger towns have more)."""
    by_country: dict[str, list[Operator]] = defaultdict(list)
    names = set()
    for i in range(OPERATORS):
        place = rng.choices(places, cum_weights=weights)[0]
        template = rng.choice(OPERATOR_NAMES[place.country])
        name = template.format(city=place.name_ru or place.name_en, word=rng.choice(OPERATOR_WORDS[place.country]))
        if name in names:
            name = f"{name} №{i}"
        names.add(name)
        kind = "state" if "{city}" in template else "cso"
        by_country[place.country].append(Operator(name=name, kind=kind, **derived.name_columns(name)))
    everyone = Operator.objects.using(using).bulk_create([each for country in by_country.values() for each in country])
    # A country none of them is based in (only with a tiny gazetteer) borrows them all.
    return defaultdict(lambda: everyone, by_country)


def _centre(rng: random.Random, n: int, size: int, place: Place, operator: Operator, on: datetime.date) -> Centre:
    """One centre in `place`, with the columns `Centre.save()` would derive already set."""
    name = _name(rng, place)
    status = rng.choice(STATUSES)
    if n == size // 2:  # the one centre the benchmark's rare word finds: a public one
        name, status = f"{name} {RARE_WORD}", ACTIVE
    visibility = rng.choice(VISIBILITIES)
    # The centre's own point, within about 3 km of the town's centre (clean() allows 50).
    latitude = (place.latitude + Decimal(rng.randint(-30_000, 30_000)) * SIX_PLACES).quantize(SIX_PLACES)
    longitude = (place.longitude + Decimal(rng.randint(-30_000, 30_000)) * SIX_PLACES).quantize(SIX_PLACES)
    services = rng.sample(SERVICES, rng.randint(1, 4))
    shelter = SHELTER in services
    beds = rng.randint(4, 40) if shelter else None
    beds_free = rng.randint(0, beds) if beds and rng.random() < 0.7 else None
    open_24_7 = rng.random() < 0.5
    region_names = place.region.search_names if place.region_id else None
    search_text = derived.centre_search_text(name, operator.name, place.search_names, region_names)
    public_latitude, public_longitude = derived.public_point(
        visibility, latitude, longitude, (place.latitude, place.longitude)
    )
    return Centre(
        id=uuid.UUID(int=n + 1),
        slug=f"centre-{n}",
        name=name,
        operator=operator,
        published=True,
        country=place.country,
        city=place,
        region_id=place.region_id,
        address=f"{rng.choice(STREETS)}, {rng.randint(1, 250)}",
        address_visibility=visibility,
        latitude=latitude,
        longitude=longitude,
        email=f"centre-{n}@example.org" if rng.random() < 0.6 else "",
        website=f"https://example.org/centre-{n}/" if rng.random() < 0.3 else "",
        **{languages.main("hours"): "" if open_24_7 else rng.choice(HOURS), languages.main("public_notes"): ""},
        opening_hours="24/7" if open_24_7 else rng.choice(WEEKS),
        open_24_7=open_24_7,
        services=services,
        audiences=rng.sample(AUDIENCES, rng.randint(1, 3)) if rng.random() < 0.2 else ["women", "children"],
        languages=rng.sample(LANGUAGES[place.country], rng.randint(1, 2)),
        beds=beds,
        beds_free=beds_free,
        beds_free_updated_at=(
            datetime.datetime.combine(on - datetime.timedelta(days=rng.randint(0, 20)), datetime.time(9), datetime.UTC)
            if beds_free is not None
            else None
        ),
        accessible=rng.choice([True, False, None]),
        free=rng.random() < 0.9,
        accepts_children=rng.random() < 0.7,
        boys_max_age=rng.choice([None, 10, 12, 14]) if shelter else None,
        accepts_pregnant=rng.choice([True, False, None]),
        documents_needed=rng.choice(DOCUMENTS),
        referral_needed=rng.choice([True, False, None]),
        max_stay_days=rng.choice([None, 30, 90, 180]) if shelter else None,
        anonymous=rng.choice([True, False, None]),
        status=status,
        status_since=on - datetime.timedelta(days=rng.randint(0, 300)) if status != ACTIVE else None,
        closure_reason=rng.choice(CLOSURE_REASONS) if status != ACTIVE else "",
        last_verified_on=None if rng.random() < 0.2 else on - datetime.timedelta(days=rng.randint(0, 700)),
        source=SOURCE,
        # What Centre.save() derives, derived the same way (derived.py).
        search_text=search_text,
        search_words=derived.search_words(search_text),
        name_key=derived.name_key(name),
        public_latitude=public_latitude,
        public_longitude=public_longitude,
    )


def _name(rng: random.Random, place: Place) -> str:
    namings = NAMINGS[place.country]
    templates, words, city_name = rng.choices([naming for naming, _ in namings], [w for _, w in namings])[0]
    city = getattr(place, city_name) or place.name_ru or place.name_en
    return rng.choice(templates).format(word=rng.choice(words), city=city)


def _phones(rng: random.Random, centre: Centre) -> list[CentrePhone]:
    """One to three numbers in the centre's country's format, the first often unlabelled."""
    phones = []
    for position in range(rng.choice([1, 1, 2, 2, 3])):
        label, hotline = rng.choice(PHONE_LABELS)
        phones.append(
            CentrePhone(
                centre_id=centre.id,
                label=label,
                number=_number(rng, centre.country),
                answers_24_7=hotline or bool(centre.open_24_7 and rng.random() < 0.5),
                position=position,
            )
        )
    return phones


def _number(rng: random.Random, country: str) -> str:
    if country == "KZ" and rng.random() < 0.3:
        return f"8 ({rng.choice(KZ_LANDLINE)}) {rng.randint(20, 99)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
    prefix, codes, groups = PHONE_FORMATS[country]
    digits = [f"{rng.randrange(10**length):0{length}d}" for length in groups]
    return " ".join([prefix, rng.choice(codes), *digits])


def _compliance(rng: random.Random, centre: Centre, on: datetime.date) -> Compliance:
    """Licensing, premises and funding, with every licence state and dates on both sides of today."""
    status = rng.choice(LICENCE_STATES)
    applied = status not in NOT_APPLIED
    issued = status in ISSUED
    decided = issued or status == REFUSED
    tenure = rng.choice(TENURES)
    funding = rng.choice(FUNDING_KINDS)
    applied_on = on - datetime.timedelta(days=rng.randint(60, 1500)) if applied else None
    decided_on = applied_on + datetime.timedelta(days=rng.randint(10, 50)) if decided else None
    return Compliance(
        centre_id=centre.id,
        licence_status=status,
        licence_number=f"{centre.country}-{rng.randrange(10**8):08d}" if issued else "",
        licence_applied_on=applied_on,
        licence_decided_on=decided_on,
        licence_issued_on=decided_on if issued else None,
        # An expired licence ended before today; the others end within two years, some soon, a few already past.
        licence_expires_on=(
            on + datetime.timedelta(days=rng.randint(-400, -1) if status == EXPIRED else rng.randint(-30, 700))
            if issued
            else None
        ),
        premises_area_m2=Decimal(rng.randint(20, 400)) if rng.random() < 0.8 else None,
        premises_tenure=tenure,
        lease_ends_on=on + datetime.timedelta(days=rng.randint(-50, 900)) if tenure == LEASED else None,
        funding_kind=funding,
        funding_ends_on=on + datetime.timedelta(days=rng.randint(-50, 900)) if funding in FUNDED_UNTIL else None,
    )


def _demo_thresholds(using: str) -> None:
    """Kazakhstan's premises thresholds as the demo data sets them (60 m², 6 m² a bed), marked as demo figures."""
    values = {
        "min_premises_area_m2": DEMO_MIN_PREMISES_AREA_M2,
        "min_area_per_bed_m2": DEMO_MIN_AREA_PER_BED_M2,
        "thresholds_are_demo": True,
    }
    # update(), not save(): Versioned.save() checks its version on the default database whatever `using` is.
    if not CountryRules.objects.using(using).filter(country="KZ").update(**values):
        CountryRules.objects.using(using).create(country="KZ", **values)
