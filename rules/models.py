"""The rules core's values: what goes in (Situation), what comes out (Assessment).

`Situation` is a frozen pydantic model because it is built from user input and must
refuse bad values with an error naming the field. The outputs are frozen dataclasses:
they are built by trusted code on the hot path, where validation would only cost time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from rules.figures import Citation, FilingStatus, Limits
from rules.limits import UnsupportedTaxYear, limits_for
from rules.paychecks import PaycheckPlan

MAX_MONEY = Decimal("1000000000")  # $1 billion: far above any 401(k) figure; stops absurd input.


def _no_float(value: Any) -> Any:
    """Refuse floats: a float amount has already lost cents (0.1 + 0.2 != 0.3)."""
    if isinstance(value, float):
        raise ValueError("must be a Decimal, an int or a numeric string, not a float")
    return value


Money = Annotated[Decimal, BeforeValidator(_no_float), Field(ge=0, le=MAX_MONEY)]
Rate = Annotated[Decimal, BeforeValidator(_no_float), Field(ge=0, le=1)]
Percent = Annotated[Decimal, BeforeValidator(_no_float), Field(gt=0, le=100)]
MatchRate = Annotated[Decimal, BeforeValidator(_no_float), Field(gt=0, le=1000)]
MatchTier = tuple[MatchRate, Percent]


class PlanFeatures(BaseModel):
    """What the 401(k) plan allows. `None` means nobody has said yet (ask HR)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    after_tax_contributions: bool | None = None
    in_plan_roth_conversion: bool | None = None
    in_service_withdrawal: bool | None = None
    automatic_conversion: bool | None = None
    after_tax_cap_percent: Percent | None = None


