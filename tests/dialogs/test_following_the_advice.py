"""Whole conversations for issue 11's section 2: the match priced at the advised
deferrals, MAGI without pre-tax deferrals, questions asked only where they matter,
birth years, planned amounts, dates and the echo of a tapped answer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dialogs.machine import DONE
from dialogs.replies import Choice
from rules import ActionCode

from .conftest import Chat, plain
from .test_personas import codes


def _plan_open(chat: Chat) -> None:
    chat.tap("after_tax", "yes")
    chat.tap("conversion", "in_plan")
    chat.tap("auto_convert", "no")
    chat.tap("after_tax_cap", "none")
    chat.tap("tax_year", "2026")


# Single at 40 in 2026, pay 170,000, the maximum deferred, nothing elsewhere or from the
# employer, MAGI about the pay; a test names what differs.
_SINGLE_2026 = {
    "tax_year": "2026",
    "age": "40",
    "pay": "170k",
    "deferrals": "max",
    "other_deferrals": "0",
    "employer": "0",
    "filing_status": "single",
    "magi": "pay",
}


def test_the_match_is_priced_at_the_deferrals_the_advice_leads_to(chat_en: Chat) -> None:
    """1a: pay 200,000, deferring 5,000, match 100% of the first 6%, age 40 (2026).
    Raise by 24,500 - 5,000 = 19,500; the match then is 6% x 200,000 = 12,000, so the
    room is 72,000 - 24,500 - 12,000 = 35,500 (not 42,500, which would end 7,000 over)."""
    chat = chat_en
    _plan_open(chat)
    chat.fill(
        {
            "age": "40",
            "pay": "200k",
            "deferrals": "5000",
            "other_deferrals": "0",
            "employer": "100% of the first 6%",
            "after_tax_in": "0",
            "balance": "0",
            "filing_status": "single",
            "magi": "pay",
            "ira_balance": "0",
            "prior_pay": "pay",
        }
    )
    assert chat.session.state == DONE
    text = chat.last_text
    assert "Raise your 401(k) deferrals by $19,500" in text
    assert "Contribute $35,500 after-tax this year" in text
    assert "$42,500" not in text


def test_magi_about_my_pay_leaves_out_pre_tax_deferrals(chat_en: Chat) -> None:
    """2a: single, pay 170,000, the maximum deferred pre-tax, 100,000 in a pre-tax IRA.
    MAGI 170,000 - 24,500 = 145,500, under the 2026 single phase-out (153,000): a direct
    7,500 Roth IRA, not a backdoor that the IRA would make 93% taxable."""
    chat = chat_en
    chat.tap("after_tax", "no")
    chat.fill(_SINGLE_2026)
    assert chat.session.state == "roth_part"  # MAGI straddles the phase-out: it matters
    chat.tap("roth_part", "0")  # all pre-tax
    chat.type("100,000")
    chat.tap("ira_basis", "0")
    chat.tap("prior_pay", "pay")
    out = chat.tap("tax_rate", "skip")  # asked: the pre-tax IRA would tax a backdoor
    text = plain(out.replies[-1].text)
    assert "Contribute $7,500 directly to a Roth IRA" in text
    assert "Backdoor" not in text
    assert "backdoor_roth" not in codes(chat)


def test_all_roth_deferrals_leave_magi_at_pay(chat_en: Chat) -> None:
    """The same person deferring all Roth: MAGI 170,000 is past 168,000: the backdoor,
    with the pro-rata warning first (100,000 / 107,500 = 93% taxable)."""
    chat = chat_en
    chat.tap("after_tax", "no")
    chat.fill(_SINGLE_2026)
    chat.tap("roth_part", "all")
    chat.type("100,000")
    chat.tap("ira_basis", "0")
    chat.tap("prior_pay", "pay")
    chat.tap("tax_rate", "0.32")
    assert codes(chat)[:2] == ["max_elective_deferrals", "pro_rata_warning"] or codes(chat)[
        :2
    ] == ["pro_rata_warning", "backdoor_roth"]
    assert codes(chat).index("pro_rata_warning") < codes(chat).index("backdoor_roth")
    assert "93%" in chat.last_text


def test_questions_come_only_where_they_change_the_result(chat_en: Chat) -> None:
    """2c: no Roth-split question when MAGI is past the phase-out either way, no spouse
    question for a single filer, no basis question without an IRA balance."""
    chat = chat_en
    chat.tap("after_tax", "no")
    chat.fill(_SINGLE_2026, pay="400k", ira_balance="0", prior_pay="pay")
    assert chat.session.state == DONE
    asked = set(chat.session.history)
    assert not asked & {"roth_part", "spouse_pay", "ira_basis"}


def test_a_joint_filer_with_little_pay_is_asked_the_spouses_pay(chat_en: Chat) -> None:
    """219(c): own pay 3,000, spouse 100,000, MAGI 103,000, joint: a 7,500 Roth IRA."""
    chat = chat_en
    chat.tap("after_tax", "no")
    chat.fill(
        {
            "tax_year": "2026",
            "age": "30",
            "pay": "3000",
            "deferrals": "0",
            "other_deferrals": "0",
            "employer": "0",
            "filing_status": "married jointly",
            "magi": "103000",
        }
    )
    assert chat.session.state == "spouse_pay"
    chat.type("100000")
    chat.tap("ira_balance", "0")
    chat.tap("prior_pay", "pay")
    assert "Contribute $7,500 directly to a Roth IRA" in chat.last_text


def test_a_birth_year_follows_the_tax_year(chat_en: Chat) -> None:
    """2d: born 1976 is 50 at the end of 2026 (catch-up) but 49 in 2025 (none)."""
    chat = chat_en
    chat.today = dt.date(2025, 6, 2)
    chat.tap("after_tax", "no")
    chat.tap("tax_year", "2026")
    out = chat.type("1976")
    assert "Born 1976 (50 on Dec 31, 2026)" in plain(out.ack.text if out.ack else "")
    chat.fill(
        {
            "pay": "120k",
            "deferrals": "max",
            "other_deferrals": "0",
            "employer": "0",
            "filing_status": "single",
            "magi": "pay",
            "ira_balance": "0",
            "prior_pay": "pay",
        }
    )
    text = chat.last_text
    assert "$32,500" in plain(chat.command("summary").replies[0].text)  # 24,500 + 8,000
    chat.send(Choice("v1:edit:tax_year"))
    chat.tap("tax_year", "2025")
    summary = plain(chat.command("summary").replies[0].text)
    assert "Born 1976 (49 on Dec 31, 2025)" in summary
    assert "The maximum ($23,500)" in summary  # 2025: 23,500, no catch-up at 49
    assert text


def test_a_plan_above_the_limit_is_lowered_not_refunded(chat_en: Chat) -> None:
    """2e: 30,000 planned at 35 in 2026: set the election to 24,500, no excess to fix."""
    chat = chat_en
    chat.tap("after_tax", "no")
    chat.fill(
        _SINGLE_2026,
        age="35",
        pay="200k",
        deferrals="30000",
        ira_balance="0",
        prior_pay="pay",
    )
    text = chat.last_text
    assert "Set your 401(k) deferrals for 2026 to $24,500 in total, not $30,000" in text
    assert "Fix an excess" not in text
    assert "excess_contribution" not in codes(chat)


def test_the_maximum_stays_under_415c_with_the_employer_money(chat_en: Chat) -> None:
    """2e: pay 30,000 and 10,000 from the employer: 415(c) is 30,000 (all of pay), so
    the most that can be deferred at 35 is 30,000 - 10,000 = 20,000, not 24,500."""
    chat = chat_en
    chat.tap("after_tax", "no")
    chat.fill({"tax_year": "2026", "age": "35", "pay": "30000"})
    chat.tap("deferrals", "max")
    chat.tap("other_deferrals", "0")
    out = chat.type("10000")
    summary = plain(chat.command("summary").replies[0].text)
    assert "The maximum ($20,000)" in summary
    assert out.replies


def test_a_past_year_says_what_is_still_possible(chat_en: Chat) -> None:
    """2f: 2025 on 2026-02-10: payroll is closed, the IRA is open until April 15."""
    chat = chat_en
    chat.today = dt.date(2026, 2, 10)
    chat.tap("after_tax", "no")
    chat.fill(
        _SINGLE_2026,
        tax_year="2025",
        pay="100k",
        deferrals="10000",
        ira_balance="0",
        prior_pay="pay",
    )
    text = chat.last_text
    assert "2025 is over: its payroll is closed" in text
    assert "still possible until April 15, 2026" in text
    assert "Raise your 401(k) deferrals" not in text
    assert "Contribute $7,000 directly to a Roth IRA" in text
    assert ActionCode.year_closed.value in codes(chat)


def test_next_years_figures_not_loaded_is_said_plainly(chat_en: Chat) -> None:
    """2f: on 2027-01-05 without 2027 figures: 'I don't have', never 'hasn't published'."""
    chat = Chat(chat_en.session, today=dt.date(2027, 1, 5))
    out = chat.command("restart")
    chat.tap("after_tax", "no")
    text = chat.last_text
    assert "I don't have the IRS's 2027 figures yet" in text
    assert "hasn't published" not in text
    assert out.replies


def test_the_echo_of_a_tap_is_the_buttons_own_label(chat_en: Chat) -> None:
    """2g: tapping 'About the same' echoes 'About the same', not 'About my pay'."""
    chat = chat_en
    chat.tap("after_tax", "no")
    chat.fill(_SINGLE_2026, pay="100k", deferrals="0", ira_balance="0")
    out = chat.tap("prior_pay", "pay")
    assert out.ack is not None
    assert plain(out.ack.text).endswith("→ About the same")
    assert Decimal(0) == chat.session.answers.ira_balance
