"""megaroth's rules core: the IRS's figures by year, and Situation -> Assessment.

Pure: no I/O beyond reading its own packaged parameter files. Money is Decimal.
"""

from rules.assessment import assess
from rules.contributions import employer_match, nonelective_contribution, tiered_match
from rules.limits import UnsupportedTaxYear, limits_for, supported_years
from rules.models import (
    Action,
    ActionCode,
    Assessment,
    Citation,
    FilingStatus,
    Limits,
    MegaBackdoor,
    PlanFeatures,
    Situation,
)

__all__ = [
    "Action",
    "ActionCode",
    "Assessment",
    "Citation",
    "FilingStatus",
    "Limits",
    "MegaBackdoor",
    "PlanFeatures",
    "Situation",
    "UnsupportedTaxYear",
    "assess",
    "employer_match",
    "limits_for",
    "nonelective_contribution",
    "supported_years",
    "tiered_match",
]
