"""The stored risks (judging.py): the same as the live judgement whenever they are read, and never read stale."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from centres import judging
from centres.advocacy.filters import AtRiskFilter
from centres.eligibility import SEVERITY_RANK, findings, risk_of
from centres.models import Centre, Compliance, CountryRules, RiskJudgement, today
from tests.conftest import make_centre, make_user, sign_in
from tests.test_advocacy import AT_RISK, many_centres

pytestmark = pytest.mark.django_db
RANK = {**SEVERITY_RANK, "none": 0}


def stored_and_live() -> tuple[dict, dict]:
    rules, on = CountryRules.for_countries(), today()
    stored = dict(Centre.objects.values_list("pk", "judged_risk"))
    live = {pk: 0 for pk in stored}
    for centre in Centre.objects.judged():
        live[centre.pk] = RANK[risk_of(findings(centre, rules, on))]
    return stored, live


@pytest.fixture
def thresholds_judged(thresholds):
    many_centres(30)
    judging.judge()
    return thresholds


def test_every_centre_is_judged_as_the_live_judgement_judges_it(thresholds_judged):
    stored, live = stored_and_live()
    assert stored == live
    assert {0, 1, 2} <= set(stored.values())  # every tier is there to compare


def test_an_edit_is_judged_again_at_once(thresholds_judged):
    centre = Centre.objects.filter(judged_risk=0, country="KZ", status="active", archived=False).first()
    record = centre.compliance
    record.licence_status = "revoked"  # a lost licence: high
    record.save()
    assert Centre.objects.get(pk=centre.pk).judged_risk == 2
    centre.refresh_from_db()
    centre.status = "closed"
    centre.closure_reason = "Closed by the operator"
    centre.save()
    assert Centre.objects.get(pk=centre.pk).judged_risk == 0
    other = Centre.objects.filter(judged_risk=2).exclude(pk=centre.pk).first()
    other.compliance.delete()
    stored, live = stored_and_live()
    assert stored == live


def test_new_rules_are_never_read_from_the_old_judgement(thresholds_judged):
    assert judging.stored_for(today())
    thresholds_judged.min_premises_area_m2 = None
    thresholds_judged.save()
    assert not judging.stored_for(today())
    judging.judge()
    assert judging.stored_for(today())
    stored, live = stored_and_live()
    assert stored == live


def test_tomorrow_the_list_judges_live_until_judged_again(thresholds_judged):
    tomorrow = datetime.datetime.combine(today() + datetime.timedelta(days=1), datetime.time(0, 30))
    with time_machine.travel(tomorrow.astimezone(), tick=False):
        assert not judging.stored_for(today())
        out = io.StringIO()
        call_command("judge_centres", stdout=out)
        assert judging.stored_for(today()) and today().isoformat() in out.getvalue()
        assert RiskJudgement.objects.count() == 1


@pytest.mark.parametrize("query", ["", "severity=high", "severity=medium&service=shelter", "flag=licence_lost"])
def test_the_list_is_the_same_from_the_stored_risks_as_judged_live(client, thresholds_judged, query):
    sign_in(client, make_user("someone", "advocate"))

    def listed() -> list[tuple[str, str]]:
        response = client.get(AT_RISK + "?" + query)
        assert response.status_code == 200
        return [(row.centre.name, row.risk) for row in response.context["result"].rows]

    stored = listed()
    RiskJudgement.objects.all().delete()  # as after a change of rules: judged live
    assert listed() == stored and stored


def test_the_filter_reads_the_stored_risk_only_while_it_is_todays(thresholds_judged):
    def reads_stored() -> bool:
        filters = AtRiskFilter(QueryDict(""), rules=CountryRules.for_countries(), on=today())
        assert filters.is_valid()
        risks = filters.risks()
        sql = str(risks.query)
        return "judged_risk" in sql and "CASE" not in sql

    assert reads_stored()
    RiskJudgement.objects.all().delete()
    assert not reads_stored()


def test_an_import_is_judged_together_at_its_end(thresholds_judged):
    centres = list(Centre.objects.filter(judged_risk=0, country="KZ", archived=False).exclude(status="closed")[:3])
    with CaptureQueriesContext(connection) as inside, judging.deferred():
        for centre in centres:
            Compliance.objects.filter(centre=centre).update(licence_status="revoked")
            centre.save()
        judged_inside = [q["sql"] for q in inside.captured_queries if 'SET "judged_risk"' in q["sql"]]
        assert {c.judged_risk for c in Centre.objects.filter(pk__in=[c.pk for c in centres])} == {0}
    assert judged_inside == []
    assert {c.judged_risk for c in Centre.objects.filter(pk__in=[c.pk for c in centres])} == {2}


def test_a_centre_made_after_the_judgement_is_judged(thresholds_judged):
    centre = make_centre(name="Новый центр", compliance={"licence_status": "revoked"})
    assert Centre.objects.get(pk=centre.pk).judged_risk == 2


def test_judging_one_centre_reads_that_centre_alone(thresholds_judged):
    # Every subquery is narrowed to it too (judging one centre of 100,000 read them all: 0.3 s a save).
    centre = Centre.objects.filter(country="KZ").first()
    with CaptureQueriesContext(connection) as captured:
        judging.judge([centre.pk])
    updates = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    key = centre.pk.hex  # as both databases write it in the captured SQL
    assert len(updates) == 3
    assert all(sql.count(key) >= 2 for sql in updates), updates
