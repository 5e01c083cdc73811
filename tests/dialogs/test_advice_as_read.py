"""Advice as a person reads it, late in the year and after "Not sure" or a changed
answer: each step says what binds and never contradicts the paycheck plan below it.

Found by a fresh-eyes review of issue 14's dialog (each reproduced first). The person is
`check_answers`: $200,000 paid every two weeks (7,692.31 a paycheck), $24,500 deferred,
half of the first 6% matched (6,000 a year) and trued up, after-tax money converted
in-plan, single, no IRA.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dialogs.conversation import assessment_of
from dialogs.i18n import Translator
from dialogs.replies import Choice, Typed
from rules import Situation
from tests.conversations import Answer, Walk, check_answers, walk

DEC_1 = dt.date(2026, 12, 1)  # 3 biweekly paychecks left, by the calendar
JUN_15 = dt.date(2026, 6, 15)
OCT_1 = dt.date(2026, 10, 1)


def person(**changes: Answer) -> dict[str, Answer]:
    return check_answers(2026) | changes


def situation(w: Walk, today: dt.date) -> Situation:
    return assessment_of(w.session, today)[0]


def test_not_sure_what_is_deferred_so_far_lowers_nothing_late_in_the_year() -> None:
    # With the amount so far unknown, $24,500 may well be reachable (say 21,000 is in and
    # the 3 paychecks left carry 23,076.93): no "lower your deferrals", no excess.
    w = walk(person(deferrals_so_far=("tap", "unsure")), DEC_1)
    s = situation(w, DEC_1)
    assert s.elective_deferrals == Decimal(24_500)
    text = "\n".join(w.lines())
    assert "Set your 401(k) deferrals" not in text
    assert "excess" not in text
    assert "Raise your 401(k) deferrals" not in text  # 24,500 is the limit already
    assert (
        "The amount depends on what you have deferred so far this year (the year-to-date "
        "figure on your pay stub); /summary adds it."
    ) in text


def test_no_paychecks_left_keeps_the_years_deferrals_as_answered() -> None:
    # 0 paychecks left: payroll is closed, so the $24,500 answered is the year's, all in.
    w = walk(person(paychecks=("say", "0")), JUN_15)
    s = situation(w, JUN_15)
    assert s.elective_deferrals == Decimal(24_500)
    assert s.deferrals_so_far == Decimal(24_500)
    lines = w.lines()
    assert "2. No paychecks left in 2026" in lines
    assert not any("Set your 401(k) deferrals" in line for line in lines)
    assert not any("already reach the $72,000 total limit" in line for line in lines)


def test_a_plan_the_paychecks_left_cannot_carry_says_defer_all_not_lower() -> None:
    # Nothing deferred yet on Dec 1: 3 paychecks of 7,692.31 carry 23,076.93 < 24,500,
    # so the step is to defer all of them (100%, as the plan says), not an excess.
    w = walk(person(deferrals_so_far=("tap", "0")), DEC_1)
    lines = w.lines()
    first = lines.index("1. Defer all your paychecks left can carry: $23,076.93 in total for 2026")
    assert lines[first + 1] == (
        "Your paychecks left can't carry $24,500 for the year: elect as much of each as "
        "shown below."
    )
    assert not any("excess deferral" in line for line in lines)
    assert any(
        line.startswith("• Deferrals (pre-tax or Roth): elect 100% of each paycheck")
        for line in lines
    )


def test_on_the_last_paycheck_the_step_says_so() -> None:
    # Dec 31: 1 paycheck left, nothing deferred yet: it carries 7,692.31 of the 24,500.
    lines = walk(person(deferrals_so_far=("tap", "0")), dt.date(2026, 12, 31)).lines()
    first = lines.index("1. Defer all your last paycheck can carry: $7,692.31 in total for 2026")
    assert lines[first + 1].startswith("Your last paycheck can't carry $24,500 for the year")


def test_not_sure_so_far_still_keeps_a_plan_within_402g() -> None:
    # 30,000 planned, the amount so far unknown: 402(g) still allows 24,500 at most,
    # whatever is in (the reviewer's repro gave "Act now: 5,500 of excess deferrals").
    for today in (JUN_15, DEC_1):
        w = walk(person(deferrals=("say", "30000"), deferrals_so_far=("tap", "unsure")), today)
        assert situation(w, today).elective_deferrals == Decimal(24_500)
        lines = w.lines()
        assert "1. Set your 401(k) deferrals for 2026 to $24,500 in total, not $30,000" in lines
        assert not any(line.startswith("Act now") for line in lines)


def test_a_plan_over_415c_names_the_after_tax_money_beside_it() -> None:
    # Pay 40,000 caps 415(c) at 40,000; 20,000 after-tax is in, no employer money: at most
    # 20,000 of deferrals, not the 24,500 planned.
    w = walk(
        person(
            pay=("say", "40000"),
            employer=("say", "0"),
            deferrals_so_far=("say", "5000"),
            after_tax_in=("say", "20000"),
        ),
        JUN_15,
    )
    lines = w.lines()
    step = lines.index("1. Set your 401(k) deferrals for 2026 to $20,000 in total, not $24,500")
    assert "beside your employer money and after-tax contributions" in lines[step + 1]


def test_at_50_a_plan_over_the_pay_left_beside_after_tax_says_payroll_cant() -> None:
    # 55, pay 30,000, 10,000 after-tax in, nothing from the employer: 415(c) with the
    # 8,000 catch-up would take 30,000 - 10,000 + 8,000 = 28,000 of deferrals, but the
    # pay leaves 20,000 beside the after-tax money: payroll can't withhold more.
    w = walk(
        person(
            age=("say", "55"),
            pay=("say", "30000"),
            employer=("say", "0"),
            deferrals=("say", "25000"),
            deferrals_so_far=("tap", "unsure"),
            after_tax_in=("say", "10000"),
        ),
        JUN_15,
    )
    lines = w.lines()
    step = lines.index("1. Set your 401(k) deferrals for 2026 to $20,000 in total, not $25,000")
    assert lines[step + 1].startswith("That is all your pay for the year leaves beside")


def test_not_sure_so_far_over_402g_says_an_excess_may_be_in_already() -> None:
    # 20,000 deferred at an earlier job: 4,500 is left of 402(g) here, and with the amount
    # so far unknown, more than that may be in already (a refund by April 15, 2027).
    w = walk(person(other_deferrals=("say", "20000"), deferrals_so_far=("tap", "unsure")), JUN_15)
    lines = w.lines()
    step = lines.index("1. Set your 401(k) deferrals for 2026 to $4,500 in total, not $24,500")
    assert lines[step + 1].endswith(
        "If more than $4,500 is in already, ask the plan to refund the excess by April 15, 2027."
    )


def test_the_maximum_above_what_415c_leaves_is_set_to_it() -> None:
    # Pay 20,000 under 402(g): the maximum's button said 20,000, but the 600 match (50% of
    # 6%) leaves 19,400 under 415(c)'s 100% of pay. With the amount so far unknown the
    # paycheck lines can't say it, so the step does.
    w = walk(
        person(pay=("say", "20000"), deferrals=("tap", "max"), deferrals_so_far=("tap", "unsure")),
        DEC_1,
    )
    assert "1. Set your 401(k) deferrals for 2026 to $19,400 in total, not $20,000" in w.lines()


def test_room_with_an_open_answer_is_at_least_never_less_than_a_step() -> None:
    # 5,000 at an earlier job, the amount so far unknown: the after-tax room is "at least"
    # a figure and its percent is unknown; that is no "less than 1% of a paycheck".
    w = walk(person(other_deferrals=("say", "5000"), deferrals_so_far=("tap", "unsure")), OCT_1)
    assert not any("less than 1% of a paycheck" in line for line in w.lines())


def test_a_plan_over_402g_is_still_an_excess_to_lower() -> None:
    # 30,000 planned, nothing in by Jun 15: 15 paychecks left carry 115,384.65, and
    # 402(g) allows 24,500: that limit is what binds.
    w = walk(person(deferrals=("say", "30000"), deferrals_so_far=("tap", "0")), JUN_15)
    lines = w.lines()
    step = lines.index("1. Set your 401(k) deferrals for 2026 to $24,500 in total, not $30,000")
    assert "excess deferral, taxed twice" in lines[step + 1]


def test_the_plans_cap_reached_is_named_not_415c() -> None:
    # Cap 10% of 200,000 = 20,000, all of it in: 415(c) would allow 72,000 - 24,500 -
    # 6,000 - 20,000 = 21,500 more.
    w = walk(person(after_tax_cap=("say", "10%"), after_tax_in=("say", "20000")), OCT_1)
    lines = w.lines()
    step = lines.index("2. Your plan's after-tax cap is reached")
    assert lines[step + 1] == (
        "Your plan's cap of 10% of pay on after-tax contributions is reached for 2026; the "
        "$72,000 total limit (415(c)) would allow $21,500 more."
    )
    assert not any("already reach the $72,000 total limit" in line for line in lines)


def test_an_after_tax_total_waiting_on_an_answer_is_left_out_not_zero() -> None:
    # Jun 15, so far unknown: the after-tax percent is known (35%), its total waits on the
    # deferrals' (which wait on the amount so far); so do the share of each paycheck and
    # the last paycheck's catch-up.
    w = walk(person(deferrals_so_far=("tap", "unsure")), JUN_15)
    lines = w.lines()
    assert "• After-tax: elect 35% of each paycheck ($2,692)." in lines
    assert not any("$0 more" in line for line in lines)
    assert not any(line.startswith("That is 35% of each paycheck") for line in lines)
    assert "Each election is rounded down to steps of 1%, so it never goes over." in lines


def test_the_rounding_note_promises_a_catch_up_only_when_the_last_paycheck_has_one() -> None:
    # Dec 1, 3 left: 12% and 88% on every paycheck, the same on the last.
    lines = walk(person(), DEC_1).lines()
    assert (
        "• Deferrals (pre-tax or Roth): elect 12% of each paycheck ($923): $2,769 more in 2026."
        in lines
    )
    note = next(line for line in lines if line.startswith("Each election is rounded down"))
    assert "catches up" not in note
    # Jun 15: 15% on the last paycheck against 12% on the others: the promise is kept.
    lines = walk(person(), JUN_15).lines()
    note = next(line for line in lines if line.startswith("Each election is rounded down"))
    assert "the last paycheck's higher election catches up" in note


def test_a_lower_pay_asks_again_the_money_so_far_it_cannot_hold() -> None:
    w = walk(
        person(
            deferrals=("tap", "max"),
            deferrals_so_far=("say", "20000"),
            after_tax_in=("say", "10000"),
        ),
        JUN_15,
    )
    w.send(Choice("v1:edit:pay"))  # "Change an answer", then the pay
    w.answer_next({"pay": ("say", "15000")})
    a = w.session.answers
    assert a.deferrals_so_far is None  # 20,000 so far can't come out of 15,000
    assert a.after_tax_in is None
    assert w.session.state == "deferrals_so_far"


def test_after_tax_so_far_beyond_the_pay_beside_the_deferrals_is_refused() -> None:
    # 200,000 of pay, 190,000 deferred so far is refused already; 24,500 so far plus
    # 180,000 after-tax is 204,500 > 200,000.
    w = walk(person(deferrals_so_far=("say", "24500")), JUN_15, stop_at="after_tax_in")
    outcome = w.send(Typed("180000"))
    assert w.session.state == "after_tax_in"
    said = outcome.replies[-1].text
    assert "With your deferrals so far, that's more than your pay of $200,000" in said


def test_no_roth_catch_up_step_when_the_deferrals_reach_no_catch_up() -> None:
    # Age 61 and 2025 pay 200,000 > 150,000: catch-ups must be Roth. But with nothing
    # deferred by Dec 1 the 3 paychecks left carry 23,076.93, under 24,500: no catch-up.
    w = walk(
        person(age=("say", "61"), deferrals=("tap", "max"), deferrals_so_far=("tap", "0")), DEC_1
    )
    assert not any("catch-up as Roth" in line for line in w.lines())
    # 20,000 in by Dec 1: the raise is the 15,750 left of 35,750 (the paychecks carry
    # 23,076.93), so everything above 24,500, 11,250, is catch-up and must be Roth. The
    # elections' rounding down (68% of 3 paychecks: 15,692) makes less, never more: the
    # Roth figure is the raise's, so no catch-up is left pre-tax.
    w = walk(
        person(age=("say", "61"), deferrals=("tap", "max"), deferrals_so_far=("say", "20000")),
        DEC_1,
    )
    assert "1. Make your $11,250 catch-up as Roth, not pre-tax" in w.lines()
    w = walk(person(age=("say", "61"), deferrals=("tap", "max")), dt.date(2026, 1, 5))
    assert "1. Make your $11,250 catch-up as Roth, not pre-tax" in w.lines()


def test_what_hr_is_worth_names_the_year_and_is_a_floor_on_a_floor() -> None:
    # Dec 1 planning 2027 on 2026's figures: 72,000 - 24,500 - 6,000 = 41,500, about
    # (with deferrals at the maximum under a 415(c) capped at pay, a higher 402(g) next
    # year would leave less, so not "at least").
    answers = check_answers(2027) | {"after_tax": ("tap", "unsure")}
    w = walk(answers, DEC_1)
    assert any(
        line.endswith("If HR says yes, you could add about $41,500 in 2027.") for line in w.lines()
    )
    w = walk(person(after_tax=("tap", "unsure")), JUN_15)
    assert any(
        line.endswith("If HR says yes, you could add $41,500 in 2026.") for line in w.lines()
    )


def test_the_match_limit_question_is_not_asked_on_a_floor() -> None:
    # 2027 on 2026's figures counts all pay for the match (the most it can be): how a
    # paycheck's match stops at 401(a)(17) changes nothing, so it is not asked.
    answers = check_answers(2027) | {"pay": ("say", "400k"), "true_up": ("tap", "no")}
    w = walk(answers | {"match_limit": ("tap", "spread")}, DEC_1)
    assert "match_limit" not in w.asked
    w = walk(person(pay=("say", "400k"), match_limit=("tap", "spread")), JUN_15)
    assert "match_limit" in w.asked


def test_the_welcome_counts_the_questions_a_person_is_asked() -> None:
    # "About 20 questions": the check's person answers 20 on most days of the year
    # (fewer through an HR link, which answers the plan's).
    for today in (dt.date(2026, 1, 5), JUN_15, DEC_1):
        w = walk(person(), today)
        assert 17 <= len(w.asked) <= 23, (today, w.asked)
        assert "It takes about 20 questions" in w.lines()[0]


def test_a_negative_zero_never_sticks_to_the_dollars() -> None:
    # Money is formatted through an LRU keyed by the amount; -0 equals and hashes like 0.
    t = Translator("en")
    assert t.money(Decimal("-0")) == "$0"
    assert t.money(Decimal("0")) == "$0"
    assert t.money(Decimal("-0.00")) == "$0"
    assert t.money(Decimal("1.5")) == t.money(Decimal("1.50")) == "$1.50"
    assert Translator("es").money(Decimal("1234.5")) != ""


def test_an_after_tax_election_only_on_the_last_paycheck_is_shown() -> None:
    # Feb 27, 22 of 26 paychecks of 2,192.31 left; a 15% cap on 57,000 is 8,550 and 8,500
    # is in: 50 left, which 0% of each paycheck and 2% of the last (43.85) reach.
    w = walk(
        person(
            after_tax_cap=("say", "15%"),
            pay=("say", "57000"),
            deferrals=("tap", "max"),
            deferrals_so_far=("say", "0"),
            employer=("say", "100% of the first 6%"),
            after_tax_in=("say", "8500"),
        ),
        dt.date(2026, 2, 27),
    )
    line = next(line for line in w.lines() if line.startswith("• After-tax:"))
    assert line.startswith("• After-tax: elect 0% of each paycheck ($0), 2% on the last one")
