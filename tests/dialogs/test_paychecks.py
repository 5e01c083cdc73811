"""Issue 14 in the conversation: the paychecks left from the pay frequency and the date,
percent elections for each paycheck, the plan's cap and true-up, and next year.

Whole conversations through `dialogs.conversation.handle`, on fixed dates (the person's
day in US time is injected, as the carriers do).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from bot.memory import MemoryPlanBook
from dialogs.catalog import to_situation
from dialogs.conversation import assessment_of, new_session
from dialogs.machine import DONE
from dialogs.plans import Services
from dialogs.replies import Choice
from dialogs.session import Answers
from dialogs.situation import most_paychecks, plannable_years

from .conftest import Chat, plain

DEC_1, DEC_31, JAN_5 = dt.date(2026, 12, 1), dt.date(2026, 12, 31), dt.date(2027, 1, 5)


def chat_on(today: dt.date, lang: str = "en") -> Chat:
    chat = Chat(new_session(lang), today=today)
    chat.command("start")
    return chat


def result(chat: Chat) -> str:
    assert chat.session.state == DONE, chat.session.state
    return plain(chat.outcomes[-1].replies[-1].text)


OPEN_PLAN = {"after_tax": "yes", "conversion": "in plan", "auto_convert": "no"}
SINGLE = {"filing_status": "single", "magi": "pay", "ira_balance": "0", "prior_pay": "pay"}


def test_december_1_biweekly_with_a_15_percent_cap_and_no_true_up() -> None:
    """Dec 1, 2026, paid every two weeks: Dec 1 to Dec 31 is 31 days, ceil(31 / 14) = 3
    paychecks left. Pay 200,000 / 26 = 7,692.31 a paycheck.
    Deferrals: the maximum, 24,500, of which 20,000 are in: 4,500 to go, 1,500 a paycheck
    = 19.5% -> 19% ($1,461.54); two of them leave 4,500 - 2,923.08 = 1,576.92 for the last,
    20.5% -> 20% ($1,538.46): 4,461.54 in, $38.46 of the limit unused.
    After-tax: the plan's cap, 15% of each paycheck = 1,153.85, x 3 = 3,461.55; 415(c)
    would allow 72,000 - 24,500 - the match (12,000 at most) - 3,461.55 = 32,038 more."""
    chat = chat_on(DEC_1)
    chat.fill(
        OPEN_PLAN,
        after_tax_cap="15%",
        tax_year="2026",
        age="40",
        pay="200k",
        deferrals="max",
        deferrals_so_far="20,000",
        other_deferrals="0",
        employer="100% of the first 6%",
        true_up="no",
        after_tax_in="0",
        balance="0",
        **SINGLE,
    )
    assert chat.session.answers.paychecks == 3
    text = result(chat)
    assert "Your 3 paychecks left in 2026 (about $7,692 each before taxes)" in text
    assert "elect 19% of each paycheck ($1,461), 20% on the last one: $4,461 more in 2026" in text
    assert "After-tax: elect 15% of each paycheck ($1,153): $3,461 more in 2026" in text
    assert "Contribute $3,461 after-tax this year (elect 15% of each paycheck)" in text
    assert "cap of 15% of pay on after-tax contributions is what limits this" in text
    assert "would allow $32,038 more in 2026" in text
    assert "That is 34% of each paycheck (35% of the last)" in text
    assert "Taxes come out of the same paycheck" in text
    assert "That still leaves $38 unused" in text


def test_december_31_monthly_one_paycheck_left_takes_all_of_it() -> None:
    """Dec 31, monthly: one paycheck left, 150,000 / 12 = 12,500. Planned 10,000, 9,000
    in: the most is 9,000 + 12,500 = 21,500 (402(g) would allow 24,500), so the raise is
    11,500 and the last paycheck goes in whole: 100%, and payroll must still withhold
    Social Security and Medicare from it, so it is told to ask payroll for its most."""
    chat = chat_on(DEC_31)
    chat.fill(
        {"after_tax": "no"},
        tax_year="2026",
        age="40",
        pay="150k",
        pay_frequency="monthly",
        deferrals="10,000",
        deferrals_so_far="9,000",
        other_deferrals="0",
        employer="0",
        **SINGLE,
    )
    assert chat.session.answers.paychecks == 1
    text = result(chat)
    assert "Raise your 401(k) deferrals by $11,500 (elect 100% of your last paycheck)" in text
    assert "Your 1 paycheck left in 2026 (about $12,500 before taxes)" in text
    assert "elect 100% of this paycheck: $12,500 more in 2026" in text
    assert "Social Security and Medicare" in text


def test_january_5_plans_the_new_year_on_last_years_figures_as_a_floor() -> None:
    """Jan 5, 2027, without 2027's figures: 2027 is planned on 2026's, labelled. Twice a
    month: 24 paychecks, 200,000 / 24 = 8,333.33. Deferrals 24,500 / 24 = 1,020.83 =
    12.25% -> 12% (1,000); 23 x 1,000 = 23,000, the last 1,500 = 18%. Match 4% x 200,000 =
    8,000; room 72,000 - 24,500 - 8,000 = 39,500: 1,645.83 a paycheck = 19.75% -> 19%
    (1,583.33); 23 of them 36,416.67, the last 3,083.33 = 37%: 39,499.99 in all."""
    chat = chat_on(JAN_5)
    assert 2027 in plannable_years(JAN_5)
    chat.fill(
        {**OPEN_PLAN, "auto_convert": "yes"},
        tax_year="2027",
        age="40",
        pay="200k",
        pay_frequency="twice a month",
        deferrals="max",
        other_deferrals="0",
        employer="100% of the first 4%",
        after_tax_in="0",
        balance="0",
        roth_part="0",
        **SINGLE,
    )
    text = result(chat)
    assert "You can put at least $47,000 more into Roth accounts in 2027" in text
    assert "Planned on 2026's IRS figures: 2027's are not loaded yet" in text
    assert "$72,000 (2026's figure) total limit" in text
    assert "next year's limits" not in text.lower()
    assert "elect 12% of each paycheck ($1,000), 18% on the last one: $24,500 more" in text
    assert "elect 19% of each paycheck ($1,583), 37% on the last one: $39,499 more" in text
    _, assessment = assessment_of(chat.session, JAN_5)
    assert assessment.on_floor


def test_paychecks_are_asked_of_people_without_an_hr_link_and_typed_counts_are_counts() -> None:
    chat = chat_on(DEC_1)
    chat.fill({"after_tax": "no"}, tax_year="2026", age="40")
    chat.type("100k")
    assert chat.session.state == "pay_frequency"
    out = chat.type("weekly")
    assert chat.session.state == "paychecks"
    # Dec 1 to Dec 31: ceil(31 / 7) = 5 weekly paychecks at most.
    labels = [b.label for r in out.replies for row in r.buttons for b in row]
    assert "5 (weekly pay, from today)" in labels
    assert out.replies[-1].takes_number  # the terminal reads a typed "2" as 2, not button 2
    refused = chat.type("24")
    assert chat.session.state == "paychecks"
    assert "at most 5 weekly paychecks in 2026" in plain(refused.replies[-1].text)
    chat.type("2")
    assert chat.session.answers.paychecks == 2


@pytest.mark.parametrize(
    ("today", "typed", "taken"),
    [
        # Jan 1, 2026 to Dec 31 is 365 days: ceil(365 / 14) = 27 biweekly paychecks fit.
        (dt.date(2026, 1, 1), "27", True),
        # From Jan 5, 361 days: ceil(361 / 14) = 26; a 27th can't come.
        (dt.date(2026, 1, 5), "27", False),
    ],
)
def test_a_27_paycheck_year_is_told_by_its_count(today: dt.date, typed: str, taken: bool) -> None:
    chat = chat_on(today)
    chat.fill({"after_tax": "no"}, tax_year="2026", age="40")
    chat.type("270k")
    chat.type("biweekly")
    assert chat.session.state == "paychecks"
    chat.type(typed)
    assert (chat.session.answers.paychecks == 27) is taken
    if taken:
        chat.fill({"deferrals": "max", "other_deferrals": "0", "employer": "0", **SINGLE})
        situation, assessment = assessment_of(chat.session, today)
        assert situation.paychecks_per_year == 27
        plan = assessment.paycheck_plan
        assert plan is not None
        assert plan.pay_per_paycheck == Decimal("10000.00")  # 270,000 / 27


def test_most_paychecks_counts_a_53rd_weekly_one_only_when_the_days_hold_it() -> None:
    answers = Answers(tax_year=2026, pay_frequency="weekly", today=dt.date(2026, 1, 1))
    assert most_paychecks(answers) == 53  # ceil(365 / 7)
    answers.today = dt.date(2026, 1, 2)
    assert most_paychecks(answers) == 52  # ceil(364 / 7)
    answers.today = dt.date(2026, 12, 1)
    answers.tax_year = 2025
    assert most_paychecks(answers) is None  # an ended year has no paychecks


def test_the_deferrals_so_far_offer_an_even_estimate_to_tap() -> None:
    """Dec 1, biweekly, 3 left of 26: 23 paid. Planned 26,000 evenly: 26,000 x 23 / 26 =
    23,000 so far."""
    chat = chat_on(DEC_1)
    chat.fill({"after_tax": "no"}, tax_year="2026", age="55", pay="260k")
    out = chat.fill({}, deferrals="26,000")
    assert chat.session.state == "deferrals_so_far"
    data = [b.data for r in out.replies for row in r.buttons for b in row]
    assert "v1:a:deferrals_so_far:23000" in data
    chat.send(Choice("v1:a:deferrals_so_far:23000"))
    assert chat.session.answers.deferrals_so_far == Decimal(23000)


def test_more_deferred_so_far_than_planned_is_refused() -> None:
    chat = chat_on(DEC_1)
    chat.fill({"after_tax": "no"}, tax_year="2026", age="40", pay="100k", deferrals="10,000")
    out = chat.type("12,000")
    assert chat.session.state == "deferrals_so_far"
    assert "more than the $10,000 you plan to defer" in plain(out.replies[-1].text)


def test_no_deferrals_so_far_question_before_the_first_paycheck_or_for_next_year() -> None:
    chat = chat_on(dt.date(2026, 1, 2))  # Jan 2: ceil(364 / 14) = 26 of 26 left
    chat.fill({"after_tax": "no"}, tax_year="2026", age="40", pay="100k", deferrals="10k")
    assert chat.session.state == "other_deferrals"
    situation = to_situation(chat.session.answers, 2026, as_of=dt.date(2026, 1, 2))
    assert situation.deferrals_so_far == 0


def test_an_ended_year_asks_no_paycheck_questions() -> None:
    chat = chat_on(DEC_1)
    chat.fill({"after_tax": "no"}, tax_year="2025", age="40", pay="100k")
    assert chat.session.state == "deferrals"


def test_a_true_up_is_asked_only_for_a_match_formula() -> None:
    chat = chat_on(DEC_1)
    chat.fill({"after_tax": "no"}, tax_year="2026", age="40", pay="100k", deferrals="max")
    chat.fill({"deferrals_so_far": "20,000", "other_deferrals": "0", "employer": "5,000"})
    assert chat.session.state == "filing_status"  # dollars: no formula to true up
    chat.send(Choice("v1:edit:employer"))
    chat.type("50% of the first 6%")
    assert chat.session.state == "true_up"
    chat.type("no")
    situation = to_situation(chat.session.answers, 2026, as_of=DEC_1)
    assert situation.match_true_up is False


def test_an_unknown_after_tax_cap_is_asked_of_hr() -> None:
    chat = chat_on(dt.date(2026, 6, 1))
    chat.fill(
        OPEN_PLAN,
        after_tax_cap="not sure",
        tax_year="2026",
        age="40",
        pay="200k",
        deferrals="max",
        deferrals_so_far="not sure",
        other_deferrals="0",
        employer="0",
        after_tax_in="0",
        balance="0",
        **SINGLE,
    )
    text = result(chat)
    assert "Is there a cap on after-tax (non-Roth) contributions" in text
    # The deferrals so far decide the percent: not guessed.
    assert "depends on what you have deferred so far this year" in text


def test_unsure_about_after_tax_says_what_is_at_stake() -> None:
    """June 1, biweekly: pay 150,000, deferring the most (24,500), no employer money:
    415(c) leaves 72,000 - 24,500 = 47,500 if HR says yes; the paychecks left (June 1 to
    Dec 31: 214 days, ceil(214 / 14) = 16 of 5,769.23) carry 92,307 of pay, less the
    deferrals still to go: the room is within reach."""
    chat = chat_on(dt.date(2026, 6, 1))
    chat.fill(
        {"after_tax": "not sure", "conversion": "not sure"},
        tax_year="2026",
        age="40",
        pay="150k",
        deferrals="max",
        deferrals_so_far="10,000",
        other_deferrals="0",
        employer="0",
        after_tax_in="0",
        **SINGLE,
    )
    text = result(chat)
    assert "Ask HR whether the plan accepts after-tax contributions" in text
    assert "If HR says yes, you could add $47,500 in 2026." in text


def test_from_november_the_result_offers_next_years_january_elections() -> None:
    chat = chat_on(DEC_1)
    chat.fill(
        {"after_tax": "no"},
        tax_year="2026",
        age="40",
        pay="200k",
        deferrals="max",
        deferrals_so_far="20k",
        other_deferrals="0",
        employer="0",
        **SINGLE,
    )
    buttons = [b for row in chat.outcomes[-1].replies[-1].buttons for b in row]
    offer = next(b for b in buttons if "2027" in b.label)
    assert offer.label == "Plan 2027's January elections"
    chat.send(Choice(offer.data))
    assert chat.session.state == "tax_year"
    chat.type("2027")
    # This year's pay is next year's "last year"; the year's money is asked again.
    assert chat.session.answers.prior_pay == Decimal(200000)
    assert chat.session.state == "pay"
    chat.fill({"pay": "210k", "deferrals": "max", "other_deferrals": "0", "employer": "0"})
    chat.fill({"roth_part": "0"})
    text = result(chat)
    assert "Planned on 2026's IRS figures" in text
    assert chat.session.answers.paychecks == 26  # all of 2027's, biweekly


def test_before_november_no_next_year() -> None:
    october = dt.date(2026, 10, 30)
    assert 2027 not in plannable_years(october)
    chat = chat_on(october)
    chat.fill({"after_tax": "no"})
    out = chat.type("2027")
    assert chat.session.state == "tax_year"
    assert "I can plan the years 2023 to 2026" in plain(out.replies[-1].text)


def test_spanish_paycheck_plan() -> None:
    chat = chat_on(DEC_1, lang="es-MX")
    chat.fill(
        {"after_tax": "sí", "conversion": "dentro del plan", "auto_convert": "no"},
        after_tax_cap="15%",
        tax_year="2026",
        age="40",
        pay="200k",
        pay_frequency="cada dos semanas",
        deferrals="max",
        deferrals_so_far="20.000",
        other_deferrals="0",
        employer="100% del primer 6%",
        true_up="no",
        after_tax_in="0",
        balance="0",
        filing_status="soltero",
        magi="mi sueldo",
        ira_balance="0",
        prior_pay="igual",
    )
    text = result(chat)
    assert "19 %" in text or "19%" in text
    assert "paycheck" not in text


def test_an_hr_profile_gives_the_true_up_and_the_election_step() -> None:
    """Acme pays every two weeks, elections in half percents, a 10% cap, no true-up.
    Dec 1: 3 paychecks of 7,692.31. Deferrals 24,500 - 19,900 = 4,600 to go: 1,533.33 a
    paycheck = 19.93% -> 19.5% (half-percent steps; whole ones would give 19%) = 1,500.00;
    the last catches up 4,600 - 3,000 = 1,600 = 20.8% -> 20.5% = 1,576.92: 4,576.92 in
    all. After-tax: 10% of each paycheck = 769.23, x 3 = 2,307.69."""
    book = MemoryPlanBook()
    hr = Chat(new_session("en"), today=DEC_1, services=Services(plans=book, user_id=1))
    hr.command("newplan")
    out = hr.fill(
        {
            "plan_name": "Acme 401(k)",
            "plan_after_tax": "yes",
            "plan_in_plan": "yes",
            "plan_in_service": "no",
            "plan_auto": "no",
            "plan_cap": "10%",
            "plan_match": "100% of the first 6%",
            "plan_true_up": "no",
            "plan_nonelective": "none",
            "plan_frequency": "biweekly",
            "plan_step": "half percents",
            "plan_contact": "benefits@acme.example",
        }
    )
    link = next(r.qr for r in out.replies if r.qr is not None)
    assert link is not None
    employee = Chat(new_session("en"), today=DEC_1, services=Services(plans=book, user_id=2))
    employee.command("start", link.rsplit("=", 1)[1])
    employee.fill(
        {"tax_year": "2026", "age": "40", "pay": "200k", "deferrals": "max"},
        deferrals_so_far="19,900",
        other_deferrals="0",
        after_tax_in="0",
        balance="0",
        **SINGLE,
    )
    situation, _ = assessment_of(employee.session, DEC_1)
    assert situation.match_true_up is False
    assert situation.election_step_percent == Decimal("0.5")
    assert situation.paychecks_per_year == 26
    text = result(employee)
    assert "elect 19.5% of each paycheck ($1,500), 20.5% on the last one: $4,576 more" in text
    assert "After-tax: elect 10% of each paycheck ($769): $2,307 more in 2026" in text
    assert "cap of 10% of pay" in text


def test_no_after_tax_so_far_before_the_first_paycheck() -> None:
    """Jan 2: 26 of 26 biweekly paychecks to come, so nothing after-tax is in yet: not
    asked, and counted as 0."""
    day = dt.date(2026, 1, 2)
    chat = chat_on(day)
    chat.fill(
        OPEN_PLAN,
        tax_year="2026",
        age="40",
        pay="100k",
        deferrals="10k",
        other_deferrals="0",
        employer="0",
    )
    assert chat.session.state == "balance"
    assert to_situation(chat.session.answers, 2026, as_of=day).after_tax_contributed == 0


@pytest.mark.parametrize(
    ("pay", "true_up", "asked"),
    [("500k", "no", True), ("360k", "no", False), ("500k", "yes", True)],
)
def test_how_the_match_counts_pay_above_401a17_is_asked_only_where_it_matters(
    pay: str, true_up: str, asked: bool
) -> None:
    """Above the 2026 pay limit of $360,000 a paycheck's match depends on how the plan
    counts the pay past the limit (with no true-up, so does the year's); at $360,000 it
    doesn't."""
    chat = chat_on(DEC_1)
    chat.fill(
        {"after_tax": "no"},
        tax_year="2026",
        age="40",
        pay=pay,
        deferrals="max",
        deferrals_so_far="20k",
        other_deferrals="0",
        employer="100% of the first 6%",
        true_up=true_up,
    )
    assert (chat.session.state == "match_limit") is asked
    if asked:
        assert "$360,000" in plain(chat.outcomes[-1].replies[-1].text)
        chat.type("in full, then stops")
        situation = to_situation(chat.session.answers, 2026, as_of=DEC_1)
        assert situation.compensation_limit_prorated is False


def test_room_under_one_step_of_a_paycheck_is_not_a_percent_to_elect() -> None:
    """Dec 1: 72,000 - 24,500 - 47,480 of employer money = 20 of room, under 1% of a
    7,692.31 paycheck (76.92): no percent can put it in, and the step says so rather
    than "$0 a paycheck"."""
    chat = chat_on(DEC_1)
    chat.fill(
        OPEN_PLAN,
        tax_year="2026",
        age="40",
        pay="200k",
        deferrals="max",
        deferrals_so_far="20k",
        other_deferrals="0",
        employer="47,480",
        after_tax_in="0",
        balance="0",
        **SINGLE,
    )
    text = result(chat)
    assert "$20 of after-tax room is left: less than 1% of a paycheck" in text
    assert "$0 a paycheck" not in text


def test_the_after_tax_step_names_the_cap_that_limits_it() -> None:
    """Dec 1, the 15% cap case: the step's why names the plan's cap, not 415(c)."""
    chat = chat_on(DEC_1)
    chat.fill(
        OPEN_PLAN,
        after_tax_cap="15%",
        tax_year="2026",
        age="40",
        pay="200k",
        deferrals="max",
        deferrals_so_far="20,000",
        other_deferrals="0",
        employer="100% of the first 6%",
        true_up="no",
        after_tax_in="0",
        balance="0",
        **SINGLE,
    )
    text = result(chat)
    assert "That is what your plan's cap of 15% of pay allows on your paychecks left" in text
    assert "That is your room under the $72,000" not in text


def test_no_after_tax_because_the_pay_left_goes_to_deferrals_is_not_a_full_415c() -> None:
    """Dec 1, nothing deferred yet, the maximum planned: 24,500 > the 3 paychecks' 23,076.93
    of pay, so all of it goes to deferrals and no after-tax money fits; 415(c) is far from
    full (72,000 - 23,076.93 = 48,923 more would be allowed)."""
    chat = chat_on(DEC_1)
    chat.fill(
        OPEN_PLAN,
        tax_year="2026",
        age="40",
        pay="200k",
        deferrals="max",
        deferrals_so_far="0",
        other_deferrals="0",
        employer="0",
        after_tax_in="0",
        balance="0",
        **SINGLE,
    )
    text = result(chat)
    assert "No after-tax money fits in your paychecks left" in text
    assert "would allow $48,923 more, but the pay left can't carry it" in text
    assert "already reach the $72,000 total limit" not in text
