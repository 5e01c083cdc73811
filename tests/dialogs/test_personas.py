"""Whole conversations for several people, in English and Spanish, through the real code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dialogs.conversation import assessment_of
from dialogs.machine import DONE
from dialogs.replies import Choice
from rules import ActionCode

from .conftest import NO_AFTER_TAX_100K, Chat, plain


def codes(chat: Chat) -> list[str]:
    _, assessment = assessment_of(chat.session, chat.today)
    return [c.value for c in assessment.codes]


def test_article_2024_case_english(chat_en: Chat) -> None:
    """The article's 2024 figures: $69,000 - $23,000 deferred, no match = $46,000 room."""
    chat = chat_en
    chat.today = dt.date(2024, 1, 22)  # planning 2024 while it is open: 23 paychecks left
    chat.tap("after_tax", "yes")
    chat.tap("conversion", "in_plan")
    chat.tap("auto_convert", "no")
    out = chat.tap("after_tax_cap", "none")  # the last plan question: the verdict
    assert "mega backdoor Roth is open to you" in plain(out.replies[0].text)
    chat.tap("tax_year", "2024")
    chat.type("40")
    chat.type("$200,000")
    # Twice a month, the 15th and the month's end: January 15 is paid, 23 are left.
    chat.tap("pay_frequency", "semimonthly")
    chat.type("23")
    chat.type("23k")  # the 2024 402(g) limit
    chat.tap("deferrals_so_far", "958")  # 23,000 / 24 for January 15, the even estimate
    chat.tap("other_deferrals", "0")
    chat.tap("employer", "0")
    out = chat.tap("after_tax_in", "0")  # the room is known now
    # 46,000 / 23 = 2,000 exactly: 24% of each 8,333.33 paycheck (200,000 / 24) is
    # 1,999.9992, withheld as 2,000.00; 23 x 1,999.9992 = 45,999.98 fits the 46,000.
    room = plain(out.replies[0].text)
    assert "So far: $46,000 of after-tax room in 2024." in room
    assert "Your 23 paychecks left can carry it: about 24% of each." in room
    assert "23 paychecks left" in room
    chat.tap("balance", "0")
    chat.tap("filing_status", "single")
    chat.tap("magi", "pay")
    chat.tap("ira_balance", "0")
    out = chat.tap("prior_pay", "pay")
    assert chat.session.state == DONE
    text = plain(out.replies[-1].text)
    # 2024 single phase-out ends at $161,000: no direct Roth IRA; backdoor $7,000.
    assert "You can put $53,000 more into Roth accounts in 2024" in text
    assert "Contribute $46,000 after-tax this year (elect 24% of each paycheck)" in text
    assert "After-tax: elect 24% of each paycheck ($2,000): $46,000 more in 2024." in text
    assert "Backdoor Roth: put $7,000 in a traditional IRA" in text
    assert "IRS Notice 2023-75" in text
    assert out.replies[-1].chart is not None
    assert codes(chat) == [
        "backdoor_roth", "contribute_after_tax", "hce_refund_risk", "convert_in_plan"
    ]  # fmt: skip


def test_article_2024_case_at_50_has_the_same_room(chat_en: Chat) -> None:
    """At 50+ the total is $76,500 but the after-tax room is still $46,000."""
    chat = chat_en
    chat.today = dt.date(2024, 1, 3)  # no paycheck of 2024 paid yet
    chat.tap("after_tax", "yes")
    chat.tap("conversion", "both")
    chat.tap("auto_convert", "yes")
    # Born 1974: 50 on Dec 31, 2024; every two weeks, all 26 paychecks of 2024 to come.
    chat.fill({"tax_year": "2024", "age": "1974", "pay": "250k", "paychecks": "26"})
    chat.tap("deferrals", "max")  # 23,000 + 7,500 catch-up
    chat.fill({"other_deferrals": "0", "employer": "0", "after_tax_in": "0"})
    situation, assessment = assessment_of(chat.session, chat.today)
    assert situation.age == 50
    assert situation.elective_deferrals == Decimal(30500)
    assert assessment.after_tax_room == Decimal(46000)


