"""Turn the computed figures into ordered actions, each with its amount and sources.

Order (DESIGN.md): a correction due now first; then the usual order of operations: max
the regular deferrals, then the Roth IRA (direct, or backdoor with its pro-rata
warning), then the mega backdoor steps. Warnings follow the step they qualify.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rules.contributions import per_paycheck
from rules.limits import PHASEOUT_PARAMETER, cite, hce_threshold
from rules.models import (
    Action,
    ActionCode,
    Citation,
    FilingStatus,
    Limits,
    MegaBackdoor,
    PlanFeatures,
)

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Figures:
    """What `assess` computed, as the advice needs it (None = unknown)."""

    tax_year: int
    limits: Limits
    plan: PlanFeatures
    filing_status: FilingStatus | None
    deferral_limit: Decimal | None
    catch_up: Decimal | None
    compensation: Decimal | None
    remaining_paychecks: int | None
    excess_deferrals: Decimal | None
    excess_annual_additions: Decimal | None
    roth_catch_up_required: bool | None
    ira_maximum: Decimal | None
    roth_ira_limit: Decimal | None
    backdoor_amount: Decimal | None
    backdoor_fraction: Decimal | None
    backdoor_taxable: Decimal | None
    backdoor_tax: Decimal | None
    pretax_ira_balance: Decimal | None
    deferral_headroom: Decimal | None
    after_tax_room: Decimal | None  # once deferrals are maxed, as the advice says first
    after_tax_per_paycheck: Decimal | None
    after_tax_balance: Decimal | None
    conversion_earnings: Decimal | None
    conversion_tax: Decimal | None
    hce: bool | None


def in_plan_conversion(plan: PlanFeatures) -> bool | None:
    """In-plan conversion; automatic conversion is an in-plan conversion, so it implies one."""
    if plan.in_plan_roth_conversion is None and plan.automatic_conversion:
        return True
    return plan.in_plan_roth_conversion


def route_unknown(plan: PlanFeatures) -> bool:
    """No known way to Roth while employed, and at least one way not known either way."""
    routes = (in_plan_conversion(plan), plan.in_service_withdrawal)
    return True not in routes and None in routes


def mega_backdoor_status(plan: PlanFeatures) -> MegaBackdoor:
    """Whether the plan's features open the mega backdoor (needs after-tax + a way out)."""
    if plan.after_tax_contributions is False:
        return MegaBackdoor.unavailable
    if plan.after_tax_contributions is None:
        return MegaBackdoor.unknown
    if in_plan_conversion(plan) or plan.in_service_withdrawal:
        return MegaBackdoor.available
    if route_unknown(plan):
        return MegaBackdoor.unknown
    return MegaBackdoor.at_separation


def _source(limits: Limits, parameter: str) -> tuple[Citation, ...]:
    return (limits.sources[parameter],)


def _corrections(f: Figures) -> list[Action]:
    actions: list[Action] = []
    if f.excess_deferrals:
        actions.append(
            Action(
                ActionCode.excess_contribution,
                amount=f.excess_deferrals,
                sources=_source(f.limits, "elective_deferral_limit")
                + cite("irc_402g", "irs_402g_excess"),
                rule="402(g)",
            )
        )
    if f.excess_annual_additions:
        actions.append(
            Action(
                ActionCode.excess_contribution,
                amount=f.excess_annual_additions,
                sources=_source(f.limits, "annual_additions_limit")
                + cite("irc_415c", "irs_415c_correction"),
                rule="415(c)",
            )
        )
    return actions


def _deferrals(f: Figures) -> list[Action]:
    actions: list[Action] = []
    missing = f.deferral_headroom
    if missing:
        sources = _source(f.limits, "elective_deferral_limit")
        if f.catch_up:
            sources += (f.limits.sources["catch_up_limit"], *cite("irc_414v"))
        per = None if not f.remaining_paychecks else per_paycheck(missing, f.remaining_paychecks)
        actions.append(
            Action(
                ActionCode.max_elective_deferrals,
                amount=missing,
                sources=sources,
                per_paycheck=per,
            )
        )
    if f.roth_catch_up_required and f.catch_up:
        actions.append(
            Action(
                ActionCode.roth_catch_up_required,
                amount=f.catch_up,
                sources=_source(f.limits, "roth_catch_up_wage_threshold")
                + cite("irc_414v7", "td_10033"),
            )
        )
    return actions


