"""`assess`: one Situation in, one Assessment out. Pure and deterministic."""

from __future__ import annotations

from decimal import Decimal

from rules import contributions as c
from rules.advice import Figures, build_actions
from rules.conversions import backdoor_taxable, conversion_earnings, estimated_tax
from rules.limits import limits_for
from rules.models import Assessment, Situation
from rules.plan_tests import is_hce, roth_catch_up_required
from rules.roth_ira import ira_maximum, roth_ira_limit

ZERO = Decimal(0)


def assess(situation: Situation) -> Assessment:
    """Compute the year's limits, room, Roth IRA, conversion tax, HCE flags and actions.

    Every figure that needs an unknown answer is None; nothing is guessed.
    """
    s = situation
    limits = limits_for(s.tax_year)
    age, pay = s.age, s.compensation

    catch_up = None if age is None else c.catch_up_limit(limits, age)
    deferral_limit = None if catch_up is None else limits.elective_deferral + catch_up
    additions_limit = None if pay is None else c.annual_additions_cap(limits, pay)

    excess_415 = excess_402g = None
    missing = room_after_max = per_check_after_max = None
    deferrals = s.elective_deferrals
    if pay is not None and deferrals is not None:
        employer = s.employer_contributions
        after_tax = s.after_tax_contributed
        others = (employer or ZERO) + (after_tax or ZERO)  # unknown adds nothing: a floor
        excess_415 = c.excess_annual_additions(
            limits, pay, deferrals, employer or ZERO, after_tax or ZERO, catch_up or ZERO
        )
        if deferral_limit is not None and catch_up is not None:
            missing = c.deferral_headroom(limits, pay, deferral_limit, catch_up, deferrals, others)
        if employer is not None and after_tax is not None:
            cap = s.plan.after_tax_cap_percent
            # The advice maxes deferrals first, so the room assumes they are: following
            # the steps in order must never break 415(c).
            maxed = deferrals + (missing or ZERO)
            room_after_max = c.after_tax_room(limits, pay, maxed, employer, after_tax, cap)
            if s.remaining_paychecks is not None:
                per_check_after_max = c.per_paycheck(room_after_max, s.remaining_paychecks)

    if deferral_limit is not None and deferrals is not None:
        excess_402g = c.excess_deferrals(deferral_limit, deferrals)

    ira_max = roth_limit = None
    if age is not None and pay is not None:
        ira_max = ira_maximum(limits, age, pay)
        if s.filing_status is not None and s.magi is not None:
            roth_limit = roth_ira_limit(limits, s.filing_status, s.magi, age, pay)
    backdoor_amount = None
    if ira_max is not None and roth_limit is not None:
        backdoor_amount = ira_max - roth_limit
    fraction = backdoor_tax = None
    if ira_max is not None and s.pretax_ira_balance is not None:
        converted = backdoor_amount if backdoor_amount else ira_max
        fraction, backdoor_tax = backdoor_taxable(converted, s.pretax_ira_balance)

    earnings = tax = None
    if s.after_tax_balance is not None and s.after_tax_basis is not None:
        earnings = conversion_earnings(s.after_tax_balance, s.after_tax_basis)
        if s.marginal_tax_rate is not None:
            tax = estimated_tax(earnings, s.marginal_tax_rate)

    prior = s.prior_year_compensation
    hce = None if prior is None else is_hce(s.tax_year, prior)
    roth_catch_up = (
        None if prior is None or age is None else roth_catch_up_required(limits, age, prior)
    )

    status, actions = build_actions(
        Figures(
            tax_year=s.tax_year,
            limits=limits,
            plan=s.plan,
            filing_status=s.filing_status,
            deferral_limit=deferral_limit,
            catch_up=catch_up,
            compensation=pay,
            remaining_paychecks=s.remaining_paychecks,
            excess_deferrals=excess_402g,
            excess_annual_additions=excess_415,
            roth_catch_up_required=roth_catch_up,
            ira_maximum=ira_max,
            roth_ira_limit=roth_limit,
            backdoor_amount=backdoor_amount,
            backdoor_fraction=fraction,
            backdoor_taxable=backdoor_tax,
            backdoor_tax=None
            if backdoor_tax is None or s.marginal_tax_rate is None
            else estimated_tax(backdoor_tax, s.marginal_tax_rate),
            pretax_ira_balance=s.pretax_ira_balance,
            deferral_headroom=missing,
            after_tax_room=room_after_max,
            after_tax_per_paycheck=per_check_after_max,
            after_tax_balance=s.after_tax_balance,
            conversion_earnings=earnings,
            conversion_tax=tax,
            hce=hce,
        )
    )
    return Assessment(
        limits=limits,
        deferral_limit=deferral_limit,
        catch_up_limit=catch_up,
        annual_additions_limit=additions_limit,
        after_tax_room=room_after_max,
        after_tax_per_paycheck=per_check_after_max,
        roth_ira_contribution_limit=roth_limit,
        backdoor_taxable_fraction=fraction,
        backdoor_taxable_amount=backdoor_tax,
        conversion_taxable_earnings=earnings,
        estimated_conversion_tax=tax,
        hce=hce,
        roth_catch_up_required=roth_catch_up,
        mega_backdoor=status,
        excess_deferrals=excess_402g,
        excess_annual_additions=excess_415,
        actions=actions,
    )