def test_a_61_year_old_in_2026_spanish(chat_es: Chat) -> None:
    """61 in 2026: 24,500 + 11,250 super catch-up; room 72,000 - 24,500 - 6,000 = 41,500."""
    chat = chat_es
    assert "mega backdoor Roth" in chat.all_text()
    chat.type("sí")
    chat.tap("conversion", "in_plan")
    chat.type("no")
    chat.type("sin tope")
    chat.tap("tax_year", "2026")
    chat.type("61")
    chat.type("200.000")  # Spanish thousands separator
    chat.type("cada dos semanas")
    chat.tap("paychecks", "26")  # the calendar's estimate on January 5
    out = chat.tap("deferrals", "max")
    assert "35.750" not in plain(out.ack.text if out.ack else "")
    chat.type("0")  # nothing at other jobs
    chat.type("50% del primer 6%")  # 3% of 200,000 = 6,000
    chat.type("sí")  # the match is trued up
    chat.type("nada")
    chat.tap("balance", "0")
    chat.tap("filing_status", "married_joint")
    chat.type("1,5 mil")  # MAGI $1,500: far under the joint phase-out
    chat.type("0")
    out = chat.type("140000")
    assert chat.session.state == DONE
    situation, assessment = assessment_of(chat.session, chat.today)
    assert situation.elective_deferrals == Decimal(35750)
    assert situation.match_tiers == ((Decimal(50), Decimal(6)),)  # the core prices it
    assert situation.employer_contributions == Decimal(0)  # nothing beside the match
    assert assessment.employer_match == Decimal(6000)
    assert assessment.after_tax_room == Decimal(41500)
    text = plain(out.replies[-1].text)
    assert "$41,500" in text
    assert "Aviso 2025-67" in text or "Notice 2025-67" in text
    # MAGI tiny: the whole IRA maximum (7,500 + 1,100) goes in directly, capped at pay.
    assert assessment.roth_ira_contribution_limit == Decimal(8600)
    assert ActionCode.contribute_roth_ira in assessment.codes


@pytest.mark.parametrize("lang_chat", ["chat_en", "chat_es"])
def test_plan_without_after_tax_skips_the_mega_backdoor_questions(
    lang_chat: str, request: pytest.FixtureRequest
) -> None:
    chat: Chat = request.getfixturevalue(lang_chat)
    chat.tap("after_tax", "no")
    assert chat.session.state == "tax_year"  # no conversion question
    chat.tap("tax_year", "2026")
    chat.type("35")
    chat.type("120000")
    chat.tap("pay_frequency", "biweekly")
    chat.tap("paychecks", "26")
    chat.type("10000")
    chat.type("0")  # nothing at other jobs
    chat.type("3000")
    assert chat.session.state == "filing_status"  # no after-tax, true-up or balance questions
    chat.tap("filing_status", "single")
    chat.type("110000")
    chat.type("0")
    chat.type("115000")
    assert chat.session.state == DONE
    assert codes(chat) == [
        "max_elective_deferrals",
        "contribute_roth_ira",
        "mega_backdoor_unavailable",
    ]


def test_not_sure_leads_to_the_exact_hr_question(chat_en: Chat) -> None:
    chat = chat_en
    chat.tap("after_tax", "unsure")
    out = chat.tap("conversion", "unsure")
    verdict = plain(out.replies[0].text)
    assert "It depends on your plan" in verdict
    assert "after-tax (non-Roth) employee contributions" in verdict
    assert "in-service withdrawal" in verdict
    assert chat.session.state == "tax_year"  # no cap question: after-tax not known
    chat.fill(
        {
            "tax_year": "2026",
            "age": "30",
            "pay": "90000",
            "deferrals": "max",
            "other_deferrals": "0",
            "employer": "0",
            "after_tax_in": "0",
        }
    )
    assert chat.session.state == "filing_status"  # no balance questions: not known to be open
    chat.fill({"filing_status": "single", "magi": "pay", "ira_balance": "0", "prior_pay": "pay"})
    assert codes(chat)[-2:] == ["ask_hr_after_tax", "ask_hr_conversion"]
    assert "Copy this to HR" in chat.last_text


