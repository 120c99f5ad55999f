"""What the country pages say: the law in a few lines and the figures from the article, each with its source.

Editorial text, kept in code so that it is translated like every other string. Sources are shown as text, not as
links: public pages never point the browser at another site.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from centres.vocabularies import Country

ARTICLE = _("Azattyq (Radio Free Europe/Radio Liberty), 26 November 2024, rus.azattyq.org/a/33215985.html")
UN_DATA = _("UN data for 2023, as reported by Azattyq, 26 November 2024")
SOCIAL_CODE = _("Social Code of the Republic of Kazakhstan No. 224-VII of 20 April 2023 (adilet.zan.kz)")


# Where a page lists the countries (hotlines, country links), the country of its language comes first; Russian
# pages are read most in Kazakhstan.
LANGUAGE_COUNTRY = {"kk": "KZ", "ru": "KZ", "ky": "KG", "uz": "UZ", "tg": "TJ"}


def in_page_order(codes: Iterable[str]) -> list[str]:
    """Country codes with the page language's country first, the others in their given order."""
    first = LANGUAGE_COUNTRY.get((get_language() or "")[:2])
    return sorted(codes, key=lambda code: code != first)


@dataclass(frozen=True)
class Figure:
    text: Promise
    source: Promise


@dataclass(frozen=True)
class CountryFacts:
    code: str
    law: tuple[Promise, ...]
    figures: tuple[Figure, ...]

    @property
    def slug(self) -> str:
        return self.code.lower()

    @property
    def name(self) -> str:
        return str(Country(self.code).label)


FACTS = {
    "KZ": CountryFacts(
        code="KZ",
        law=(
            _(
                "A law strengthening the protection of women and children from violence was adopted in April 2024; "
                "domestic violence can be reported to the police (102) or the 111 contact centre."
            ),
            _(
                "The Social Code requires every organisation providing special social services, crisis centres "
                "included, to hold a licence from 1 January 2025."
            ),
        ),
        figures=(
            Figure(_("Over 99,000 reports of domestic violence were recorded in 2023."), ARTICLE),
            Figure(_("48 crisis centres, 31 of them run by civil-society organisations (2024)."), ARTICLE),
            Figure(
                _("4.5 billion tenge was earmarked against domestic violence, 705 million of it for crisis centres."),
                ARTICLE,
            ),
            Figure(_("Licensing of special social services compulsory from 1 January 2025."), SOCIAL_CODE),
        ),
    ),
    "KG": CountryFacts(
        code="KG",
        law=(_("Kyrgyzstan was the first Central Asian country to make domestic violence a crime, in 2017."),),
        figures=(
            Figure(
                _("13,104 cases of domestic violence were recorded in 2023; 95 in every 100 victims were women."),
                ARTICLE,
            ),
        ),
    ),
    "UZ": CountryFacts(
        code="UZ",
        law=(_("Uzbekistan made domestic violence a crime in April 2023."),),
        figures=(
            Figure(_("9,131 people were prosecuted for violence-related offences in 2023."), ARTICLE),
            Figure(_("4,477 people were convicted in the first three months of 2024."), ARTICLE),
        ),
    ),
    "TJ": CountryFacts(
        code="TJ",
        law=(
            _(
                "Tajikistan has a law on the prevention of violence in the family (2013); human-rights groups report "
                "that protection is being strengthened."
            ),
        ),
        figures=(Figure(_("One woman in three suffered abuse by a partner in 2023."), UN_DATA),),
    ),
}


def get_or_404(code: str) -> CountryFacts:
    try:
        return FACTS[code.upper()]
    except KeyError:
        raise Http404 from None
