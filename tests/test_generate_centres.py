"""generate_centres: synthetic centres in bulk (centres/synthetic.py)."""

import io
import re
import sqlite3
import uuid
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from centres import derived, progress, synthetic
from centres.models import Centre, CentrePhone, Compliance, CountryRules, Operator
from centres.vocabularies import LicenceStatus, Status
from tests.conftest import make_centre

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """The command's messages are read in English here (they are translated like every other)."""
    with translation.override("en"):
        yield


KAZAKH_LETTERS = set("әғқңөұүһі")
CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")
LATIN = re.compile(r"[A-Za-z]")
COUNTRY_CODES = {"KZ": ("+7 ", "8 ("), "KG": ("+996 ",), "UZ": ("+998 ",), "TJ": ("+992 ",)}


def generate(count: int = 300, *args: str, **options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("generate_centres", str(count), *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_generate_centres_writes_n_published_centres_with_the_benchmarks_ids_and_one_rare_name():
    _out, err = generate(300)
    assert "300 centres generated in" in err
    assert Centre.objects.count() == 300
    assert Centre.objects.filter(published=True).count() == 300
    assert set(Centre.objects.values_list("id", flat=True)) == {uuid.UUID(int=n + 1) for n in range(300)}
    assert Centre.objects.get(slug="centre-150").id == uuid.UUID(int=151)
    assert list(Centre.objects.filter(name__contains="zzrarezz").values_list("slug", flat=True)) == ["centre-150"]
    assert Centre.objects.public().filter(name__contains="zzrarezz").exists()
    assert Operator.objects.count() == 200
    assert Centre.objects.values("city").distinct().count() > 100  # spread over the 300 largest towns
    assert 240 <= Compliance.objects.count() <= 290  # nine centres in ten
    rules = CountryRules.objects.get(country="KZ")
    assert (rules.min_premises_area_m2, rules.min_area_per_bed_m2) == (Decimal("60"), Decimal("6"))
    assert rules.thresholds_are_demo


def test_generated_centres_have_every_status_and_licence_state():
    generate(300)
    assert set(Centre.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Compliance.objects.values_list("licence_status", flat=True)) == set(LicenceStatus.values)
    assert set(Centre.objects.values_list("address_visibility", flat=True)) == {"hidden", "city", "public"}


def test_generated_names_are_in_russian_kazakh_and_latin_letters():
    generate(300)
    names = list(Centre.objects.values_list("name", flat=True))
    assert set("".join(names).casefold()) >= KAZAKH_LETTERS  # every letter of Kazakh's own
    russian = [name for name in names if CYRILLIC.search(name) and not KAZAKH_LETTERS & set(name.casefold())]
    latin = [name for name in names if LATIN.search(name) and not CYRILLIC.search(name)]
    assert len(russian) > 50
    assert len(latin) > 30
    assert len(set(names)) > 100


def test_every_generated_centre_and_phone_passes_the_models_validation():
    generate(300)
    phones = Counter()
    for centre in Centre.objects.select_related("city", "region"):
        centre.full_clean()
        assert centre.city.country == centre.country
    for phone in CentrePhone.objects.select_related("centre"):
        phone.full_clean()
        assert phone.number.startswith(COUNTRY_CODES[phone.centre.country]), phone.number
        phones[phone.centre_id] += 1
    assert set(phones.values()) == {1, 2, 3}
    assert len(phones) == 300
    for centre_id, count in phones.items():
        positions = CentrePhone.objects.filter(centre_id=centre_id).values_list("position", flat=True)
        assert sorted(positions) == list(range(count))


def test_generated_derived_columns_are_what_save_writes():
    generate(300)
    columns = ("search_text", "search_words", "name_key", "public_latitude", "public_longitude")
    sample = list(Centre.objects.order_by("slug")[::15])
    generated = {centre.pk: [getattr(centre, column) for column in columns] for centre in sample}
    for centre in sample:
        centre.save()
    for centre in Centre.objects.filter(pk__in=generated):
        assert [getattr(centre, column) for column in columns] == generated[centre.pk]
    hidden = Centre.objects.exclude(address_visibility="public").select_related("city").first()
    assert (hidden.public_latitude, hidden.public_longitude) == (hidden.city.latitude, hidden.city.longitude)
    for operator in Operator.objects.all()[:20]:
        assert operator.search_text == derived.name_columns(operator.name)["search_text"]


def test_the_same_size_and_seed_give_the_same_centres():
    def directory():
        phones_in_order = ("pk", "phones__position", "phones__number")  # a join without an order has none
        return list(Centre.objects.order_by(*phones_in_order).values_list("name", "city", "status", "phones__number"))

    generate(60, "--seed", "7")
    first = directory()
    Centre.objects.all().delete()
    Operator.objects.all().delete()
    generate(60, "--seed", "7")
    assert directory() == first
    Centre.objects.all().delete()
    generate(60, "--seed", "8")
    assert directory() != first


def test_generate_centres_refuses_a_directory_with_centres_and_writes_nothing():
    make_centre()
    rules = CountryRules.objects.get(country="KZ")
    before = [model.objects.count() for model in (Centre, CentrePhone, Compliance, Operator)]
    with pytest.raises(CommandError, match="already has 1 centres; nothing was written"):
        generate(300)
    assert [model.objects.count() for model in (Centre, CentrePhone, Compliance, Operator)] == before
    assert CountryRules.objects.get(country="KZ").min_premises_area_m2 == rules.min_premises_area_m2


def test_generate_centres_prints_nothing_at_verbosity_zero(capsys):
    assert generate(300, verbosity=0) == ("", "")
    assert capsys.readouterr() == ("", "")
    assert Centre.objects.count() == 300


def test_generate_centres_reports_its_progress_on_standard_error(monkeypatch):
    monkeypatch.setattr(progress, "EVERY_SECONDS", 0)
    monkeypatch.setattr(synthetic, "BATCH_SIZE", 100)
    out, err = generate(300)
    *lines, summary = err.splitlines()
    assert [line.split(",")[0] for line in lines] == [
        "Generating centres: 100 of 300 centres (33%)",
        "Generating centres: 200 of 300 centres (66%)",
        "Generating centres: 300 of 300 centres (100%)",
    ]
    assert all(re.search(r", [\d,]+ a second$", line) for line in lines)
    assert summary.startswith("300 centres generated in")
    assert out == ""


def test_generate_centres_writes_into_the_database_of_database_url_only(tmp_path, capfd):
    target = tmp_path / "generated.sqlite3"
    call_command("generate_centres", "40", "--database-url", f"sqlite:///{target}")
    # The child process speaks the site's language (LANGUAGE_CODE), not this test's: its summary names the count.
    assert re.search(r"\b40\b", capfd.readouterr().err)
    with sqlite3.connect(target) as database:
        assert database.execute("SELECT count(*) FROM centres_centre").fetchone() == (40,)
        assert database.execute("SELECT count(*) FROM centres_place").fetchone()[0] > 700  # migrated first
    assert not Centre.objects.exists()  # nothing in this process's own database
    with pytest.raises(CommandError):  # the second time it has centres: refused, before migrating
        call_command("generate_centres", "40", "--database-url", f"sqlite:///{target}", verbosity=0)
    refusal = capfd.readouterr().err
    assert re.search(r"\b40\b", refusal) and "--database-url" in refusal
    with sqlite3.connect(target) as database:
        assert database.execute("SELECT count(*) FROM centres_centre").fetchone() == (40,)


def test_generate_centres_refuses_a_database_url_it_cannot_use():
    with pytest.raises(CommandError, match="PostgreSQL or SQLite"):
        generate(10, "--database-url", "mysql://someone@localhost/directory")
    assert not Centre.objects.exists()
