"""megaroth's rules core: the IRS's figures by year, and Situation -> Assessment.

Pure: no I/O beyond reading its own packaged parameter files. Money is Decimal.
"""

from rules.advice import mega_backdoor_status
from rules.assessment import assess
from rules.contributions import (
    after_tax_cap,
    catch_up_limit,
    employer_match,
    nonelective_contribution,
    tiered_match,
)
from rules.figures import Citation, FilingStatus, Limits
from rules.limits import UnsupportedTaxYear, limits_for, supported_years
from rules.models import (
    MAX_MONEY,
    Action,
    ActionCode,
    Assessment,
    MegaBackdoor,
    PlanFeatures,
    Situation,
)
from rules.paychecks import PAYCHECKS_PER_YEAR, Paycheck, PaycheckPlan, paychecks_left

__all__ = [
    "MAX_MONEY",
    "PAYCHECKS_PER_YEAR",
    "Action",
    "ActionCode",
    "Assessment",
    "Citation",
    "FilingStatus",
    "Limits",
    "MegaBackdoor",
    "Paycheck",
    "PaycheckPlan",
    "PlanFeatures",
    "Situation",
    "UnsupportedTaxYear",
    "after_tax_cap",
    "assess",
    "catch_up_limit",
    "employer_match",
    "limits_for",
    "mega_backdoor_status",
    "nonelective_contribution",
    "paychecks_left",
    "supported_years",
    "tiered_match",
]
