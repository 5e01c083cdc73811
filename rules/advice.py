"""Turn the computed figures into ordered actions, each with its amount and sources.

Order (DESIGN.md): a correction due now first; then `year_closed` when the tax year has
ended; then the usual order of operations: max the regular deferrals (Roth catch-up
warning right after), then the Roth IRA (direct, then the pro-rata warning, then the
backdoor), then the mega backdoor steps (ask HR what is unknown, contribute after-tax,
convert in plan or roll out in service, or wait). Warnings follow the step they qualify.

A figure an unknown answer could change has no amount in its step (`at_least` holds what
every answer allows); a step that no possible answer needs is left out.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from rules.contributions import per_paycheck
from rules.figures import Citation, FilingStatus, Limits
from rules.floor import lookback_year
from rules.limits import PHASEOUT_PARAMETER, cite, hce_threshold
from rules.models import Action, ActionCode, MegaBackdoor, PlanFeatures
from rules.unknowns import Span

ZERO = Decimal(0)


class Figures(NamedTuple):
    """What `assess` computed, as the advice needs it (None = not computable at all)."""

    tax_year: int
    limits: Limits
    plan: PlanFeatures
    filing_status: FilingStatus | None
    catch_up: Decimal | None
    roth_catch_up: Decimal | None  # the catch-up the deferrals reach (414(v)(7) makes Roth)
    remaining_paychecks: int | None
    year_closed: bool
    ira_open: bool  # IRA contributions for the tax year can still be made
    spousal_ira: bool  # the IRA limit may count the spouse's pay (219(c))
    match_priced: bool  # the core priced the match from `match_tiers`
    excess_deferrals: Span | None
    excess_annual_additions: Span | None
    roth_catch_up_required: bool | None
    direct_roth: Span | None  # what is left to contribute directly to a Roth IRA
    backdoor: Span | None  # what is left for the backdoor
    backdoor_fraction: Decimal | None
    backdoor_taxable: Decimal | None
    backdoor_tax: Decimal | None
    pretax_ira_balance: Decimal | None
    deferral_headroom: Span | None
    deferrals_known: bool  # the deferral step needs today's deferrals here
    after_tax_room: Span | None  # once deferrals are maxed, as the advice says first
    after_tax_per_paycheck: Decimal | None
    after_tax_balance: Decimal | None
    conversion_earnings: Decimal | None
    conversion_tax: Decimal | None
    hce: bool | None
    on_floor: bool = False  # planned on an earlier year's figures: no deadline is known


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
    """Excesses that are certain: an excess only an unknown answer could make is no step."""
    actions: list[Action] = []
    if f.excess_deferrals is not None and f.excess_deferrals.certain:
        actions.append(
            Action(
                ActionCode.excess_contribution,
                amount=f.excess_deferrals.value,
                at_least=f.excess_deferrals.at_least,
                sources=_source(f.limits, "elective_deferral_limit")
                + _source(f.limits, "excess_deferral_deadline")
                + cite("irc_402g", "irs_402g_excess"),
                rule="402(g)",
                deadline=None if f.on_floor else f.limits.excess_deferral_deadline,
            )
        )
    if f.excess_annual_additions is not None and f.excess_annual_additions.certain:
        actions.append(
            Action(
                ActionCode.excess_contribution,
                amount=f.excess_annual_additions.value,
                at_least=f.excess_annual_additions.at_least,
                sources=_source(f.limits, "annual_additions_limit")
                + cite("irc_415c", "irs_415c_correction"),
                rule="415(c)",
            )
        )
    return actions


def _year_closed(f: Figures) -> list[Action]:
    if not f.year_closed:
        return []
    return [
        Action(
            ActionCode.year_closed,
            sources=_source(f.limits, "ira_contribution_deadline") + cite("irc_219f3"),
            deadline=f.limits.ira_contribution_deadline,
        )
    ]


def _deferrals(f: Figures) -> list[Action]:
    if f.year_closed:
        return []
    actions: list[Action] = []
    headroom = f.deferral_headroom
    if headroom is not None and headroom.possible and f.deferrals_known:
        sources = _source(f.limits, "elective_deferral_limit")
        if f.catch_up is None or f.catch_up:
            sources += (f.limits.sources["catch_up_limit"], *cite("irc_414v"))
        amount = headroom.value
        paychecks = f.remaining_paychecks
        per = None if amount is None or not paychecks else per_paycheck(amount, paychecks)
        actions.append(
            Action(
                ActionCode.max_elective_deferrals,
                amount=amount,
                at_least=headroom.at_least,
                sources=sources,
                per_paycheck=per,
            )
        )
    if f.roth_catch_up_required and f.roth_catch_up:
        actions.append(
            Action(
                ActionCode.roth_catch_up_required,
                amount=f.roth_catch_up,
                sources=_source(f.limits, "roth_catch_up_wage_threshold")
                + cite("irc_414v7", "td_10033"),
            )
        )
    return actions


def _roth_ira(f: Figures) -> list[Action]:
    if f.direct_roth is None or f.backdoor is None or f.filing_status is None:
        return []
    if not f.ira_open:
        return []
    actions: list[Action] = []
    phaseout = PHASEOUT_PARAMETER[f.filing_status]
    ira_sources = _source(f.limits, "ira_contribution_limit") + cite("irc_219b1")
    if f.spousal_ira:
        ira_sources += cite("irc_219c")
    deadline = None if f.on_floor else f.limits.ira_contribution_deadline
    if f.direct_roth.possible:
        actions.append(
            Action(
                ActionCode.contribute_roth_ira,
                amount=f.direct_roth.value,
                at_least=f.direct_roth.at_least,
                sources=ira_sources
                + _source(f.limits, phaseout)
                + cite("irc_408a_c3", "pub_590a"),
                deadline=deadline,
            )
        )
    if f.backdoor.possible:
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
        actions.append(
            Action(
                ActionCode.backdoor_roth,
                amount=f.backdoor.value,
                at_least=f.backdoor.at_least,
                sources=ira_sources + _source(f.limits, phaseout) + cite("form_8606"),
                fraction=f.backdoor_fraction,
                taxable=f.backdoor_taxable,
                tax=f.backdoor_tax,
                deadline=deadline,
            )
        )
    return actions


def _may_hold_after_tax(f: Figures) -> bool:
    """After-tax money may sit in the plan: a balance, or none stated in a plan with them."""
    if f.after_tax_balance is not None:
        return f.after_tax_balance > ZERO
    return f.plan.after_tax_contributions is True


def _ask_hr(f: Figures) -> list[Action]:
    """Ask HR what is unknown, with what is at stake: the after-tax room if HR says yes.

    The room is worked out as if the plan takes after-tax money (a `None` feature does
    not change it), so it is what the answer "yes" opens this year; `at_least` when an
    unknown answer could raise it. The conversion question carries it only when
    after-tax money is known to be allowed and the year is open.
    """
    plan = f.plan
    actions: list[Action] = []
    room = f.after_tax_room
    stake = None if room is None else room.value
    floor = None if room is None else room.at_least
    if plan.after_tax_contributions is None and not f.year_closed:
        actions.append(
            Action(
                ActionCode.ask_hr_after_tax,
                amount=stake,
                at_least=floor,
                sources=cite("irs_after_tax_rollovers"),
            )
        )
    if route_unknown(plan) and (not f.year_closed or _may_hold_after_tax(f)):
        known = plan.after_tax_contributions is True and not f.year_closed
        actions.append(
            Action(
                ActionCode.ask_hr_conversion,
                amount=stake if known else None,
                at_least=floor if known else None,
                sources=cite("irs_after_tax_rollovers", "notice_2013_74"),
            )
        )
    if plan.after_tax_contributions:
        actions += _hce(f)
    return actions


def _contribute(f: Figures) -> list[Action]:
    """The after-tax step: contribute the room, or say none is left."""
    room_sources = _source(f.limits, "annual_additions_limit") + cite("irc_415c")
    if f.match_priced:
        room_sources += _source(f.limits, "compensation_limit") + cite("irc_401a17")
    room = f.after_tax_room
    if room is not None and not room.possible:
        return [Action(ActionCode.no_room_left, amount=ZERO, sources=room_sources)]
    return [
        Action(
            ActionCode.contribute_after_tax,
            amount=None if room is None else room.value,
            at_least=None if room is None else room.at_least,
            sources=room_sources,
            per_paycheck=f.after_tax_per_paycheck,
        )
    ]


def _conversions(f: Figures, code: ActionCode, sources: tuple[Citation, ...]) -> list[Action]:
    """Move the balance already in the plan now; then convert each new contribution.

    The second step is there while new contributions are possible, or when there is no
    balance to move (as before). In an ended year only money already in the plan is
    left: the balance, or (balance unknown) one step with no amount.
    """
    balance = f.after_tax_balance
    actions: list[Action] = []
    if balance:
        actions.append(
            Action(
                code,
                amount=balance,
                sources=sources,
                taxable=f.conversion_earnings,
                tax=f.conversion_tax,
            )
        )
    if f.year_closed:
        if balance is None and _may_hold_after_tax(f):
            actions.append(Action(code, sources=sources))
        return actions
    new_contributions = f.after_tax_room is None or f.after_tax_room.possible
    if not balance or new_contributions:
        actions.append(Action(code, sources=sources))
    return actions


def _mega_backdoor(f: Figures, status: MegaBackdoor) -> list[Action]:
    plan = f.plan
    if status is MegaBackdoor.unavailable:
        return [
            Action(ActionCode.mega_backdoor_unavailable, sources=cite("irs_after_tax_rollovers"))
        ]
    if status is MegaBackdoor.unknown:
        return _ask_hr(f)
    if status is MegaBackdoor.at_separation:
        if f.year_closed:
            return []
        room = f.after_tax_room
        return [
            Action(
                ActionCode.wait_until_separation,
                amount=None if room is None else room.value,
                at_least=None if room is None else room.at_least,
                sources=cite("irs_after_tax_rollovers"),
            ),
            *_hce(f),
        ]
    # Available: contribute, then convert what sits in the after-tax bucket.
    actions: list[Action] = []
    if not f.year_closed:
        actions += _contribute(f) + _hce(f)
    if in_plan_conversion(plan):
        actions += _conversions(
            f, ActionCode.convert_in_plan, cite("irc_402a_c4", "notice_2013_74")
        )
        if plan.automatic_conversion and not f.year_closed:
            actions.append(Action(ActionCode.enable_auto_conversion, sources=cite("irc_402a_c4")))
    else:
        actions += _conversions(
            f,
            ActionCode.in_service_rollover_split,
            cite("notice_2014_54", "irs_after_tax_rollovers", "irc_408d2"),
        )
    return actions


def _hce(f: Figures) -> list[Action]:
    if not f.hce or f.year_closed:
        return []
    _, threshold_source = hce_threshold(lookback_year(f.tax_year))
    room = f.after_tax_room
    return [
        Action(
            ActionCode.hce_refund_risk,
            amount=None if room is None else room.value,
            sources=(threshold_source, *cite("irc_414q", "reg_1_401m_2")),
        )
    ]


def build_actions(f: Figures) -> tuple[MegaBackdoor, list[Action]]:
    """The mega backdoor status and the ordered actions for these figures."""
    status = mega_backdoor_status(f.plan)
    actions = (
        _corrections(f)
        + _year_closed(f)
        + _deferrals(f)
        + _roth_ira(f)
        + _mega_backdoor(f, status)
    )
    return status, actions


def ira_still_open(limits: Limits, as_of: dt.date | None) -> bool:
    """219(f)(3), 408A(c)(6): a year's IRA contributions can be made until its deadline."""
    return as_of is None or as_of <= limits.ira_contribution_deadline