def test_hce_gets_the_refund_warning(chat_en: Chat) -> None:
    chat = chat_en
    chat.type("yes")
    chat.tap("conversion", "in_service")
    chat.today = dt.date(2025, 6, 2)  # planning 2025 while it is open
    chat.tap("after_tax_cap", "none")
    chat.tap("tax_year", "2025")
    chat.fill(
        {
            "age": "45",
            "pay": "300k",
            "pay_frequency": "twice a month",
            "paychecks": "12",
            "deferrals": "max",
            "deferrals_so_far": "unsure",
            "other_deferrals": "0",
            "employer": "10000",
            "after_tax_in": "0",
            "balance": "5300",
            "earnings": "300",
        }
    )
    assert chat.session.state == "filing_status"
    chat.tap("filing_status", "single")
    chat.type("300k")
    chat.type("0")
    chat.type("155,001")  # 2024 pay over $155,000: HCE in 2025
    out = chat.type("32%")
    _, assessment = assessment_of(chat.session, chat.today)
    assert assessment.hce is True
    assert ActionCode.hce_refund_risk in assessment.codes
    text = plain(out.replies[-1].text)
    assert "Roll out the $5,300 after-tax balance: $5,000 to a Roth IRA, $300 of earnings" in text
    assert "Notice 2014-54" in text


def test_under_the_roth_ira_limit_contributes_directly(chat_en: Chat) -> None:
    chat = chat_en
    chat.tap("after_tax", "no")
    chat.fill(
        {
            "tax_year": "2026",
            "age": "30",
            "pay": "90000",
            "deferrals": "0",
            "other_deferrals": "0",
            "employer": "0",
            "filing_status": "single",
            "magi": "90000",
            "ira_balance": "0",
            "prior_pay": "90000",
        }
    )
    _, assessment = assessment_of(chat.session, chat.today)
    assert assessment.roth_ira_contribution_limit == Decimal(7500)
    assert "Contribute $7,500 directly to a Roth IRA" in chat.last_text


def test_pre_tax_ira_makes_the_backdoor_taxable(chat_en: Chat) -> None:
    """$100,000 pre-tax IRA, $7,500 backdoor: 100,000 / 107,500 = 93.0% taxable."""
    chat = chat_en
    chat.tap("after_tax", "no")
    chat.fill(
        {
            "tax_year": "2026",
            "age": "40",
            "pay": "400k",
            "deferrals": "max",
            "other_deferrals": "0",
            "employer": "0",
            "filing_status": "single",
            "magi": "pay",
            "ira_balance": "100,000",
            "ira_basis": "0",
            "prior_pay": "pay",
        }
    )
    chat.tap("tax_rate", "skip")  # asked now that the backdoor would be taxable
    text = chat.last_text
    # 100,000 / 107,500 x 7,500 = 6,976.74, shown in whole dollars: $6,977.
    assert "Your pre-tax IRA makes 93% of a backdoor conversion taxable (about $6,977)" in text
    assert "Roll the $100,000 into your 401(k) first" in text


def test_bad_input_is_reasked_and_changes_nothing(chat_en: Chat) -> None:
    chat = chat_en
    chat.tap("after_tax", "no")
    chat.tap("tax_year", "2026")
    before = chat.session.to_json()
    for bad in ("seven", "7", "300", "🙂", "x" * 5000, "-40", ""):
        out = chat.type(bad)
        assert chat.session.to_json() == before
        assert "Sorry, I didn't get that." in plain(out.replies[0].text)
        assert "like 42" in plain(out.replies[0].text)
    chat.type("42")
    for bad in ("lots", "-5", "1,2,3", "6%"):
        out = chat.type(bad)
        assert "like $150,000" in plain(out.replies[0].text)
    assert chat.session.state == "pay"


