"""What the at-risk page shows of each centre: its risk, its flags and gaps with their sentences, and its area."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page

from centres.eligibility import Finding, findings, risk_of
from centres.models import Centre, CountryRules
from centres.selectors import AtRiskPages


@dataclass
class RiskRow:
    centre: Centre
    risk: str
    flags: list[Finding]
    gaps: list[Finding]
    area: Decimal | None
    area_per_bed: Decimal | None


@dataclass
class AtRiskView:
    risks: Page | None
    gaps: Page | None
    rows: list[RiskRow]
    gap_rows: list[RiskRow]


def at_risk_view(pages: AtRiskPages, rules: dict[str, CountryRules], on: datetime.date) -> AtRiskView:
    def rows(page: Page | None) -> list[RiskRow]:
        return [risk_row(centre, rules, on) for centre in page.object_list] if page else []

    return AtRiskView(risks=pages.risks, gaps=pages.gaps, rows=rows(pages.risks), gap_rows=rows(pages.gaps))


def risk_row(centre: Centre, rules: dict[str, CountryRules], on: datetime.date) -> RiskRow:
    found = findings(centre, rules, on)
    compliance = getattr(centre, "compliance", None)  # None when the centre has no licensing record
    area = compliance.premises_area_m2 if compliance else None
    per_bed = (area / centre.beds).quantize(Decimal("0.1")) if area is not None and centre.beds else None
    return RiskRow(
        centre=centre,
        risk=risk_of(found),
        flags=[finding for finding in found if finding.kind == "flag"],
        gaps=[finding for finding in found if finding.kind == "gap"],
        area=area,
        area_per_bed=per_bed,
    )
