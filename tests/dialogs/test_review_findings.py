"""Bugs a fresh-eyes review of the dialog found (each reproduced first), pinned here."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from dialogs.catalog import QUESTIONS
from dialogs.conversation import CHECK_FLOW, assessment_of, handle, new_session
from dialogs.flow import first_needed, is_active
from dialogs.machine import DONE
from dialogs.replies import Choice, Outcome, read_message
from dialogs.session import Session
from rules import ActionCode

from .conftest import TODAY, plain

# January 5, 2026 (TODAY): paid every two weeks, all 26 paychecks of 2026 are to come.
EVERY_TWO_WEEKS = ["!v1:a:pay_frequency:biweekly", "!v1:a:paychecks:26"]
V1 = json.loads((Path(__file__).parent / "fixtures" / "sessions_v1.json").read_text())


def run(
    events: list[str], session: Session | None = None, today: dt.date = TODAY
) -> tuple[Session, Outcome]:
    """Events through the raw handler ("!data" is a tap), the session stored between."""
    s = session or new_session("en")
    last = Outcome()
    for e in events:
        last = handle(s, Choice(e[1:]) if e.startswith("!") else read_message(e), today)
        s = Session.from_json(s.to_json())
    return s, last


DONE_NO_AFTER_TAX = [
    "/start", "!v1:a:after_tax:no", "!v1:a:tax_year:2026", "40", "100k", *EVERY_TWO_WEEKS,
    "!v1:a:deferrals:0", "!v1:a:other_deferrals:0", "!v1:a:employer:0",
    "!v1:a:filing_status:single",
    "!v1:a:magi:pay", "!v1:a:ira_balance:0", "!v1:a:prior_pay:pay",
]  # fmt: skip


def test_an_edit_ahead_never_reaches_the_result_with_questions_open() -> None:
    s, _ = run(["/start", "!v1:a:after_tax:yes", "/summary", "!v1:edit:prior_pay"])
    s, _ = run(["!v1:a:prior_pay:pay"], s)
    assert s.state == "conversion" == first_needed(CHECK_FLOW, s.answers)


def test_back_never_lands_on_a_result_with_questions_open() -> None:
    s, _ = run(DONE_NO_AFTER_TAX)
    assert s.state == DONE
    s, _ = run(["!v1:nav:summary", "!v1:edit:after_tax", "!v1:a:after_tax:yes"], s)
    for _ in range(2):
        s, _ = run(["/back"], s)
        assert s.state != DONE or first_needed(CHECK_FLOW, s.answers) == DONE


def test_an_older_result_asks_the_questions_added_since() -> None:
    data = dict(V1["check_editing_after_result"])
    data["state"], data["history"] = "done", data["history"][:-1]
    s, out = run(["/start"], Session.from_json(json.dumps(data)))
    assert s.state == "pay_frequency"  # new since version 1, before the deferrals
    assert "How often are you paid?" in plain(out.replies[-1].text)
    s, out = run(EVERY_TWO_WEEKS, s)
    assert s.state == "other_deferrals"  # new since version 1
    assert "another employer" in plain(out.replies[-1].text)


def test_a_roth_catch_up_keeps_magi_from_dropping_by_it() -> None:
    """55, 200k, the maximum pre-tax, last year over 150,000: the 8,000 catch-up must be
    Roth (414(v)(7)), so MAGI is 200,000 - 24,500 = 175,500, not 167,500: past the single
    phase-out (168,000), no direct Roth IRA that following step 1 would turn into an
    excess contribution."""
    s, _ = run([
        "/start", "!v1:a:after_tax:no", "!v1:a:tax_year:2026", "55", "200k", *EVERY_TWO_WEEKS,
        "!v1:a:deferrals:max", "!v1:a:other_deferrals:0", "!v1:a:employer:0",
        "!v1:a:filing_status:single", "!v1:a:magi:pay", "!v1:a:roth_part:0",
        "!v1:a:ira_balance:0", "!v1:a:prior_pay:pay",
    ])  # fmt: skip
    situation, assessment = assessment_of(s, TODAY)
    assert situation.magi == Decimal(175500)
    assert ActionCode.contribute_roth_ira not in assessment.codes


def test_pay_edited_below_the_deferrals_asks_them_again() -> None:
    s, _ = run([
        "/start", "!v1:a:after_tax:no", "!v1:a:tax_year:2025", "40", "100k", "24000",
        "!v1:a:other_deferrals:0", "!v1:a:employer:0", "!v1:a:filing_status:single",
        "!v1:a:magi:pay", "/summary", "!v1:edit:pay", "20000",
    ])  # fmt: skip
    assert s.state == "deferrals"
    s, out = run(["19000", "!v1:a:roth_part:0", "!v1:a:ira_balance:0", "!v1:a:prior_pay:pay"], s)
    assert s.state == DONE  # the result, every question answered
    assert "went wrong" not in plain(out.replies[-1].text)


def test_the_spouse_and_the_split_are_asked_when_the_raise_makes_them_count() -> None:
    """Pay 20,000, deferring 10,000: the advice raises deferrals to 20,000 (pre-tax), so
    the person's own compensation for the IRA is gone unless a spouse's pay counts."""
    s, _ = run([
        "/start", "!v1:a:after_tax:no", "!v1:a:tax_year:2026", "35", "20000", *EVERY_TWO_WEEKS,
        "10000", "!v1:a:other_deferrals:0", "!v1:a:employer:0",
        "!v1:a:filing_status:married_joint", "5000",
    ])  # fmt: skip
    assert s.state == "roth_part"
    s, _ = run(["!v1:a:roth_part:0"], s)
    assert s.state == "spouse_pay"
    s, _ = run([
        "/start", "!v1:a:after_tax:no", "!v1:a:tax_year:2026", "35", "20000", *EVERY_TWO_WEEKS,
        "10000", "!v1:a:other_deferrals:0", "!v1:a:employer:0", "!v1:a:filing_status:single",
        "5000",
    ])  # fmt: skip
    assert s.state == "roth_part"


def test_a_roth_ira_step_without_a_figure_still_reads_well() -> None:
    _, out = run([
        "/start", "!v1:a:after_tax:no", "!v1:a:tax_year:2026", "35", "20000", *EVERY_TWO_WEEKS,
        "10000", "!v1:a:other_deferrals:0", "!v1:a:employer:0",
        "!v1:a:filing_status:married_joint", "5000", "!v1:a:roth_part:all",
        "!v1:a:ira_balance:0", "!v1:a:prior_pay:pay",
    ])  # fmt: skip
    text = plain(out.replies[-1].text)
    assert "Contribute  directly" not in text


def test_a_past_refund_deadline_says_it_has_passed() -> None:
    _, out = run(
        [
            "/start", "!v1:a:after_tax:no", "!v1:a:tax_year:2025", "35", "200k", "30000",
            "!v1:a:other_deferrals:0", "!v1:a:employer:0", "!v1:a:filing_status:single",
            "250k", "!v1:a:ira_balance:0", "!v1:a:prior_pay:pay",
        ],
        today=dt.date(2026, 11, 29),  # past April 15, 2026
    )  # fmt: skip
    text = plain(out.replies[-1].text)
    assert "The deadline for a refund that keeps it taxed once was April 15, 2026" in text
    assert "by April 15, 2026; otherwise" not in text


def test_employer_dollars_beside_a_raise_come_with_a_caution() -> None:
    _, out = run([
        "/start", "!v1:a:after_tax:yes", "!v1:a:conversion:in_plan", "!v1:a:auto_convert:yes",
        "!v1:a:after_tax_cap:none", "!v1:a:tax_year:2026", "40", "200k", *EVERY_TWO_WEEKS,
        "5000", "!v1:a:other_deferrals:0", "5000", "0", "!v1:a:balance:0",
        "!v1:a:filing_status:single", "250k", "!v1:a:ira_balance:0", "!v1:a:prior_pay:pay",
    ])  # fmt: skip
    assert "If it is a match that grows when you raise your deferrals" in plain(
        out.replies[-1].text
    )


def test_edits_that_contradict_a_kept_answer_ask_it_again() -> None:
    s, _ = run([
        "/start", "!v1:a:after_tax:yes", "!v1:a:conversion:in_plan", "!v1:a:auto_convert:no",
        "!v1:a:after_tax_cap:none", "!v1:a:tax_year:2026", "40", "200k", *EVERY_TWO_WEEKS,
        "24500", "!v1:a:other_deferrals:0", "0", "0", "5300", "300",
        "!v1:a:filing_status:single", "250k", "63000", "6000", "!v1:a:prior_pay:pay", "24%",
    ])  # fmt: skip
    assert s.state == DONE
    s, _ = run(["/summary", "!v1:edit:balance", "100"], s)
    assert s.state == "earnings"  # 300 of earnings can't stand in a 100 balance
    s, _ = run(["50", "/summary", "!v1:edit:ira_balance", "1000"], s)
    assert s.state == "ira_basis"  # nor a 6,000 basis in a 1,000 IRA


def test_back_skips_a_question_a_later_answer_made_moot() -> None:
    s, _ = run([
        "/start", "!v1:a:after_tax:yes", "!v1:a:conversion:in_plan", "!v1:a:auto_convert:no",
        "/summary", "!v1:edit:after_tax", "!v1:a:after_tax:no",
    ])  # fmt: skip
    for _ in range(4):
        s, _ = run(["/back"], s)
        assert s.state not in QUESTIONS or is_active(QUESTIONS[s.state], s.answers)


def test_the_chart_draws_the_advised_raise() -> None:
    _, out = run([
        "/start", "!v1:a:after_tax:yes", "!v1:a:conversion:in_plan", "!v1:a:auto_convert:yes",
        "!v1:a:after_tax_cap:none", "!v1:a:tax_year:2026", "40", "200k", *EVERY_TWO_WEEKS,
        "5000", "!v1:a:other_deferrals:0", "100% of the first 6%", "!v1:a:true_up:yes", "0",
        "!v1:a:balance:0",
        "!v1:a:filing_status:single", "250k", "!v1:a:ira_balance:0", "!v1:a:prior_pay:pay",
    ])  # fmt: skip
    chart = out.replies[-1].chart
    assert chart is not None
    amounts = {g.kind: g.amount for g in chart.segments}
    # 5,000 now + 19,500 to add + 12,000 match at 24,500 + 35,500 room = 72,000.
    assert amounts["deferrals"] + amounts["raise"] == Decimal(24500)
    assert amounts["employer"] == Decimal(12000)
    assert sum(v for k, v in amounts.items() if k not in ("catch_up", "excess")) == Decimal(72000)


def test_a_pre_tax_ira_beside_a_backdoor_asks_the_tax_rate() -> None:
    s, _ = run([
        "/start", "!v1:a:after_tax:yes", "!v1:a:conversion:in_plan", "!v1:a:auto_convert:yes",
        "!v1:a:after_tax_cap:none", "!v1:a:tax_year:2026", "40", "200k", *EVERY_TWO_WEEKS,
        "24500", "!v1:a:other_deferrals:0", "0", "0", "!v1:a:balance:0",
        "!v1:a:filing_status:single", "250k", "63000", "!v1:a:ira_basis:0",
        "!v1:a:prior_pay:pay",
    ])  # fmt: skip
    assert s.state == "tax_rate"
    _, out = run(["32%"], s)
    assert "of tax at your rate" in plain(out.replies[-1].text)


def test_same_typed_reads_back_as_about_the_same() -> None:
    s, out = run([*DONE_NO_AFTER_TAX[:-1], "same"])
    assert out.ack is not None
    assert plain(out.ack.text).endswith("→ About the same")
    _, out = run(["/summary"], s)
    assert "Last year's pay: About the same" in plain(out.replies[-1].text)


def test_a_forged_amount_past_the_maximum_is_a_stale_tap() -> None:
    s, out = run(["/start", "!v1:a:after_tax:no", "!v1:a:tax_year:2026", "35"])
    _, out = run(["!v1:a:pay:9999999999"], s)
    assert out.notice is not None
