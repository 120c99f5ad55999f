"""Risk flags and data gaps (DESIGN.md section 4) at their boundaries, and the database filter agreeing with the
single-centre explanation on generated centres and dates."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from centres.eligibility import BY_CODE, FLAGS, HIGH, MEDIUM, RULES, at_risk, findings, risk_of, rule_q
from centres.models import Centre, Compliance, CountryRules
from centres.vocabularies import FundingKind, LicenceStatus, Tenure
from tests.conftest import make_centre

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 10)
EFFECTIVE = datetime.date(2025, 1, 1)


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def kz_rules() -> CountryRules:
    rules = CountryRules.objects.get(country="KZ")
    rules.min_premises_area_m2 = Decimal("60")
    rules.min_area_per_bed_m2 = Decimal("6")
    rules.save()
    return rules


def all_rules() -> dict[str, CountryRules]:
    return CountryRules.for_countries()


def shelter(compliance=None, **overrides) -> Centre:
    values = {"services": ["shelter"], "beds": 5, "last_verified_on": days(-10)}
    values.update(overrides)
    return make_centre(
        compliance={"licence_status": LicenceStatus.LICENSED, "premises_area_m2": Decimal("100"), **(compliance or {})},
        **values,
    )


def codes(centre: Centre, today: datetime.date = TODAY) -> dict[str, str | None]:
    centre = Centre.objects.select_related("compliance").get(pk=centre.pk)
    return {finding.code: finding.severity for finding in findings(centre, all_rules(), today)}


def in_database(code: str, today: datetime.date = TODAY) -> set:
    return set(Centre.objects.filter(rule_q(BY_CODE[code], all_rules(), today)).values_list("pk", flat=True))


def test_a_centre_in_good_standing_has_no_flag_and_no_gap(kz_rules):
    assert codes(shelter()) == {}


def test_no_licence_is_flagged_from_the_effective_date_on(kz_rules):
    centre = shelter({"licence_status": LicenceStatus.NOT_APPLIED})
    assert "licence_missing" not in codes(centre, EFFECTIVE - datetime.timedelta(days=1))
    assert codes(centre, EFFECTIVE)["licence_missing"] == HIGH
    assert centre.pk in in_database("licence_missing", EFFECTIVE)
    assert centre.pk not in in_database("licence_missing", EFFECTIVE - datetime.timedelta(days=1))


@pytest.mark.parametrize("status", ["refused", "suspended", "revoked", "expired"])
def test_a_lost_licence_is_a_high_risk(kz_rules, status):
    assert codes(shelter({"licence_status": status}))["licence_lost"] == HIGH


def test_a_licence_past_its_expiry_date_is_lost_and_one_expiring_within_the_window_warns(kz_rules):
    expired = shelter({"licence_expires_on": days(-1)})
    last_day = shelter({"licence_expires_on": days(90)})
    first_day = shelter({"licence_expires_on": days(0)})
    beyond = shelter({"licence_expires_on": days(91)})
    assert codes(expired) == {"licence_lost": HIGH}
    assert codes(first_day) == {"licence_expiring": MEDIUM}
    assert codes(last_day) == {"licence_expiring": MEDIUM}
    assert codes(beyond) == {}


def test_a_pending_licence_is_a_medium_risk(kz_rules):
    assert codes(shelter({"licence_status": LicenceStatus.APPLIED})) == {"licence_pending": MEDIUM}


def test_premises_at_the_minimum_pass_and_one_below_is_flagged(kz_rules):
    assert "premises_too_small" not in codes(shelter({"premises_area_m2": Decimal("60")}, beds=1))
    small = shelter({"premises_area_m2": Decimal("59.9")}, beds=1)
    assert codes(small)["premises_too_small"] == HIGH
    reason = next(f.reason for f in findings(small, all_rules(), TODAY) if f.code == "premises_too_small")
    assert "59,9" in reason and "60" in reason  # in the Russian page's format


@pytest.mark.parametrize(
    ("language", "area", "date"),
    [("ru", "59,9 м²", "1 января 2025 г."), ("kk", "59,9 м²", "01.01.2025"), ("en", "59.9 m²", "Jan. 1, 2025")],
)
def test_reasons_write_numbers_and_dates_as_the_pages_language_does(kz_rules, language, area, date):
    small = shelter({"premises_area_m2": Decimal("59.9"), "licence_status": LicenceStatus.NOT_APPLIED}, beds=1)
    small = Centre.objects.select_related("compliance").get(pk=small.pk)
    with translation.override(language):
        reasons = " ".join(finding.reason for finding in findings(small, all_rules(), TODAY))
    assert area in reasons and date in reasons, reasons


def test_area_per_bed_at_the_minimum_passes_one_below_is_flagged_and_zero_beds_never(kz_rules):
    assert "area_per_bed_too_small" not in codes(shelter({"premises_area_m2": Decimal("60")}, beds=10))
    assert codes(shelter({"premises_area_m2": Decimal("65")}, beds=11))["area_per_bed_too_small"] == HIGH
    assert "area_per_bed_too_small" not in codes(shelter({"premises_area_m2": Decimal("65")}, beds=0))


def test_thresholds_not_set_raise_no_premises_flag_and_no_premises_gap():
    centre = shelter({"premises_area_m2": Decimal("5")}, beds=10)
    no_area = shelter({"premises_area_m2": None})
    assert codes(centre) == {}
    assert codes(no_area) == {}


def test_a_shelter_without_an_area_is_a_data_gap_not_a_risk(kz_rules):
    assert codes(shelter({"premises_area_m2": None})) == {"premises_unknown": None}


def test_a_hotline_only_centre_with_no_area_has_no_premises_flag_or_gap(kz_rules):
    centre = shelter({"premises_area_m2": None}, services=["hotline"], beds=None)
    assert codes(centre) == {}


def test_lease_and_funding_ends_within_their_windows_warn_and_once_ended_are_high(kz_rules):
    leased = {"premises_tenure": Tenure.LEASED}
    assert codes(shelter({**leased, "lease_ends_on": days(180)})) == {"lease_ending": MEDIUM}
    assert codes(shelter({**leased, "lease_ends_on": days(181)})) == {}
    assert codes(shelter({**leased, "lease_ends_on": days(-1)})) == {"lease_ending": HIGH}
    assert codes(shelter({"premises_tenure": Tenure.OWNED, "lease_ends_on": days(10)})) == {}
    funded = {"funding_kind": FundingKind.STATE_CONTRACT}
    assert codes(shelter({**funded, "funding_ends_on": days(0)})) == {"funding_ending": MEDIUM}
    assert codes(shelter({**funded, "funding_ends_on": days(90)})) == {"funding_ending": MEDIUM}
    assert codes(shelter({**funded, "funding_ends_on": days(91)})) == {}
    assert codes(shelter({**funded, "funding_ends_on": days(-1)})) == {"funding_ending": HIGH}


def test_unknown_licence_status_and_missing_compliance_are_gaps(kz_rules):
    assert codes(shelter({"licence_status": LicenceStatus.UNKNOWN})) == {"licence_unknown": None}
    bare = shelter()
    Compliance.objects.filter(centre=bare).delete()
    assert codes(bare) == {"licence_unknown": None, "premises_unknown": None}
    assert bare.pk in in_database("licence_unknown")


def test_verification_older_than_allowed_is_a_gap_in_every_country(kz_rules):
    assert codes(shelter(last_verified_on=days(-365))) == {}
    assert codes(shelter(last_verified_on=days(-366))) == {"not_verified": None}
    assert codes(shelter(last_verified_on=None)) == {"not_verified": None}


def test_a_kyrgyz_centre_only_ever_has_the_verification_gap(kz_rules):
    centre = shelter(
        {"licence_status": LicenceStatus.REVOKED, "premises_area_m2": Decimal("5")}, country="KG", last_verified_on=None
    )
    assert codes(centre) == {"not_verified": None}


def test_closed_and_archived_centres_are_never_flagged(kz_rules):
    closed = shelter({"licence_status": "revoked"}, status="closed", closure_reason="Lost its licence")
    archived = shelter({"licence_status": "revoked"}, archived=True)
    assert codes(closed) == {} and codes(archived) == {}
    assert not {closed.pk, archived.pk} & in_database("licence_lost")


def test_risk_is_the_most_severe_flag_and_gaps_do_not_count(kz_rules):
    both = shelter({"licence_status": LicenceStatus.APPLIED, "premises_area_m2": Decimal("10")})
    pending = shelter({"licence_status": LicenceStatus.APPLIED})
    gap_only = shelter(last_verified_on=None)
    centres = {both.pk: HIGH, pending.pk: MEDIUM, gap_only.pk: "none"}
    for pk, expected in centres.items():
        centre = Centre.objects.select_related("compliance").get(pk=pk)
        assert risk_of(findings(centre, all_rules(), TODAY)) == expected
    ranked = dict(at_risk(Centre.objects.all(), all_rules(), TODAY).values_list("pk", "risk_rank"))
    assert ranked == {both.pk: 2, pending.pk: 1}


def test_a_threshold_changed_by_an_editor_shows_at_once(kz_rules, django_capture_on_commit_callbacks):
    centre = shelter({"premises_area_m2": Decimal("70")})
    assert "premises_too_small" not in codes(centre)
    with django_capture_on_commit_callbacks(execute=True):
        kz_rules.min_premises_area_m2 = Decimal("80")
        kz_rules.save()
    assert "premises_too_small" in codes(centre)


# -- the database filter and the explanation agree --------------------------------------------------------------

maybe_date = st.one_of(st.none(), st.dates(datetime.date(2024, 6, 1), datetime.date(2027, 6, 1)))
maybe_area = st.one_of(st.none(), st.decimals(Decimal("0"), Decimal("200"), places=1))


@st.composite
def generated(draw):
    return {
        "country": draw(st.sampled_from(["KZ", "KZ", "KZ", "KG"])),
        "services": draw(st.sampled_from([["shelter"], ["hotline"], ["shelter", "legal"]])),
        "beds": draw(st.one_of(st.none(), st.integers(0, 40))),
        "status": draw(st.sampled_from(["active", "temporarily_closed", "closed"])),
        "archived": draw(st.booleans()),
        "last_verified_on": draw(maybe_date),
        "compliance": draw(
            st.one_of(
                st.none(),
                st.fixed_dictionaries(
                    {
                        "licence_status": st.sampled_from(LicenceStatus.values),
                        "licence_expires_on": maybe_date,
                        "licence_applied_on": maybe_date,
                        "premises_area_m2": maybe_area,
                        "premises_tenure": st.sampled_from(Tenure.values),
                        "lease_ends_on": maybe_date,
                        "funding_kind": st.sampled_from(FundingKind.values),
                        "funding_ends_on": maybe_date,
                    }
                ),
            )
        ),
        "rules": {
            "licensing_effective_from": draw(maybe_date),
            "min_premises_area_m2": draw(maybe_area),
            "min_area_per_bed_m2": draw(st.one_of(st.none(), st.decimals(Decimal("1"), Decimal("12"), places=1))),
            "licence_warning_days": draw(st.integers(0, 200)),
            "lease_warning_days": draw(st.integers(0, 400)),
            "funding_warning_days": draw(st.integers(0, 200)),
            "verification_max_age_days": draw(st.integers(0, 800)),
        },
        "today": draw(st.dates(datetime.date(2024, 6, 1), datetime.date(2027, 6, 1))),
    }


# How many examples: the Hypothesis profile of tests/conftest.py (`make test` or `make test-deep`).
def centre_of(case: dict) -> tuple[Centre, dict[str, CountryRules]]:
    """The generated centre (with its licensing record, if any) saved, under the generated rules for Kazakhstan;
    and the rules of every country. Call it inside a transaction that is rolled back."""
    CountryRules.objects.filter(country="KZ").update(**case["rules"])
    saved = {rules.country: rules for rules in CountryRules.objects.all()}
    rules = {country: saved.get(country) or CountryRules(country=country) for country in ["KZ", "KG", "UZ", "TJ"]}
    closure = {"closure_reason": "closed"} if case["status"] == "closed" else {}
    centre = Centre.objects.create(
        name="Generated",
        country=case["country"],
        services=case["services"],
        beds=case["beds"],
        status=case["status"],
        archived=case["archived"],
        last_verified_on=case["last_verified_on"],
        **closure,
    )
    if case["compliance"] is not None:
        Compliance.objects.create(centre=centre, **case["compliance"])
    return centre, rules


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=generated())
def test_database_filter_and_single_centre_explanation_agree(case):
    with transaction.atomic():
        centre, rules = centre_of(case)
        loaded = Centre.objects.select_related("compliance").get(pk=centre.pk)
        explained = {finding.code: finding.severity for finding in findings(loaded, rules, case["today"])}
        for rule in RULES:
            in_db = Centre.objects.filter(pk=centre.pk).filter(rule_q(rule, rules, case["today"])).exists()
            assert in_db == (rule.code in explained), rule.code
            for severity in (HIGH, MEDIUM):
                if rule in FLAGS:
                    by_severity = Centre.objects.filter(rule_q(rule, rules, case["today"], severity), pk=centre.pk)
                    assert by_severity.exists() == (explained.get(rule.code) == severity), (rule.code, severity)
        ranked = at_risk(Centre.objects.filter(pk=centre.pk), rules, case["today"]).values_list("risk_rank", flat=True)
        expected_rank = {"high": 2, "medium": 1, "none": None}[risk_of(findings(loaded, rules, case["today"]))]
        assert (ranked.first() if ranked else None) == expected_rank
        transaction.set_rollback(True)


def test_the_admin_centre_page_shows_the_same_flags_and_gaps(kz_rules, editor_client):
    from django.urls import reverse

    centre = shelter({"premises_area_m2": Decimal("42")}, last_verified_on=None)
    page = editor_client.get(reverse("admin:centres_centre_change", args=[centre.pk])).content.decode()
    assert "High risk" in page
    assert "Premises 42 m² is below the minimum of 60 m²." in page
    assert "Data gap: Never verified" in page


def test_a_reason_quoting_a_demo_minimum_says_it_is_not_the_law(kz_rules):
    small = Centre.objects.select_related("compliance").get(pk=shelter({"premises_area_m2": Decimal("50")}, beds=10).pk)
    with translation.override("en"):
        law = [finding.reason for finding in findings(small, all_rules(), TODAY) if "m²" in finding.reason]
        kz_rules.thresholds_are_demo = True  # as the demo data sets them
        demo_rules = {**all_rules(), "KZ": kz_rules}
        demo = [finding.reason for finding in findings(small, demo_rules, TODAY) if "m²" in finding.reason]
    assert len(law) == len(demo) == 2  # the premises and the area per bed
    assert not any("demo" in reason for reason in law)
    assert all(reason.endswith("The minimum is a demo value, not the law.") for reason in demo)


def test_a_russian_reason_ending_with_a_date_ends_with_one_full_stop():
    from django.utils import translation

    from centres.eligibility import date_text, one_full_stop

    with translation.override("ru"):
        sentence = translation.gettext("Funding ended on %(date)s.") % {"date": date_text(datetime.date(2026, 11, 17))}
    assert sentence.endswith("2026 г..")  # what the catalogue and the date make together
    assert one_full_stop(sentence).endswith("17 ноября 2026 г.")
    assert one_full_stop("Wait... what.") == "Wait... what."  # an ellipsis is left alone
