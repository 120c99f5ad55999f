"""Controlled vocabularies: stable codes stored in the database and in CSV files, with translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Country(models.TextChoices):
    KZ = "KZ", _("Kazakhstan")
    KG = "KG", _("Kyrgyzstan")
    UZ = "UZ", _("Uzbekistan")
    TJ = "TJ", _("Tajikistan")


class OperatorKind(models.TextChoices):
    STATE = "state", _("State")
    CSO = "cso", _("Civil-society organisation")


class AddressVisibility(models.TextChoices):
    HIDDEN = "hidden", _("Hidden (call first)")
    CITY = "city", _("City only")
    PUBLIC = "public", _("Public")


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    TEMPORARILY_CLOSED = "temporarily_closed", _("Temporarily closed")
    CLOSED = "closed", _("Closed")


class DocumentsNeeded(models.TextChoices):
    NONE = "none", _("No documents needed")
    ID = "id", _("Identity document")
    ID_AND_REGISTRATION = "id_and_registration", _("Identity document and residence registration")


class Service(models.TextChoices):
    SHELTER = "shelter", _("Shelter")
    HOTLINE = "hotline", _("Hotline")
    PSYCHOLOGICAL = "psychological", _("Psychological help")
    LEGAL = "legal", _("Legal help")
    MEDICAL = "medical", _("Medical help")
    SOCIAL = "social", _("Social support")
    CHILDREN = "children", _("Help for children")
    TRAINING = "training", _("Training and employment")


class Audience(models.TextChoices):
    WOMEN = "women", _("Women")
    CHILDREN = "children", _("Children")
    MEN = "men", _("Men")
    OLDER = "older", _("Older people")
    DISABILITY = "disability", _("People with disabilities")


class Language(models.TextChoices):
    KK = "kk", _("Kazakh")
    RU = "ru", _("Russian")
    KY = "ky", _("Kyrgyz")
    UZ = "uz", _("Uzbek")
    TG = "tg", _("Tajik")
    KAA = "kaa", _("Karakalpak")
    EN = "en", _("English")


class LicenceStatus(models.TextChoices):
    NOT_REQUIRED = "not_required", _("Not required")
    UNKNOWN = "unknown", _("Unknown")
    NOT_APPLIED = "not_applied", _("Not applied for")
    APPLIED = "applied", _("Applied, awaiting decision")
    LICENSED = "licensed", _("Licensed")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    REFUSED = "refused", _("Refused")
    EXPIRED = "expired", _("Expired")


class Tenure(models.TextChoices):
    OWNED = "owned", _("Owned")
    LEASED = "leased", _("Leased")
    FREE_USE = "free_use", _("Free use")
    UNKNOWN = "unknown", _("Unknown")


class FundingKind(models.TextChoices):
    STATE_CONTRACT = "state_contract", _("State contract")
    GRANT = "grant", _("Grant")
    OWN = "own", _("Own funds")
    NONE = "none", _("No funding")
    UNKNOWN = "unknown", _("Unknown")


class HotlinePurpose(models.TextChoices):
    DOMESTIC_VIOLENCE = "domestic_violence", _("Domestic violence")
    CRISIS_CENTRES = "crisis_centres", _("Crisis centres' helpline")
    WOMEN = "women", _("Help for women")
    CHILDREN = "children", _("Help for children and young people")
    SOCIAL = "social", _("Social protection")
    POLICE = "police", _("Police")
    EMERGENCY = "emergency", _("Emergency services")


class CorrectionTopic(models.TextChoices):
    """What a member of the public says is wrong on a centre's page (`Correction`, the public correction form)."""

    PHONE = "phone", _("phone number")
    ADDRESS = "address", _("address")
    HOURS = "hours", _("opening hours")
    SERVICES = "services", _("services")
    CLOSED_OR_MOVED = "closed_or_moved", _("closed or moved")
    OTHER = "other", _("something else")
