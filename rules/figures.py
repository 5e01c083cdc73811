"""The year's IRS figures as values: a citation, a filing status, the Limits of a year.

Kept apart from `rules.models` so that loading the figures (`rules.limits`) needs nothing
that validates a Situation against them: no import circle.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class FilingStatus(StrEnum):
    """Federal filing status, as the Roth IRA income limits distinguish them.

    `married_separate` means the person lived with their spouse at some time in the
    year; one who did not is treated as `single` for the Roth IRA (Pub 590-A).
    """

    single = "single"
    married_joint = "married_joint"
    married_separate = "married_separate"
    head_of_household = "head_of_household"


@dataclass(frozen=True, slots=True)
class Citation:
    """A source: a notice, news release, statute section or publication."""

    title: str
    href: str


@dataclass(frozen=True, slots=True)
class Limits:
    """The IRS figures for one tax year (Decimal dollars), each with its citation."""

    year: int
    elective_deferral: Decimal
    catch_up_50: Decimal
    catch_up_60_63: Decimal | None
    annual_additions: Decimal
    compensation: Decimal
    hce_compensation: Decimal
    ira: Decimal
    ira_catch_up: Decimal
    roth_ira_phaseout: dict[FilingStatus, tuple[Decimal, Decimal]]
    roth_catch_up_wage_threshold: Decimal | None
    catch_up_age: int
    catch_up_60_63_ages: tuple[int, int] | None
    ira_contribution_deadline: dt.date  # for this year's IRA contributions: 219(f)(3)
    excess_deferral_deadline: dt.date  # to refund this year's excess deferrals: 402(g)(2)
    sources: dict[str, Citation] = field(default_factory=dict)