def _roth_ira(f: Figures) -> list[Action]:
    if f.roth_ira_limit is None or f.ira_maximum is None or f.filing_status is None:
        return []
    actions: list[Action] = []
    phaseout = PHASEOUT_PARAMETER[f.filing_status]
    ira_sources = _source(f.limits, "ira_contribution_limit")
    if f.roth_ira_limit > ZERO:
        actions.append(
            Action(
                ActionCode.contribute_roth_ira,
                amount=f.roth_ira_limit,
                sources=ira_sources
                + _source(f.limits, phaseout)
                + cite("irc_408a_c3", "pub_590a"),
            )
        )
    if f.backdoor_amount:
        actions.append(
            Action(
                ActionCode.backdoor_roth,
                amount=f.backdoor_amount,
                sources=ira_sources + _source(f.limits, phaseout) + cite("form_8606"),
                fraction=f.backdoor_fraction,
                taxable=f.backdoor_taxable,
            )
        )
        if f.pretax_ira_balance:
            actions.append(
                Action(
                    ActionCode.pro_rata_warning,
                    amount=f.pretax_ira_balance,
                    sources=cite("irc_408d2", "form_8606"),
                    fraction=f.backdoor_fraction,
                    taxable=f.backdoor_taxable,
                    tax=f.backdoor_tax,
                )
            )
    return actions


def _mega_backdoor(f: Figures, status: MegaBackdoor) -> list[Action]:
    plan = f.plan
    room_sources = _source(f.limits, "annual_additions_limit") + cite("irc_415c")
    if status is MegaBackdoor.unavailable:
        return [
            Action(ActionCode.mega_backdoor_unavailable, sources=cite("irs_after_tax_rollovers"))
        ]
    actions: list[Action] = []
    if status is MegaBackdoor.unknown:
        if plan.after_tax_contributions is None:
            actions.append(
                Action(ActionCode.ask_hr_after_tax, sources=cite("irs_after_tax_rollovers"))
            )
        if route_unknown(plan):
            actions.append(
                Action(
                    ActionCode.ask_hr_conversion,
                    sources=cite("irs_after_tax_rollovers", "notice_2013_74"),
                )
            )
        if plan.after_tax_contributions:
            actions += _hce(f)
        return actions
    if status is MegaBackdoor.at_separation:
        actions.append(
            Action(
                ActionCode.wait_until_separation,
                amount=f.after_tax_room,
                sources=cite("irs_after_tax_rollovers"),
            )
        )
        return actions + _hce(f)
    # Available: contribute, then convert what sits in the after-tax bucket.
    if f.after_tax_room is not None and f.after_tax_room <= ZERO:
        actions.append(Action(ActionCode.no_room_left, amount=ZERO, sources=room_sources))
    else:
        actions.append(
            Action(
                ActionCode.contribute_after_tax,
                amount=f.after_tax_room,
                sources=room_sources,
                per_paycheck=f.after_tax_per_paycheck,
            )
        )
    actions += _hce(f)
    balance = f.after_tax_balance if f.after_tax_balance else None
    if in_plan_conversion(plan):
        actions.append(
            Action(
                ActionCode.convert_in_plan,
                amount=balance,
                sources=cite("irc_402a_c4", "notice_2013_74"),
                taxable=f.conversion_earnings if balance else None,
                tax=f.conversion_tax if balance else None,
            )
        )
        if plan.automatic_conversion:
            actions.append(Action(ActionCode.enable_auto_conversion, sources=cite("irc_402a_c4")))
    else:
        actions.append(
            Action(
                ActionCode.in_service_rollover_split,
                amount=balance,
                sources=cite("notice_2014_54", "irs_after_tax_rollovers", "irc_408d2"),
                taxable=f.conversion_earnings if balance else None,
                tax=f.conversion_tax if balance else None,
            )
        )
    return actions


def _hce(f: Figures) -> list[Action]:
    if not f.hce:
        return []
    _, threshold_source = hce_threshold(f.tax_year - 1)
    return [
        Action(
            ActionCode.hce_refund_risk,
            amount=f.after_tax_room,
            sources=(threshold_source, *cite("irc_414q", "reg_1_401m_2")),
        )
    ]


def build_actions(f: Figures) -> tuple[MegaBackdoor, list[Action]]:
    """The mega backdoor status and the ordered actions for these figures."""
    status = mega_backdoor_status(f.plan)
    actions = _corrections(f) + _deferrals(f) + _roth_ira(f) + _mega_backdoor(f, status)
    return status, actions
