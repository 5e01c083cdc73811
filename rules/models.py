"""The rules core's values: what goes in (Situation), what comes out (Assessment).

`Situation` is a frozen pydantic model because it is built from user input and must
refuse bad values with an error naming the field. The outputs are frozen dataclasses:
they are built by trusted code on the hot path, where validation would only cost time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

MAX_MONEY = Decimal("1000000000")  # $1 billion: far above any 401(k) figure; stops absurd input.


def _no_float(value: Any) -> Any:
    """Refuse floats: a float amount has already lost cents (0.1 + 0.2 != 0.3)."""
    if isinstance(value, float):
        raise ValueError("must be a Decimal, an int or a numeric string, not a float")
    return value


Money = Annotated[Decimal, BeforeValidator(_no_float), Field(ge=0, le=MAX_MONEY)]
Rate = Annotated[Decimal, BeforeValidator(_no_float), Field(ge=0, le=1)]
Percent = Annotated[Decimal, BeforeValidator(_no_float), Field(gt=0, le=100)]


class FilingStatus(StrEnum):
    """Federal filing status, as the Roth IRA income limits distinguish them.

    `married_separate` means the person lived with their spouse at some time in the
    year; one who did not is treated as `single` for the Roth IRA (Pub 590-A).
    """

    single = "single"
    married_joint = "married_joint"
    married_separate = "married_separate"
    head_of_household = "head_of_household"


class PlanFeatures(BaseModel):
    """What the 401(k) plan allows. `None` means nobody has said yet (ask HR)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    after_tax_contributions: bool | None = None
    in_plan_roth_conversion: bool | None = None
    in_service_withdrawal: bool | None = None
    automatic_conversion: bool | None = None
    after_tax_cap_percent: Percent | None = None


class Situation(BaseModel):
    """One person's year. Money is Decimal dollars; unknown answers are `None`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tax_year: int
    age: Annotated[int, Field(ge=18, le=120)] | None = None
    compensation: Money | None = None
    elective_deferrals: Money | None = None
    employer_contributions: Money | None = None
    after_tax_contributed: Money | None = None
    plan: PlanFeatures = PlanFeatures()
    after_tax_balance: Money | None = None
    after_tax_basis: Money | None = None
    filing_status: FilingStatus | None = None
    magi: Money | None = None
    pretax_ira_balance: Money | None = None
    prior_year_compensation: Money | None = None
    marginal_tax_rate: Rate | None = None
    remaining_paychecks: Annotated[int, Field(ge=1, le=53)] | None = None
    paychecks_per_year: Annotated[int, Field(ge=1, le=53)] | None = None

    @field_validator("tax_year")
    @classmethod
    def _published_year(cls, year: int) -> int:
        from rules.limits import UnsupportedTaxYear, limits_for

        try:
            limits_for(year)
        except UnsupportedTaxYear as error:
            raise ValueError(str(error)) from None
        return year

    @model_validator(mode="after")
    def _consistent(self) -> Situation:
        if (
            self.remaining_paychecks is not None
            and self.paychecks_per_year is not None
            and self.remaining_paychecks > self.paychecks_per_year
        ):
            raise ValueError("remaining_paychecks cannot exceed paychecks_per_year")
        return self


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
    sources: dict[str, Citation] = field(default_factory=dict)


class ActionCode(StrEnum):
    """What to do next; the dialog turns each into words in the person's language."""

    max_elective_deferrals = "max_elective_deferrals"
    contribute_roth_ira = "contribute_roth_ira"
    backdoor_roth = "backdoor_roth"
    pro_rata_warning = "pro_rata_warning"
    ask_hr_after_tax = "ask_hr_after_tax"
    ask_hr_conversion = "ask_hr_conversion"
    contribute_after_tax = "contribute_after_tax"
    convert_in_plan = "convert_in_plan"
    in_service_rollover_split = "in_service_rollover_split"
    enable_auto_conversion = "enable_auto_conversion"
    wait_until_separation = "wait_until_separation"
    mega_backdoor_unavailable = "mega_backdoor_unavailable"
    no_room_left = "no_room_left"
    excess_contribution = "excess_contribution"
    hce_refund_risk = "hce_refund_risk"
    roth_catch_up_required = "roth_catch_up_required"


@dataclass(frozen=True, slots=True)
class Action:
    """One step of the advice.

    `amount` is the dollar figure the step is about (None when it has none or it is
    unknown). The optional fields carry the other numbers a step's wording needs.
    """

    code: ActionCode
    amount: Decimal | None = None
    sources: tuple[Citation, ...] = ()
    per_paycheck: Decimal | None = None
    fraction: Decimal | None = None
    taxable: Decimal | None = None
    tax: Decimal | None = None
    rule: str | None = None  # the limit an excess is over: "402(g)" or "415(c)"


class MegaBackdoor(StrEnum):
    """Whether the plan lets this person do a mega backdoor Roth now."""

    available = "available"
    unavailable = "unavailable"  # no after-tax contributions
    at_separation = "at_separation"  # after-tax allowed, but no way to Roth while employed
    unknown = "unknown"  # ask HR


@dataclass(frozen=True, slots=True)
class Assessment:
    """The rules core's answer for one Situation. `None` means not computable yet."""

    limits: Limits
    deferral_limit: Decimal | None
    catch_up_limit: Decimal | None
    annual_additions_limit: Decimal | None
    after_tax_room: Decimal | None
    after_tax_per_paycheck: Decimal | None
    roth_ira_contribution_limit: Decimal | None
    backdoor_taxable_fraction: Decimal | None
    backdoor_taxable_amount: Decimal | None
    conversion_taxable_earnings: Decimal | None
    estimated_conversion_tax: Decimal | None
    hce: bool | None
    roth_catch_up_required: bool | None
    mega_backdoor: MegaBackdoor
    excess_deferrals: Decimal | None
    excess_annual_additions: Decimal | None
    actions: list[Action]

    @property
    def codes(self) -> list[ActionCode]:
        """The action codes in order (handy in tests and logs: no amounts)."""
        return [action.code for action in self.actions]