def test_back_edit_and_recompute(chat_en: Chat) -> None:
    chat = chat_en
    chat.tap("after_tax", "no")
    chat.type("2026")
    chat.type("40")
    chat.send(Choice("v1:nav:back:pay"))
    assert chat.session.state == "age"
    assert "Current answer: 40" in chat.last_text
    chat.type("41")
    assert chat.session.state == "pay"
    chat.fill(
        {
            "pay": "100k",
            "deferrals": "0",
            "other_deferrals": "0",
            "employer": "0",
            "filing_status": "single",
            "magi": "pay",
            "ira_balance": "0",
            "prior_pay": "pay",
        }
    )
    assert chat.session.state == DONE
    before = assessment_of(chat.session, chat.today)[1]
    assert before.roth_ira_contribution_limit == Decimal(7500)
    chat.command("summary")
    assert "Pay: $100,000" in chat.last_text
    chat.send(Choice("v1:edit:magi"))
    assert chat.session.state == "magi"
    out = chat.type("160000")  # 2026 single: (160,000-153,000)/15,000 -> $4,000
    assert chat.session.state == DONE
    assert "Contribute $4,000 directly to a Roth IRA" in plain(out.replies[-1].text)


def test_editing_a_plan_answer_asks_the_new_questions(chat_en: Chat) -> None:
    chat = chat_en
    chat.today = dt.date(2026, 6, 1)  # paychecks paid already: after-tax may be in
    chat.tap("after_tax", "no")
    chat.fill(NO_AFTER_TAX_100K)
    assert chat.session.state == DONE
    chat.send(Choice("v1:edit:after_tax"))
    chat.tap("after_tax", "yes")
    assert chat.session.state == "conversion"  # newly needed
    chat.tap("conversion", "in_plan")
    chat.tap("auto_convert", "yes")
    assert chat.session.state == "after_tax_cap"  # newly needed
    chat.tap("after_tax_cap", "none")
    assert chat.session.state == "after_tax_in"


def test_stale_button_says_where_we_are(chat_en: Chat) -> None:
    chat = chat_en
    chat.tap("after_tax", "no")
    out = chat.tap("after_tax", "yes")  # the old message's button
    assert out.notice is not None
    assert "earlier question" in out.notice
    assert chat.session.answers.after_tax == "no"
    assert "Which tax year" in plain(out.replies[0].text)
    out = chat.send(Choice("garbage:data"))
    assert out.notice is not None


def test_restart_and_forget(chat_en: Chat) -> None:
    chat = chat_en
    chat.tap("after_tax", "yes")
    chat.command("restart")
    assert chat.session.state == "after_tax"
    assert chat.session.answers.after_tax is None
    out = chat.command("forget")
    assert out.forget is True
    assert "erased" in plain(out.replies[0].text)


def test_limits_command(chat_es: Chat) -> None:
    out = chat_es.command("limits", "2025")
    text = plain(out.replies[0].text)
    assert "$70,000" in text
    assert "$11,250" in text
    assert "Notice 2024-80" in text or "Aviso 2024-80" in text
    out = chat_es.command("limits", "2031")
    assert "2023" in plain(out.replies[0].text)


def test_language_switch(chat_en: Chat) -> None:
    chat = chat_en
    out = chat.command("language")
    assert [b.data for b in out.replies[0].buttons[0]] == ["v1:lang:en", "v1:lang:es"]
    out = chat.send(Choice("v1:lang:es"))
    assert chat.session.lang == "es"
    assert "español" in plain(out.replies[0].text)
