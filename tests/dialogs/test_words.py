"""What people read (issue 15): commands, the welcome, HR links that vouch only for what
was checked, contacts people can reach, and setups that don't push HR into a check."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from PIL import Image

from bot.console import share_link
from bot.memory import MemoryPlanBook
from dialogs.carrier_texts import help_text
from dialogs.charts import KIND_COLOURS, render_bucket_chart
from dialogs.conversation import COMMANDS, new_session
from dialogs.i18n import Translator
from dialogs.plans import CuratedPlan, Services, contact_of
from dialogs.render import limits_text
from dialogs.replies import Choice, Outcome

from .conftest import NO_AFTER_TAX_100K, Chat, plain
from .test_plan_profiles import HR_ID, chat_for, set_up_acme


@pytest.fixture
def hr() -> Chat:
    return chat_for(MemoryPlanBook(), HR_ID)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_help_lists_every_command(lang: str) -> None:
    listed = set(re.findall(r"(?<![<\w])/([a-z]+)", help_text(Translator(lang))))
    assert listed == set(COMMANDS) - {"start", "help"} | {"back"}


def test_an_unknown_command_says_so_and_asks_again(chat_en: Chat) -> None:
    chat_en.tap("after_tax", "yes")
    out = chat_en.command("frobnicate")
    assert "I don't know that command." in plain(out.replies[0].text)
    assert out.replies[-1].asks
    assert "how can after-tax money leave" in plain(out.replies[-1].text)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_welcome_is_honest_about_time_and_says_what_to_have(lang: str) -> None:
    chat = Chat(new_session(lang))
    text = plain(chat.command("start").replies[0].text)
    assert "two minutes" not in text
    assert "dos minutos" not in text
    for thing in (("pay", "salario"), ("match", "match"), ("IRA", "IRA"), ("W-2", "W-2")):
        assert thing[lang == "es"] in text


@pytest.mark.parametrize(
    "contact",
    ["benefits@acme.com", "hr.team@mail.acme.co.uk", "https://intranet.acme.com/401k",
     "https://acme.example"],
)  # fmt: skip
def test_contacts_people_can_reach(contact: str) -> None:
    assert contact_of(f"  {contact} ") == contact


@pytest.mark.parametrize(
    "contact",
    ["Bob in HR", "call 555-0100", "http://intranet.acme.com", "benefits@acme", "@acme.com",
     "javascript:alert(1)", "https://", "https://acme", "ftp://acme.com/x", "a@b.c d"],
)  # fmt: skip
def test_other_contacts_are_refused(contact: str) -> None:
    with pytest.raises(ValueError, match="email"):
        contact_of(contact)


def test_a_setup_refuses_an_unreachable_contact_with_an_example(hr: Chat) -> None:
    hr.command("newplan")
    for answer in (
        "Acme 401(k)", "yes", "yes", "no", "yes", "15%", "50% of the first 6%", "yes", "3%",
    ):  # fmt: skip
        hr.type(answer)
    hr.tap("plan_frequency", "biweekly")
    hr.tap("plan_step", "1")
    out = hr.type("ask Bob")
    assert "like benefits@acme.com" in plain(out.replies[0].text)
    assert "https://intranet.acme.com/401k" in plain(out.replies[0].text)
    assert hr.session.state == "plan_contact"


def test_curated_profiles_need_a_reachable_contact_too() -> None:
    entry = {
        "code": "Zt0n6bq1d9QmV3xW", "name": "Acme", "after_tax": True,
        "pay_frequency": "biweekly", "contact": "Bob", "updated": "2026-03-02",
    }  # fmt: skip
    with pytest.raises(ValueError, match="email"):
        CuratedPlan.model_validate(entry)


def test_hr_who_never_started_a_check_is_not_put_into_one(hr: Chat) -> None:
    code = set_up_acme(hr)
    last = hr.outcomes[-1]
    assert not any(r.asks for r in last.replies)  # the share link ends it: no question
    hr.send(Choice(f"v1:plan:edit:{code}"))
    hr.send(Choice("v1:pe:plan_cap"))
    hr.tap("plan_cap", "none")
    out = hr.send(Choice("v1:plan:save"))
    assert "Saved." in plain(out.replies[0].text)
    assert not any(r.asks for r in out.replies)
    assert "Back to your own check" not in hr.all_text()


def test_the_terminal_link_is_the_start_command_without_a_username() -> None:
    assert share_link(None, "Zt0n6bq1d9QmV3xW") == "/start Zt0n6bq1d9QmV3xW"
    assert share_link("acme_401k_bot", "Zt0n6bq1d9QmV3xW") == (
        "https://t.me/acme_401k_bot?start=Zt0n6bq1d9QmV3xW"
    )


def test_the_terminal_says_its_profiles_end_with_it() -> None:
    book = MemoryPlanBook()
    services = Services(
        plans=book, user_id=HR_ID, link=lambda code: f"/start {code}", ephemeral_plans=True
    )
    chat = Chat(new_session("en"), services=services)
    chat.command("newplan")
    for answer in ("Acme 401(k)", "no", "none", "none"):
        chat.type(answer)
    chat.tap("plan_frequency", "monthly")
    chat.tap("plan_step", "1")
    assert chat.session.state == "plan_contact"
    out = chat.type("benefits@acme.example")
    share = out.replies[0]
    assert share.qr is None  # a /start command is no web link: no QR code
    assert "The QR code below" not in share.text
    assert "This terminal keeps the profile only until you close it." in share.text
    [code] = book.plans
    assert f"/start {code}" in share.text


def test_chat_en_fixture_is_english(chat_en: Chat) -> None:
    assert chat_en.session.lang == "en"
    assert chat_for(MemoryPlanBook(), HR_ID).session.lang == "en"


# ---------------------------------------------------------------- answers typed as people type


def _at(chat: Chat, state: str) -> Chat:
    """Walk a chat to the question `state` with ordinary answers."""
    answers = {
        "after_tax": "yes", "conversion": "in plan", "auto_convert": "no",
        "after_tax_cap": "no cap", "tax_year": "2026", "age": "40", "pay": "150k",
        "pay_frequency": "every two weeks", "paychecks": "3", "deferrals": "10000",
        "deferrals_so_far": "9000", "other_deferrals": "0", "employer": "0",
        "after_tax_in": "0", "balance": "0", "filing_status": "single", "magi": "pay",
    }  # fmt: skip
    while chat.session.state != state:
        chat.type(answers[chat.session.state])
    return chat


@pytest.mark.parametrize(
    ("state", "typed", "field", "value"),
    [
        ("after_tax", "Yess", "after_tax", "yes"),
        ("conversion", "in plan", "conversion", "in_plan"),
        ("tax_year", "this year", "tax_year", 2026),
        ("age", "forty", "age", 40),
        ("pay", "~150k", "pay", Decimal(150000)),
        ("pay", "150k a year", "pay", Decimal(150000)),
        ("pay", "about 150k", "pay", Decimal(150000)),
        ("deferrals", "twenty thousand", "deferrals", Decimal(20000)),
        ("paychecks", "two", "paychecks", 2),
        ("filing_status", "married", "filing_status", "married_joint"),
        ("filing_status", "jointly", "filing_status", "married_joint"),
    ],
)
def test_english_as_people_type_it(state: str, typed: str, field: str, value: object) -> None:
    chat = _at(Chat(new_session("en"), today=dt.date(2026, 11, 29)), state)
    chat.type(typed)
    assert getattr(chat.session.answers, field) == value
    assert chat.session.state != state


@pytest.mark.parametrize(
    ("state", "typed", "field", "value"),
    [
        ("conversion", "dentro del plan", "conversion", "in_plan"),
        ("tax_year", "este año", "tax_year", 2026),
        ("pay", "24.5k", "pay", Decimal(24500)),
        ("pay", "24,5k", "pay", Decimal(24500)),
        ("pay", "$1,729.50", "pay", Decimal("1729.50")),
        ("pay", "150000.00 $", "pay", Decimal(150000)),
        ("paychecks", "quedan 2 cheques", "paychecks", 2),
        ("filing_status", "casado", "filing_status", "married_joint"),
    ],
)
def test_spanish_as_people_type_it(state: str, typed: str, field: str, value: object) -> None:
    chat = _at(Chat(new_session("es"), today=dt.date(2026, 11, 29)), state)
    chat.type(typed)
    assert getattr(chat.session.answers, field) == value


def test_same_at_last_years_pay_is_about_the_same() -> None:
    chat = Chat(new_session("en"), today=dt.date(2026, 11, 29))
    chat.tap("after_tax", "no")
    chat.fill({k: v for k, v in NO_AFTER_TAX_100K.items() if k != "prior_pay"})
    out = chat.type("same")
    assert chat.session.answers.prior_pay == "pay"
    assert out.ack is not None


def test_an_amount_that_reads_two_ways_is_asked_about() -> None:
    """'1.500k' in Spanish: $1,500 (US) or $1,500,000 (Latin): ask, with a button each."""
    chat = _at(Chat(new_session("es"), today=dt.date(2026, 11, 29)), "pay")
    out = chat.type("1.500k")
    assert chat.session.state == "pay"  # nothing taken yet
    data = [b.data for row in out.replies[-1].buttons for b in row]
    assert data == ["v1:a:pay:1500.00", "v1:a:pay:1500000.00"]
    chat.send(Choice(data[1]))
    assert chat.session.answers.pay == Decimal(1500000)
    assert chat.session.state == "pay_frequency"  # the question after the pay


# ---------------------------------------------------------------- results that fit a phone


# Planned on January 5, 2026 (conftest's TODAY): paid every two weeks, all 26 to come.
_RESULT = {
    "tax_year": "2026", "age": "35", "pay": "200k", "deferrals": "max", "other_deferrals": "0",
    "employer": "50% of the first 6%", "after_tax_in": "0", "balance": "0",
    "filing_status": "single", "magi": "pay", "ira_balance": "0", "prior_pay": "pay",
}  # fmt: skip


# January 20: one biweekly paycheck paid (346 days left, ceil(346 / 14) = 25 to come), so
# after-tax money may already be in.
ONE_PAID = dt.date(2026, 1, 20)


def _result(chat: Chat, answers: dict[str, str], **more: str) -> Outcome:
    chat.tap("after_tax", "yes")
    chat.tap("conversion", "in_plan")
    chat.tap("auto_convert", "no")
    out = chat.fill(answers, **more)
    assert chat.session.state == "done"
    return out


def test_sources_are_folded_and_numbered_like_the_steps() -> None:
    chat = Chat(new_session("en"))
    out = _result(chat, _RESULT)
    text = out.replies[-1].text
    folded = text[text.index("<blockquote expandable>") : text.index("</blockquote>")]
    assert "<b>Sources</b>" in folded
    assert "1. <a href=" in folded
    assert "IRS Notice 2025-67" in folded
    before = text[: text.index("<blockquote expandable>")]
    assert "href=" not in before  # the steps themselves carry no links
    assert "Source: " not in text


def test_amounts_are_whole_dollars_except_corrections() -> None:
    chat = Chat(new_session("en"), today=ONE_PAID)
    # Room 72,000 - 24,500 - 6,000 - 10,000.50 = 31,499.50: shown as $31,499 (down).
    out = _result(chat, _RESULT, after_tax_in="10,000.50", deferrals_so_far="0")
    text = plain(out.replies[-1].text)
    assert "Contribute $31,499 after-tax this year" in text
    assert ".50" not in text


def test_the_chart_names_a_pay_limit_and_marks_an_excess() -> None:
    """Pay 40,000: 415(c) is 100% of pay. 10,000 employer + 35,000 after-tax already in =
    45,000: $5,000 over, drawn above the line in the warning colour."""
    chat = Chat(new_session("en"), today=ONE_PAID)
    out = _result(
        chat, _RESULT, pay="40000", deferrals="0", employer="10000", after_tax_in="35000"
    )
    chart = out.replies[-1].chart
    assert chart is not None
    assert chart.limit_text == "Limit: 100% of your pay, $40,000"
    excess = [s for s in chart.segments if s.kind == "excess"]
    assert [(s.amount, s.amount_text) for s in excess] == [(Decimal(5000), "$5,000 over")]
    below = sum(s.amount for s in chart.segments if s.kind not in ("excess", "catch_up"))
    assert below == Decimal(40000)  # what is under the line fills it exactly
    png = render_bucket_chart(chart)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    colours = image.getcolors(1 << 16)
    assert colours is not None
    assert any(c == KIND_COLOURS["excess"] for _, c in colours)


def test_the_hr_message_comes_in_english_too_for_spanish_speakers() -> None:
    chat = Chat(new_session("es"), today=dt.date(2026, 11, 29))
    out = chat.tap("after_tax", "unsure")
    out = chat.tap("conversion", "unsure")
    verdict = out.replies[0].text
    assert verdict.count("<code>") == 2
    assert "O en inglés:" in verdict
    assert "Does our 401(k) plan accept after-tax (non-Roth) employee contributions" in verdict
    english = Chat(new_session("en"), today=dt.date(2026, 11, 29))
    english.tap("after_tax", "unsure")
    assert english.tap("conversion", "unsure").replies[0].text.count("<code>") == 1


def test_source_names_are_in_the_persons_language() -> None:
    chat = Chat(new_session("es"))
    out = _result(
        chat,
        _RESULT,
        after_tax_cap="sin tope",
        pay_frequency="cada dos semanas",
        employer="50% del primer 6%",
        true_up="sí",
        filing_status="soltero",
    )
    text = out.replies[-1].text
    assert "Aviso 2025-67 del IRS" in text
    assert "Código de Impuestos Internos § 415(c)" in text
    assert "IRS Notice" not in text
    assert "U.S. Code" not in text
    assert out.replies[-1].chart is not None
    assert out.replies[-1].chart.footer == "Fuente: Aviso 2025-67 del IRS"
    english = limits_text(Translator("en"), 2026)
    assert ">IRS Notice 2025-67</a>" in english
    assert "(P.L." not in english  # no name cut inside its parenthesis


def test_deferrals_past_what_415c_leaves_show_as_catch_up() -> None:
    """61 in 2026, pay 400,000, employer 10,000, after-tax 50,000 already in, 40,000
    planned: the most is 72,000 + 11,250 - 10,000 - 50,000 = 23,250 (the dialog says to
    lower the plan to it). Of that, 72,000 - 60,000 = 12,000 counts in 415(c) and the
    other 11,250 are catch-ups (Reg. 1.414(v)-1(b)(1)(i)), drawn above the line."""
    chat = Chat(new_session("en"), today=ONE_PAID)
    out = _result(
        chat, _RESULT, age="61", pay="400000", deferrals="40000", employer="10000",
        after_tax_in="50000", deferrals_so_far="0",
    )  # fmt: skip
    chart = out.replies[-1].chart
    assert chart is not None
    amounts = {s.kind: s.amount for s in chart.segments}
    assert amounts == {
        "deferrals": Decimal(12000), "employer": Decimal(10000),
        "after_tax_in": Decimal(50000), "catch_up": Decimal(11250),
    }  # fmt: skip
    assert "Set your 401(k) deferrals for 2026 to $23,250 in total, not $40,000" in plain(
        out.replies[-1].text
    )


def test_spanish_in_service_in_the_words_the_question_uses() -> None:
    chat = _at(Chat(new_session("es"), today=dt.date(2026, 11, 29)), "conversion")
    chat.type("reinvertirlo en una IRA Roth")
    assert chat.session.answers.conversion == "in_service"
