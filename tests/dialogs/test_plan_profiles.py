"""HR plan profiles through the real dialog: set up, share, start from a link, edit, delete."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.memory import MemoryPlanBook
from dialogs.catalog import PLAN_QUESTIONS, to_situation
from dialogs.conversation import assessment_of, new_session
from dialogs.machine import DONE
from dialogs.plans import (
    CODE,
    PlanProfile,
    Services,
    check_answers,
    looks_like_code,
    new_code,
)
from dialogs.replies import Choice, Outcome
from dialogs.session import MatchFormula, PlanAnswers
from rules import assess

from .conftest import NO_AFTER_TAX_100K, TODAY, Chat, plain

HR_ID, EMPLOYEE_ID, STRANGER_ID = 1001, 2002, 3003
ACME_ANSWERS = [
    "Acme 401(k)",  # name
    "yes",  # after-tax
    "yes",  # in-plan conversion
    "no",  # in-service withdrawal
    "yes",  # automatic conversion
    "15%",  # after-tax cap
    "50% of the first 6%",  # match
    "yes",  # true-up
    "3%",  # nonelective
]


def chat_for(book: MemoryPlanBook, user_id: int, lang: str = "en", **extra: object) -> Chat:
    services = Services(plans=book, user_id=user_id, **extra)  # type: ignore[arg-type]
    return Chat(new_session(lang), services=services)


def buttons(outcome: Outcome) -> list[str]:
    return [b.data for r in outcome.replies for row in r.buttons for b in row]


def set_up_acme(hr: Chat) -> str:
    """/newplan answered by typing, as an HR person would; returns the new code."""
    hr.command("newplan")
    for answer in ACME_ANSWERS:
        hr.type(answer)
    hr.tap("plan_frequency", "biweekly")
    hr.tap("plan_step", "1")  # whole percents
    out = hr.type("benefits@acme.example")
    share = next(r for r in out.replies if r.qr is not None)
    assert share.qr is not None
    code = share.qr.rsplit("=", 1)[1]
    assert share.qr == f"https://t.me/megaroth_bot?start={code}"
    assert share.qr in plain(share.text)
    return code


@pytest.fixture
def book() -> MemoryPlanBook:
    return MemoryPlanBook()


@pytest.fixture
def hr(book: MemoryPlanBook) -> Chat:
    return chat_for(book, HR_ID)


# ---------------------------------------------------------------- the HR side


def test_newplan_saves_what_hr_said_and_hands_out_a_link(hr: Chat, book: MemoryPlanBook) -> None:
    code = set_up_acme(hr)
    profile = book.get_plan(code)
    assert profile is not None
    assert profile.owner_id == HR_ID
    assert profile.name == "Acme 401(k)"
    assert profile.updated == TODAY
    assert not profile.verified
    assert profile.answers == PlanAnswers(
        plan_name="Acme 401(k)", plan_after_tax="yes", plan_in_plan="yes",
        plan_in_service="no", plan_auto="yes", plan_cap=Decimal(15),
        plan_match=MatchFormula(rate=Decimal(50), up_to=Decimal(6)), plan_true_up="yes",
        plan_nonelective=Decimal(3), plan_frequency="biweekly", plan_step="1",
        plan_contact="benefits@acme.example",
    )  # fmt: skip
    assert hr.session.setup is None  # back to their own check, the draft dropped


def test_setup_offers_no_not_sure_and_refuses_it_typed(hr: Chat) -> None:
    hr.command("newplan")
    hr.type("Acme 401(k)")
    out = hr.type("not sure")
    assert hr.session.state == "plan_after_tax"
    assert "Tap Yes or No." in plain(out.replies[-1].text)
    assert buttons(out)[:2] == ["v1:a:plan_after_tax:yes", "v1:a:plan_after_tax:no"]
    assert not any("unsure" in b for b in buttons(out))
    out = hr.send(Choice("v1:a:plan_after_tax:unsure"))  # a forged button
    assert out.notice is not None
    assert hr.session.setup is not None
    assert hr.session.setup.draft.plan_after_tax is None


def test_a_plan_without_after_tax_skips_conversion_questions(
    hr: Chat, book: MemoryPlanBook
) -> None:
    hr.command("newplan")
    hr.type("Plain 401(k)")
    hr.tap("plan_after_tax", "no")
    assert hr.session.state == "plan_match"
    hr.tap("plan_match", "none")
    assert hr.session.state == "plan_nonelective"  # no match: no true-up question
    hr.tap("plan_nonelective", "none")
    hr.tap("plan_frequency", "monthly")
    hr.tap("plan_step", "0.5")
    out = hr.type("https://intranet.example/benefits")
    code = next(r.qr for r in out.replies if r.qr).rsplit("=", 1)[1]
    assert check_answers(book.plans[code].answers) == {
        "after_tax": "no", "employer": "0", "pay_frequency": "monthly", "election_step": "0.5",
        "from_plan": True,
    }  # fmt: skip


@pytest.mark.parametrize("name", ["", "x" * 65, "Acme\x00401k", "   "])
def test_bad_plan_names_are_reasked(hr: Chat, name: str) -> None:
    hr.command("newplan")
    out = hr.type(name)
    assert hr.session.state == "plan_name"
    assert "up to 64 characters" in plain(out.replies[-1].text)


def test_plan_name_is_escaped_everywhere(hr: Chat, book: MemoryPlanBook) -> None:
    hr.command("newplan")
    hr.type("<b>Acme</b> & Co")
    for answer in ACME_ANSWERS[1:]:
        hr.type(answer)
    hr.tap("plan_frequency", "weekly")
    hr.tap("plan_step", "1")
    out = hr.type("hr@acme.example")
    assert "&lt;b&gt;Acme&lt;/b&gt; &amp; Co" in out.replies[0].text
    code = next(iter(book.plans))
    employee = chat_for(book, EMPLOYEE_ID)
    out = employee.command("start", code)
    assert "&lt;b&gt;Acme&lt;/b&gt; &amp; Co" in out.replies[0].text


def test_codes_are_random_and_url_safe() -> None:
    codes = {new_code() for _ in range(1000)}
    assert len(codes) == 1000
    for code in codes:
        assert CODE.fullmatch(code)
        assert len(code) == 16  # 12 random bytes = 96 bits, base64url


def test_the_allow_list_limits_who_sets_up_profiles(book: MemoryPlanBook) -> None:
    outsider = chat_for(book, STRANGER_ID, may_create_plans=False)
    out = outsider.command("newplan")
    assert "limited to people this bot's operator has allowed" in plain(out.replies[0].text)
    assert outsider.session.setup is None


def test_myplans_lists_counts_and_only_the_creators(hr: Chat, book: MemoryPlanBook) -> None:
    code = set_up_acme(hr)
    for person in range(3):
        chat_for(book, 5000 + person).command("start", code)
    same = chat_for(book, 6000)
    same.command("start", code)
    same.command("start", code)  # the same person again: counted once
    out = hr.command("myplans")
    text = "\n".join(plain(r.text) for r in out.replies)
    assert "Acme 401(k)" in text
    assert "4 people started a check through it." in text
    assert f"v1:plan:edit:{code}" in buttons(out)
    assert f"v1:plan:qr:{code}" in buttons(out)
    assert f"v1:plan:del:{code}" in buttons(out)
    theirs = chat_for(book, STRANGER_ID).command("myplans")
    assert "You haven't set up any plan profiles yet." in plain(theirs.replies[0].text)


def test_qr_button_resends_the_link(hr: Chat) -> None:
    code = set_up_acme(hr)
    out = hr.send(Choice(f"v1:plan:qr:{code}"))
    assert out.replies[0].qr == f"https://t.me/megaroth_bot?start={code}"


@pytest.mark.parametrize("action", ["edit", "qr", "del", "delok"])
def test_someone_else_cannot_touch_a_profile(hr: Chat, book: MemoryPlanBook, action: str) -> None:
    code = set_up_acme(hr)
    stranger = chat_for(book, STRANGER_ID)
    out = stranger.send(Choice(f"v1:plan:{action}:{code}"))
    assert "isn't yours to change" in (out.notice or "")
    assert book.get_plan(code) is not None
    assert stranger.session.setup is None
    assert not book.delete_plan(code, STRANGER_ID)  # the book checks the owner too


# ---------------------------------------------------------------- the employee side


def test_a_link_skips_the_plan_questions_and_greets_with_the_plan(
    hr: Chat, book: MemoryPlanBook
) -> None:
    code = set_up_acme(hr)
    employee = chat_for(book, EMPLOYEE_ID)
    out = employee.command("start", code)
    greeting = plain(out.replies[0].text)
    assert (
        "Checking with Acme 401(k)'s settings, as set up on January 5, 2026 by the "
        "person who shared this link (not checked by anyone else)." in greeting
    )
    assert "Questions about the plan: benefits@acme.example" in greeting
    assert employee.session.state == "tax_year"  # no plan question asked
    assert book.plans[code].starts == 1
    out = employee.tap("tax_year", "2026")  # the first personal answer
    assert "mega backdoor Roth is open to you" in plain(out.replies[0].text)
    asked = {r.buttons[0][0].data.split(":")[2] for o in employee.outcomes for r in o.replies
             if r.buttons and r.buttons[0][0].data.startswith("v1:a:")}  # fmt: skip
    assert not asked & set(PLAN_QUESTIONS)


def test_the_match_formula_turns_into_dollars(hr: Chat, book: MemoryPlanBook) -> None:
    code = set_up_acme(hr)
    employee = chat_for(book, EMPLOYEE_ID)
    employee.command("start", code)
    employee.fill(
        {
            "tax_year": "2026",
            "age": "45",
            "pay": "$200,000",
            "deferrals": "$12,000",  # 6% of pay
            "other_deferrals": "0",
            "after_tax_in": "0",
        }
    )
    situation, assessment = assessment_of(employee.session, TODAY)
    # Match: 50% x min(6%, 6%) x $200,000 = $6,000, priced by the core from the tiers.
    # Nonelective: 3% x $200,000 = $6,000, the only employer money given in dollars.
    assert situation.match_tiers == ((Decimal(50), Decimal(6)),)
    assert situation.employer_contributions == Decimal("6000.00")
    assert assessment.employer_match == Decimal("6000.00")
    # 415(c) 2026 $72,000 - $12,000 deferred - $12,000 employer = $48,000, but the
    # plan caps after-tax at 15% of pay, read as what 15% of each paycheck withholds:
    # 15% of $7,692.31 = $1,153.85 (1,153.8465, half up) x 26 = $30,000.10, which the
    # cap allows (15% of $200,000 is $30,000.00; payroll's cents on each paycheck are
    # within it).
    assert assessment.after_tax_room == Decimal("30000.10")


def test_the_match_follows_pay_above_the_401a17_limit(book: MemoryPlanBook) -> None:
    profile = PlanProfile(
        code=new_code(), name="Big Co plan", owner_id=HR_ID, updated=TODAY,
        answers=PlanAnswers(
            plan_name="Big Co plan", plan_after_tax="yes", plan_in_plan="yes",
            plan_in_service="yes", plan_auto="no", plan_cap="none",
            plan_match=MatchFormula(rate=Decimal(100), up_to=Decimal(4)),
            plan_nonelective="none", plan_frequency="semimonthly", plan_contact="hr@big.example",
        ),
    )  # fmt: skip
    book.save_plan(profile)
    employee = chat_for(book, EMPLOYEE_ID)
    employee.command("start", profile.code)
    employee.fill({"tax_year": "2026", "age": "40", "pay": "$500,000"})
    employee.tap("deferrals", "max")
    employee.tap("other_deferrals", "0")
    situation = to_situation(employee.session.answers, 2026)
    # 2026 401(a)(17) pay cap $360,000; deferring $24,500 of plan pay $360,000 = 6.8%
    # >= 4%: 100% x 4% x $360,000 = $14,400.
    assert situation.match_tiers == ((Decimal(100), Decimal(4)),)
    assert assess(situation).employer_match == Decimal("14400.00")
    assert situation.plan.after_tax_cap_percent is None


def test_prefilled_answers_can_be_changed_in_the_summary(hr: Chat, book: MemoryPlanBook) -> None:
    code = set_up_acme(hr)
    employee = chat_for(book, EMPLOYEE_ID)
    employee.command("start", code)
    out = employee.command("summary")
    text = plain(out.replies[0].text)
    assert "Plan answers from Acme 401(k), as set up on January 5, 2026." in text
    assert "After-tax cap: 15%" in text
    assert "Employer contributions: 50% of the first 6% of pay, plus 3% of pay" in text
    assert "v1:edit:after_tax_cap" in buttons(out)
    employee.send(Choice("v1:edit:after_tax_cap"))
    employee.type("10%")  # "my plan changed"
    assert employee.session.answers.after_tax_cap == Decimal(10)
    employee.send(Choice("v1:edit:conversion"))
    employee.tap("conversion", "neither")
    assert employee.session.answers.conversion == "neither"


def test_a_profile_edit_changes_new_checks_not_started_ones(
    hr: Chat, book: MemoryPlanBook
) -> None:
    code = set_up_acme(hr)
    before = chat_for(book, EMPLOYEE_ID)
    before.command("start", code)
    hr.send(Choice(f"v1:plan:edit:{code}"))
    hr.send(Choice("v1:pe:plan_cap"))
    hr.tap("plan_cap", "none")
    out = hr.send(Choice("v1:plan:save"))
    assert "Saved." in plain(out.replies[0].text)
    assert book.plans[code].answers.plan_cap == "none"
    assert before.session.answers.after_tax_cap == Decimal(15)  # kept as it was
    after = chat_for(book, STRANGER_ID)
    after.command("start", code)
    assert after.session.answers.after_tax_cap == "none"
    before.command("restart")  # a new check picks up the new values
    assert before.session.answers.after_tax_cap == "none"


def test_cancelling_an_edit_changes_nothing(hr: Chat, book: MemoryPlanBook) -> None:
    code = set_up_acme(hr)
    hr.send(Choice(f"v1:plan:edit:{code}"))
    hr.send(Choice("v1:pe:plan_name"))
    hr.type("Renamed plan")
    hr.send(Choice("v1:plan:cancel"))
    assert book.plans[code].name == "Acme 401(k)"
    assert hr.session.setup is None


def test_a_deleted_profile_says_so_in_one_line(hr: Chat, book: MemoryPlanBook) -> None:
    code = set_up_acme(hr)
    started = chat_for(book, EMPLOYEE_ID)
    started.command("start", code)
    out = hr.send(Choice(f"v1:plan:del:{code}"))
    assert f"v1:plan:delok:{code}" in buttons(out)
    assert book.get_plan(code) is not None  # not before the confirmation
    hr.send(Choice(f"v1:plan:delok:{code}"))
    assert book.get_plan(code) is None
    newcomer = chat_for(book, STRANGER_ID)
    out = newcomer.command("start", code)
    assert plain(out.replies[0].text).startswith("That plan link doesn't work")
    assert newcomer.session.state == "after_tax"  # the normal questions
    assert started.session.answers.after_tax == "yes"  # started checks keep theirs
    out = started.command("restart")
    assert "no longer shared" in plain(out.replies[0].text)
    assert started.session.state == "after_tax"


@pytest.mark.parametrize(
    "payload",
    [
        ("x" * 65,),  # too long
        ("abc$def",),  # odd characters
        ("../../etc",),
        ("short",),  # not a code's shape
        ("A" * 16,),  # the right shape, no such profile
        ("one", "two"),  # two words
        ("' OR 1=1 --",),
    ],
)
def test_forged_and_malformed_payloads(book: MemoryPlanBook, payload: tuple[str, ...]) -> None:
    chat = chat_for(book, EMPLOYEE_ID)
    out = chat.command("start", *payload)
    assert plain(out.replies[0].text).startswith("That plan link doesn't work")
    assert chat.session.profile is None
    assert chat.session.state == "after_tax"


@given(st.text(max_size=80))
def test_any_payload_is_answered_and_never_raises(payload: str) -> None:
    chat = chat_for(MemoryPlanBook(), EMPLOYEE_ID)
    out = chat.command("start", payload) if payload else chat.command("start")
    assert out.replies
    assert chat.session.profile is None


def test_looks_like_code_boundaries() -> None:
    assert not looks_like_code("A" * 15)
    assert looks_like_code("A" * 16)
    assert looks_like_code("A" * 64)
    assert not looks_like_code("A" * 65)


def test_a_link_mid_check_keeps_personal_answers(hr: Chat, book: MemoryPlanBook) -> None:
    code = set_up_acme(hr)
    chat = chat_for(book, EMPLOYEE_ID)
    chat.command("start")
    chat.tap("after_tax", "unsure")
    chat.tap("conversion", "unsure")
    chat.tap("tax_year", "2026")
    chat.type("52")
    chat.command("start", code)
    assert chat.session.answers.age == 52
    assert chat.session.answers.after_tax == "yes"
    assert chat.session.state == "pay"


def test_setting_up_mid_check_comes_back_to_the_check(hr: Chat) -> None:
    hr.command("start")
    hr.tap("after_tax", "yes")
    hr.tap("conversion", "in_plan")
    set_up_acme(hr)
    assert hr.session.setup is None
    assert hr.session.state == "auto_convert"
    assert hr.session.history == ["after_tax", "conversion"]


def test_commands_during_setup(hr: Chat) -> None:
    hr.command("newplan")
    hr.type("Acme 401(k)")
    out = hr.command("help")
    assert hr.session.state == "plan_after_tax"
    assert "after-tax" in plain(out.replies[-1].text)  # the setup question again
    out = hr.command("back")
    assert hr.session.state == "plan_name"
    out = hr.send(Choice("v1:a:after_tax:yes"))  # a check button from before
    assert out.notice is not None
    assert hr.session.state == "plan_name"
    out = hr.command("cancel")
    assert "nothing was saved" in plain(out.replies[0].text)
    assert hr.session.setup is None
    out = hr.command("cancel")
    assert "There's nothing to cancel." in plain(out.replies[0].text)


def test_forget_erases_the_persons_profiles(hr: Chat, book: MemoryPlanBook) -> None:
    code = set_up_acme(hr)
    out = hr.command("forget")
    assert out.forget
    assert "That includes 1 plan profile you set up" in plain(out.replies[0].text)
    assert book.get_plan(code) is None


def test_privacy_states_the_retention(book: MemoryPlanBook) -> None:
    chat = chat_for(book, EMPLOYEE_ID, retention_days=45)
    out = chat.command("privacy")
    assert "45 days after your last message" in plain(out.replies[0].text)


def test_spanish_greeting(hr: Chat, book: MemoryPlanBook) -> None:
    code = set_up_acme(hr)
    employee = chat_for(book, EMPLOYEE_ID, lang="es-MX")
    out = employee.command("start", code)
    assert "Acme 401(k)" in plain(out.replies[0].text)
    assert "Checking with" not in plain(out.replies[0].text)


# ---------------------------------------------------------------- paychecks from frequency


def test_the_paychecks_question_offers_the_frequency_estimate(
    hr: Chat, book: MemoryPlanBook
) -> None:
    code = set_up_acme(hr)
    employee = chat_for(book, EMPLOYEE_ID)
    # Nov 29 to Dec 31 is 33 days, both counted: biweekly ceil(33 / 14) = 3 paychecks.
    employee.today = dt.date(2026, 11, 29)
    employee.command("start", code)
    employee.tap("tax_year", "2026")
    employee.type("45")
    out = employee.type("$200,000")  # the plan's profile says how often pay comes
    assert employee.session.state == "paychecks"
    assert "v1:a:paychecks:3" in buttons(out)
    assert re.search(r"3 \(biweekly pay, from today\)", out.replies[-1].buttons[0][0].label)
    employee.send(Choice("v1:a:paychecks:3"))
    assert employee.session.answers.paychecks == 3
    assert employee.session.state != DONE


# ---------------------------------------------------------------- found in review


@pytest.mark.parametrize("name", ["max", "pay", "skip", "none"])
def test_a_plan_may_be_called_like_a_button(hr: Chat, name: str) -> None:
    hr.command("newplan")
    out = hr.type(name)
    assert out.ack is not None
    assert out.ack.text.endswith(f"<b>→ {name}</b>")
    assert hr.session.setup is not None
    assert hr.session.setup.draft.plan_name == name


def test_a_command_with_words_does_not_throw_a_draft_away(hr: Chat) -> None:
    hr.command("newplan")
    hr.type("Acme 401(k)")
    hr.command("newplan", "again")
    hr.command("summary", "please")
    assert hr.session.setup is not None
    assert hr.session.setup.draft.plan_name == "Acme 401(k)"


def test_editing_another_profile_mid_setup_says_the_draft_was_dropped(hr: Chat) -> None:
    code = set_up_acme(hr)
    hr.command("newplan")
    hr.type("Half-done plan")
    out = hr.send(Choice(f"v1:plan:edit:{code}"))
    assert "The plan you were setting up was not saved." in plain(out.replies[0].text)
    assert hr.session.setup is not None
    assert hr.session.setup.editing == code


def test_cancel_after_the_result_is_one_line(chat_en: Chat) -> None:
    chat_en.tap("after_tax", "no")
    chat_en.fill(NO_AFTER_TAX_100K)
    assert chat_en.session.state == DONE
    out = chat_en.command("cancel")
    assert [plain(r.text) for r in out.replies] == ["There's nothing to cancel."]


def test_no_pay_but_employer_money_still_gets_a_result(chat_en: Chat) -> None:
    """Pay $0 makes the 415(c) limit $0 (100% of pay): no chart, but no crash either."""
    chat = chat_en
    chat.tap("after_tax", "no")
    chat.fill({"tax_year": "2026", "age": "35", "pay": "0"})
    chat.tap("deferrals", "0")
    chat.tap("other_deferrals", "0")
    chat.type("200000")
    chat.tap("filing_status", "single")
    chat.tap("magi", "pay")
    chat.tap("ira_balance", "0")
    out = chat.tap("prior_pay", "pay")
    assert chat.session.state == DONE
    assert "something went wrong" not in plain(out.replies[-1].text)
    assert out.replies[-1].chart is None


# ---------------------------------------------------------------- two-tier matches


def test_an_employee_types_the_safe_harbor_match(chat_en: Chat) -> None:
    chat = chat_en
    chat.tap("after_tax", "yes")
    chat.tap("conversion", "in_plan")
    chat.tap("auto_convert", "yes")
    chat.fill({"tax_year": "2026", "age": "40", "pay": "$150,000"})
    chat.type("$6,000")  # 4% of pay
    chat.tap("other_deferrals", "0")
    out = chat.type("100% of the first 3% and 50% of the next 2%")
    assert "then 50% of the next 2%" in plain(out.ack.text if out.ack else "")
    situation = to_situation(chat.session.answers, 2026)
    # 100% x 3% x $150,000 = $4,500, + 50% x (4% - 3%) x $150,000 = $750: $5,250.
    assert assess(situation).employer_match == Decimal("5250.00")


def test_hr_sets_up_a_two_tier_match(hr: Chat, book: MemoryPlanBook) -> None:
    hr.command("newplan")
    for answer in ACME_ANSWERS[:6]:
        hr.type(answer)
    hr.type("100% del primer 3% y 50% del siguiente 2%")  # Spanish works in English too
    hr.tap("plan_true_up", "yes")
    hr.tap("plan_nonelective", "none")
    hr.tap("plan_frequency", "biweekly")
    hr.tap("plan_step", "0.1")
    hr.type("hr@acme.example")
    [profile] = book.plans.values()
    assert profile.answers.plan_match == MatchFormula(
        rate=Decimal(100), up_to=Decimal(3), next_rate=Decimal(50), next_up_to=Decimal(2)
    )
    employee = chat_for(book, EMPLOYEE_ID)
    employee.command("start", profile.code)
    employee.fill({"tax_year": "2026", "age": "40", "pay": "$100,000"})
    employee.tap("deferrals", "max")  # 24.5% of pay: both tiers full
    employee.tap("other_deferrals", "0")
    situation = to_situation(employee.session.answers, 2026)
    assert assess(situation).employer_match == Decimal("4000.00")  # $3,000 + $1,000