class Situation(BaseModel):
    """One person's year. Money is Decimal dollars; unknown answers are `None`.

    The fields of DESIGN.md's contract, and these:

    - `match_tiers`: the match formula as `(rate %, width % of pay)` tiers, as
      `tiered_match` takes them. Given, the core prices the match itself on deferrals
      as a percent of plan pay (capped at 401(a)(17)): at `elective_deferrals` for the
      match already due, at the deferrals its advice leads to for the room; and
      `employer_contributions` is only the money that does not depend on deferrals
      (nonelective, profit sharing). `None`: there is no formula, and
      `employer_contributions` is all employer money.
    - `roth_deferrals`: the Roth part of `elective_deferrals` (0 = all pre-tax).
    - `spouse_compensation`: for a joint return, the spouse's includible compensation less
      the spouse's own IRA contributions for the year (219(c)(1)(B)(ii)).
    - `ira_basis`: nondeductible basis from earlier years (Form 8606 line 2), held in
      traditional IRAs in addition to `pretax_ira_balance`.
    - `other_employer_deferrals`: deferrals at other (unrelated) employers this year;
      402(g) and its catch-up are per person, 415(c) per employer.
    - `as_of`: the day the plan is made (`None`: no date, the year is open).
    - `roth_ira_contributed`, `traditional_ira_contributed`: IRA contributions already
      made for this tax year. `None` means not asked: the IRA steps then state the
      year's whole allowance. Given, they state what is left; traditional ones are
      taken as nondeductible and already converted (a backdoor under way), so they
      share this year's Form 8606 ratio.

    The paychecks (issue 14; `rules.paychecks`). With `paychecks_per_year`,
    `remaining_paychecks` and `compensation` known and the year open, the core plans the
    elections for the paychecks left (`Assessment.paycheck_plan`):

    - `remaining_paychecks`: the paychecks of the year still to come, counting the next
      one (`rules.paychecks_left` estimates it from the pay frequency and the date); 0
      means the year's last paycheck has been paid: nothing more can go in through
      payroll. `paychecks_per_year`: 52, 26, 24, 12, or 27 / 53 in a year with an extra
      biweekly / weekly paycheck.
    - `deferrals_so_far`: elective deferrals made here so far this year (the latest pay
      stub); part of `elective_deferrals`, which stays the year's planned total. Unknown
      while paychecks have already been paid, the deferral elections are None; before
      the first paycheck it is 0.
    - `election_step_percent`: the plan's election step in percent of pay (1 = whole
      percents, 0.5, 0.1); None: whole percents.
    - `match_true_up`: the employer trues the match up at year end (the match is then
      the formula on the year's deferrals). None: priced as if it does, the larger match
      (the side that never breaks 415(c)). False: each paycheck's match counts, so
      reaching 402(g) early loses match (`PaycheckPlan.match_lost`), and the room may
      be priced on the match the paychecks credit.
    - `match_so_far`: the match credited so far this year (the pay stub); used only with
      no true-up. Not known, the past paychecks are priced at the most they could have
      earned for the room, and at 0 for an excess to be certain.
    - `compensation_limit_prorated`: above the 401(a)(17) pay limit, whether a paycheck's
      match counts at most limit / paychecks a year of its pay (True) or each paycheck's
      pay in full until the year's pay counted reaches the limit, then none (False).
      Matters only with no true-up and pay above the limit; None: the larger match.
      This is the one input needed: a true-up's annual formula counts pay up to the
      limit whatever the paychecks did.
    - `floor_of`: plan `tax_year`, whose IRS figures are not loaded (2027 in November
      2026), on the figures of `floor_of`, an earlier loaded year, as a floor
      (`rules.floor`; `Assessment.on_floor`). With `tax_year`'s own figures loaded they
      are used and `floor_of` is moot.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Before tax_year so that tax_year's check can see it (a field sees those before it).
    floor_of: int | None = None
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
    remaining_paychecks: Annotated[int, Field(ge=0, le=53)] | None = None
    paychecks_per_year: Annotated[int, Field(ge=1, le=53)] | None = None
    # Contract additions (DESIGN.md, December 2026).
    match_tiers: tuple[MatchTier, ...] | None = None
    roth_deferrals: Money | None = None
    spouse_compensation: Money | None = None
    ira_basis: Money | None = None
    other_employer_deferrals: Money | None = None
    as_of: dt.date | None = None
    # So that following an IRA step can be recorded (the property tests do).
    roth_ira_contributed: Money | None = None
    traditional_ira_contributed: Money | None = None
    # Issue 14: the paychecks that are left.
    deferrals_so_far: Money | None = None
    election_step_percent: Percent | None = None
    match_true_up: bool | None = None
    match_so_far: Money | None = None
    compensation_limit_prorated: bool | None = None

    @field_validator("floor_of")
    @classmethod
    def _floor_is_published(cls, year: int | None) -> int | None:
        if year is not None:
            try:
                limits_for(year)
            except UnsupportedTaxYear as error:
                raise ValueError(f"a floor needs published figures: {error}") from None
        return year

    @field_validator("tax_year")
    @classmethod
    def _published_year(cls, year: int, info: ValidationInfo) -> int:
        floor = info.data.get("floor_of")
        if floor is not None and isinstance(year, int) and not isinstance(year, bool):
            return year  # planned on the floor's figures; _consistent checks the order
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
        if (
            self.roth_deferrals is not None
            and self.elective_deferrals is not None
            and self.roth_deferrals > self.elective_deferrals
        ):
            raise ValueError("roth_deferrals cannot exceed elective_deferrals")
        if (
            self.deferrals_so_far is not None
            and self.elective_deferrals is not None
            and self.deferrals_so_far > self.elective_deferrals
        ):
            raise ValueError("deferrals_so_far cannot exceed elective_deferrals")
        if self.floor_of is not None and self.floor_of >= self.tax_year:
            raise ValueError("floor_of must be a year before tax_year")
        return self

    @field_validator("match_tiers")
    @classmethod
    def _tiers_fit_in_pay(
        cls, tiers: tuple[tuple[Decimal, Decimal], ...] | None
    ) -> tuple[tuple[Decimal, Decimal], ...] | None:
        if tiers is not None and sum((width for _, width in tiers), Decimal(0)) > 100:
            raise ValueError("the match tiers can't cover more than all of pay")
        return tiers


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
    year_closed = "year_closed"


@dataclass(frozen=True, slots=True)
class Action:
    """One step of the advice.

    `amount` is the dollar figure the step is about: None when it has none, or when an
    unknown answer could change it; then `at_least`, when set (always > 0), is what
    every possible answer allows or owes. The other fields carry the numbers a step's
    wording needs; `deadline` is the last day the step can be done for the tax year
    (IRA contributions: 219(f)(3); a 402(g) refund: 402(g)(2)(A)(ii)).

    Steps whose meaning needs care:

    - `max_elective_deferrals`: raise this year's deferrals here by `amount` (402(g) per
      person across employers, pay left, and 415(c) with the match at the raised
      deferrals). The IRA figures assume the raise is pre-tax. With the paychecks
      known, no more than the paychecks left can carry; `per_paycheck` is the raise
      spread evenly (whole dollars, rounded down); the paycheck plan gives the percent.
    - `contribute_after_tax`: `amount` is the after-tax room (with the paychecks known,
      what they can reach); `per_paycheck` the dollars of the plan's after-tax percent
      when there is a paycheck plan, else the room spread evenly (whole dollars down).
    - `ask_hr_after_tax` (the plan may not take after-tax money) and `ask_hr_conversion`
      (after-tax money is allowed, the way to Roth is unknown): `amount` is what is at
      stake, the after-tax room this year if HR says yes (`at_least` when an unknown
      could raise it). None for `ask_hr_conversion` when after-tax money itself is not
      known to be allowed, or once the year has ended (only the balance is at stake).
    - `convert_in_plan` / `in_service_rollover_split` come in up to two steps, in this
      order: with an `amount`, move the after-tax balance already in the plan now
      (`taxable` its earnings, `tax` at the rate given); with no `amount`, convert (or
      roll out) each new after-tax contribution right away. The second is there while
      new contributions are possible (the year is open and room is left, or there is
      no balance to move); in an ended year a step with no `amount` means whatever
      after-tax money is still in the plan, the balance being unknown.
    - `pro_rata_warning` comes before `backdoor_roth`: roll the pre-tax IRA (`amount`)
      into the 401(k) first, if the plan takes roll-ins; `taxable` and `tax` are what the
      backdoor would cost without that.
    - `year_closed`: the tax year has ended (`as_of` in a later year): payroll for it is
      closed, so no step contributes or raises deferrals; `deadline` is the last day for
      that year's IRA contributions, whose steps follow only while it has not passed.
    - `excess_contribution`: emitted only when an excess is certain; `rule` says which
      limit ("402(g)" or "415(c)"). Never on a floor (next year's limit may be higher).

    Planned on a floor (`Assessment.on_floor`) no step carries a `deadline`: the dates
    loaded are the floor year's.
    """

    code: ActionCode
    amount: Decimal | None = None
    sources: tuple[Citation, ...] = ()
    per_paycheck: Decimal | None = None
    fraction: Decimal | None = None
    taxable: Decimal | None = None
    tax: Decimal | None = None
    rule: str | None = None  # the limit an excess is over: "402(g)" or "415(c)"
    at_least: Decimal | None = None
    deadline: dt.date | None = None


class MegaBackdoor(StrEnum):
    """Whether the plan lets this person do a mega backdoor Roth now."""

    available = "available"
    unavailable = "unavailable"  # no after-tax contributions
    at_separation = "at_separation"  # after-tax allowed, but no way to Roth while employed
    unknown = "unknown"  # ask HR


@dataclass(frozen=True, slots=True)
class Assessment:
    """The rules core's answer for one Situation. `None` means not computable yet.

    A figure is `None` whenever an unknown answer could change it, and known when the
    known answers fix it whatever the unknowns are. Beyond DESIGN.md's fields:
    `deferral_headroom` (the raise the advice asks for), `employer_match` (the match at
    the current deferrals) and `employer_match_advised` (at the advised deferrals), both
    None without `match_tiers`; `ira_maximum` (219(b)(1)/(c): the year's IRA limit for
    this person with the advice followed); `year_closed` (the tax year has ended);
    `hce_threshold`, `counted_deferrals` and `catch_up_used`, which a reader needs to
    word the HCE warning and draw the 415(c) bucket.

    Issue 14: `paycheck_plan` (`rules.PaycheckPlan`): the elections for the paychecks
    left, None when the year has ended, its last paycheck is paid, or the paychecks or
    pay are not known. With it, `after_tax_room` is the after-tax money those paychecks
    can reach (`PaycheckPlan.after_tax_reachable`) and `after_tax_per_paycheck` the
    dollars of its after-tax percent. `on_floor`: planned on `Situation.floor_of`'s
    figures (`limits` is that year's), never called next year's limits.
    """

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
    deferral_headroom: Decimal | None = None
    employer_match: Decimal | None = None
    employer_match_advised: Decimal | None = None
    ira_maximum: Decimal | None = None
    year_closed: bool = False
    hce_threshold: Decimal | None = None  # 414(q): last year's pay above it makes an HCE
    counted_deferrals: Decimal | None = None  # deferrals here counted in 415(c) (no catch-up)
    catch_up_used: Decimal | None = None  # deferrals above 402(g) that are catch-ups
    paycheck_plan: PaycheckPlan | None = None
    on_floor: bool = False

    @property
    def codes(self) -> list[ActionCode]:
        """The action codes in order (handy in tests and logs: no amounts)."""
        return [action.code for action in self.actions]
