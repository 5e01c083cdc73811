"""Advice must survive being followed, from the answers a person gives (issue 14).

Properties over whole sets of answers, on any day of the year: the dialog turns them
into a Situation (`to_situation`), the core plans the paychecks left, the result shows
the plan; then the person follows it, paycheck by paycheck, to the year's end
(`tests/rules/test_follow_advice.follow_plan`), and the year is assessed again. Nothing
may end over 402(g) or 415(c), no paycheck may give more than it pays, the plan's cap
holds, nothing is left to do again, and the words show exactly the percents planned.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_FLOOR, Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dialogs.catalog import to_situation
from dialogs.i18n import Translator
from dialogs.paycheck_words import plan_text
from dialogs.render import result_text
from dialogs.session import Answers, MatchFormula
from rules import (
    PAYCHECKS_PER_YEAR,
    ActionCode,
    assess,
    catch_up_limit,
    limits_for,
    paychecks_left,
)
from tests.rules.test_follow_advice import follow_plan

ZERO = Decimal(0)
FORMULAS = (
    MatchFormula(rate=Decimal(100), up_to=Decimal(6)),
    MatchFormula(rate=Decimal(50), up_to=Decimal(6)),
    MatchFormula(
        rate=Decimal(100), up_to=Decimal(3), next_rate=Decimal(50), next_up_to=Decimal(2)
    ),
)


@st.composite
def answers(draw: st.DrawFn) -> Answers:
    """What a person with an open plan answers on some day of 2026."""
    today = dt.date(2026, 1, 1) + dt.timedelta(days=draw(st.integers(0, 364)))
    frequency = draw(st.sampled_from(sorted(PAYCHECKS_PER_YEAR)))
    left = paychecks_left(frequency, 2026, today)
    per_year = PAYCHECKS_PER_YEAR[frequency]
    pay = Decimal(draw(st.integers(20, 600)) * 1000)
    age = draw(st.integers(25, 70))
    deferrals: Decimal | str = draw(
        st.one_of(st.just("max"), st.integers(0, 30).map(lambda k: Decimal(k * 1000)))
    )
    if isinstance(deferrals, Decimal):
        deferrals = min(deferrals, pay)
    planned = deferrals if isinstance(deferrals, Decimal) else Decimal(24_500)
    paid = per_year - left
    share = Decimal(draw(st.integers(0, 100))) / 100
    # What is in so far came out of the pay paid so far, as the dialog checks it did.
    paid_pay = pay * paid / per_year
    so_far = (min(planned, pay) * paid / per_year * share).quantize(Decimal(1)) if paid else ZERO
    employer = draw(st.one_of(st.sampled_from(FORMULAS), st.just(Decimal(0))))
    true_up = draw(st.sampled_from(["yes", "no", "unsure"]))
    cap = draw(st.sampled_from(["none", Decimal(10), Decimal(15), Decimal(25)]))
    step = draw(st.sampled_from([None, "1", "0.5", "0.1"]))
    after_tax_in = Decimal(draw(st.integers(0, 20))) * 500 if paid else ZERO
    after_tax_in = min(
        after_tax_in, max(ZERO, paid_pay - so_far).quantize(Decimal(1), ROUND_FLOOR)
    )
    return Answers(
        after_tax="yes",
        conversion="in_plan",
        auto_convert="no",
        after_tax_cap=cap,
        tax_year=2026,
        age=age,
        pay=pay,
        pay_frequency=frequency,
        paychecks=left,
        deferrals=deferrals,
        deferrals_so_far=so_far,
        other_deferrals=draw(st.sampled_from([ZERO, Decimal(5_000), Decimal(20_000)])),
        employer=employer,
        true_up=true_up,
        match_limit=draw(st.sampled_from(["spread", "stops"])),
        after_tax_in=after_tax_in,
        balance=ZERO,
        filing_status="single",
        magi="pay",
        roth_part=ZERO,
        ira_balance=ZERO,
        prior_pay="pay",
        election_step=step,
        today=today,
    )


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(answers())
def test_the_plan_the_dialog_shows_survives_being_followed(a: Answers) -> None:
    assert a.today is not None
    s = to_situation(a, 2026, as_of=a.today)
    first = assess(s)
    plan = first.paycheck_plan
    assert plan is not None, "the year is open and every paycheck question answered"
    assume(ActionCode.excess_contribution not in first.codes)  # a correction comes first
    limits = limits_for(2026)
    assert s.age is not None
    assert s.elective_deferrals is not None

    # Each paycheck gives no more than it pays; the plan's cap holds on every one.
    assert plan.schedule is not None or s.compensation_limit_prorated is None
    for check in plan.schedule or ():
        assert check.deferral + check.after_tax <= plan.pay_per_paycheck
    cap = s.plan.after_tax_cap_percent
    for percent in (plan.after_tax_percent, plan.last_after_tax_percent):
        assert percent is not None
        assert cap is None or percent <= cap

    # Followed to the year's end: nothing over a limit, nothing to do again.
    # The dialog does not ask about IRA money already in this year (None: the steps state
    # the year's whole allowance); following starts from none.
    none_in = s.model_copy(
        update={"roth_ira_contributed": ZERO, "traditional_ira_contributed": ZERO}
    )
    after = follow_plan(none_in, first)
    second = assess(after)
    assert after.elective_deferrals is not None
    assert after.elective_deferrals <= limits.elective_deferral + catch_up_limit(limits, s.age)
    assert second.excess_deferrals in (ZERO, None)
    assert second.excess_annual_additions in (ZERO, None)
    assert ActionCode.excess_contribution not in second.codes
    assert second.after_tax_room == ZERO
    assert ActionCode.contribute_after_tax not in second.codes

    # The words carry exactly the percents planned (never rounded up in the display).
    t = Translator("en")
    words = plan_text(t, first, s)
    assert words is not None
    shown = {Decimal(p) for p in re.findall(r"(\d+(?:\.\d+)?)%", words)}
    planned = {
        p
        for p in (
            plan.deferral_percent,
            plan.last_deferral_percent,
            plan.after_tax_percent,
            plan.last_after_tax_percent,
        )
        if p
    }
    assert planned <= shown
    text = result_text(t, first, s, paychecks=words)
    # An election to make, or (all of it in already) a 0% to set.
    assert "elect" in text or "<b>0%</b>" in text
