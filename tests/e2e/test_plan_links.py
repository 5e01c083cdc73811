"""HR plan profiles end to end: the real `python -m bot` process against the Bot API stub.

An HR person sets up a profile and gets a link and a QR code; the QR code is decoded with
a real decoder (zxing-cpp) back to the link; a second person starts through the link and
gets advice without the plan questions; the count goes up; an edit changes what new
checks see; someone else can't edit or delete; a delete makes the link say so.
"""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import zxingcpp
from PIL import Image

from bot.memory import MemoryPlanBook
from bot.sqlite_store import Store
from dialogs.plans import Services
from dialogs.replies import Command, Event
from tests.conversations import FIRST, SETUP_ANSWERS, Answer
from tests.e2e.stub_server import StubServer
from tests.e2e.test_bot_process import (
    answer,
    assert_shows_dialog,
    bot_process,
    bot_today,
    last_question,
    newest_id,
    say,
    seen,
    stop_cleanly,
    tap,
    wait_sent,
)

HR, EMPLOYEE, LATECOMER, STRANGER = 501, 502, 503, 504
BOT_USERNAME = "megaroth_stub_bot"
EXAMPLE_PLANS = Path(__file__).resolve().parents[2] / "deploy" / "plans.example.toml"


def employee_answers(year: int) -> dict[str, Answer]:
    """Someone who starts through the Acme link: the check's questions the plan's profile
    leaves, by question."""
    return {
        "tax_year": ("tap", str(year)),
        "age": ("say", "40"),
        "pay": ("say", "$150,000"),
        "paychecks": FIRST,  # the biweekly estimate button
        "deferrals": ("say", "$6,000"),
        "deferrals_so_far": FIRST,
        "other_deferrals": ("tap", "0"),
        "after_tax_in": ("tap", "0"),
        "balance": ("tap", "0"),
        "filing_status": ("tap", "single"),
        "magi": ("tap", "pay"),
        "roth_part": ("tap", "0"),  # asked where it may matter: a year on a floor's figures
        "ira_balance": ("say", "0"),
        "prior_pay": ("tap", "pay"),
    }


def has_question(stub: StubServer, chat_id: int) -> bool:
    return any(m.callback_data for m in stub.bot_messages(chat_id))


async def press(
    stub: StubServer,
    chat_id: int,
    data: str,
    *,
    button: str | None = None,
    text: str | None = None,
    photo: bool = False,
) -> None:
    """Tap the button with this data on the latest message that has it, then wait for
    what the tap produces (see ``wait_sent``): a message with ``button``, one with
    ``text``, or a photo."""
    shown = [(m.message_id, m.callback_data) for m in stub.bot_messages(chat_id)]
    message = next(
        (m for m in reversed(stub.bot_messages(chat_id)) if data in m.callback_data), None
    )
    assert message is not None, f"{data} on no message: {shown}"
    after = newest_id(stub, chat_id)
    stub.push_callback(chat_id, message.message_id, data)
    await wait_sent(stub, chat_id, after, button=button, text=text, photo=photo)


def decode_qr(png: bytes) -> str:
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1, found
    return str(found[0].text)


async def set_up_plan(stub: StubServer) -> str:
    """/newplan answered by taps and typing; returns the share link the bot sent."""
    stub.push_command(HR, "newplan", language_code="en")
    await stub.wait_for(lambda: has_question(stub, HR), timeout=20)
    await say(stub, HR, "Acme 401(k)")  # the name's question has no answer buttons
    asked = await answer(stub, HR, SETUP_ANSWERS, stop_at="plan_contact")
    assert asked == list(SETUP_ANSWERS)  # every plan question, in the table's order
    photos = len(stub.calls("sendPhoto"))
    stub.push_text(HR, "benefits@acme.example")
    await stub.wait_for(lambda: len(stub.calls("sendPhoto")) > photos, timeout=20)
    photo = stub.calls("sendPhoto")[-1]
    png = photo.files["photo"].data
    link = decode_qr(png)
    assert link.startswith(f"https://t.me/{BOT_USERNAME}?start=")
    assert link in seen(stub, HR)  # the same link as text
    return link


def starts(db: Path, code: str) -> int:
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT starts FROM plans WHERE code = ?", (code,)).fetchone()
    return -1 if row is None else int(row[0])


async def test_a_plan_link_from_setup_to_advice(stub: StubServer, tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    # Slow photos, as on a loaded machine: a step's QR code (rendered in a thread) arrives
    # well after its text, and the waits must not take it for the next step's reply.
    stub.method_latency["sendPhoto"] = 0.5
    async with bot_process(stub, db) as process:
        link = await set_up_plan(stub)
        code = link.rsplit("=", 1)[1]
        assert len(code) >= 16
        assert "Acme" not in code

        # A second person starts through the link: greeted with the plan, no plan questions.
        stub.push_command(EMPLOYEE, "start", code, language_code="en")
        await stub.wait_for(lambda: "Which tax year" in seen(stub, EMPLOYEE), timeout=20)
        text = seen(stub, EMPLOYEE)
        assert "Checking with Acme 401(k)'s settings, as set up on" in text
        assert "by the person who shared this link (not checked by anyone else)" in text
        assert "accept after-tax contributions?" not in text  # the plan question never came
        sent: list[Event] = [Command("start", (code,))]
        day = bot_today()
        employee = employee_answers(day.year)
        await answer(stub, EMPLOYEE, employee, stop_at="age", sent=sent)
        assert "mega backdoor Roth is open to you" in seen(stub, EMPLOYEE)
        asked = await answer(stub, EMPLOYEE, employee, sent=sent)
        # The profile answers the plan's questions, its match and true-up, and how often
        # pay comes: none of them is asked.
        plan_given = {"after_tax", "conversion", "auto_convert", "after_tax_cap"}
        plan_given |= {"pay_frequency", "employer", "true_up"}
        assert not plan_given & set(asked)
        # The advice is the dialog's for the same answers with the plan the bot holds, on
        # the same day: $6,000 deferred (4% of pay: the whole match), after-tax money kept
        # to the plan's cap of 10% of each paycheck.
        store = Store(db)
        try:
            profile = store.get_plan(code)
        finally:
            store.close()
        assert profile is not None
        assert profile.answers.plan_cap == 10
        book = MemoryPlanBook()
        book.save_plan(profile)
        services = Services(plans=book, user_id=EMPLOYEE)
        expected = assert_shows_dialog(stub, EMPLOYEE, sent, [day, bot_today()], services)
        assert any(line.startswith("So far: $") for line in expected.lines())  # the room
        await stub.wait_for(lambda: starts(db, code) == 1, timeout=10)

        # Someone else can neither edit nor delete it.
        for action in ("edit", "del", "delok"):
            stub.push_command(STRANGER, "start", language_code="en")
            await stub.wait_for(lambda: has_question(stub, STRANGER), timeout=20)
            message = last_question(stub, STRANGER)
            answered = len(stub.calls("answerCallbackQuery"))
            stub.push_callback(
                STRANGER, message.message_id, f"v1:plan:{action}:{code}", check=False
            )  # a crafted client: Telegram does not vouch for callback data

            def answered_again(before: int = answered) -> bool:
                return len(stub.calls("answerCallbackQuery")) > before

            await stub.wait_for(answered_again, timeout=20)
            assert "isn't yours to change" in str(stub.calls("answerCallbackQuery")[-1].params)
        assert starts(db, code) == 1

        # The creator changes the cap; a new check sees it, the started one keeps its own.
        stub.push_command(HR, "myplans", language_code="en")
        await stub.wait_for(lambda: "1 person started a check through it." in seen(stub, HR))
        await tap(stub, HR, f"v1:plan:edit:{code}")
        await tap(stub, HR, "v1:pe:plan_cap")
        await tap(stub, HR, "v1:a:plan_cap:none")
        await press(stub, HR, "v1:plan:save", photo=True)  # "Saved...", then its QR code
        assert "Saved. New checks through the link" in seen(stub, HR)
        review = [m for m in stub.bot_messages(HR) if (m.content or "").startswith("Plan profile")]
        assert review
        assert not any(m.callback_data for m in review)
        stub.push_command(LATECOMER, "start", code, language_code="en")
        await stub.wait_for(lambda: "Which tax year" in seen(stub, LATECOMER), timeout=20)
        stub.push_command(LATECOMER, "summary")
        await stub.wait_for(lambda: "After-tax cap: No cap" in seen(stub, LATECOMER))
        stub.push_command(EMPLOYEE, "summary")
        await stub.wait_for(lambda: "After-tax cap: 10%" in seen(stub, EMPLOYEE))
        await stub.wait_for(lambda: starts(db, code) == 2, timeout=10)

        # The creator deletes it: the link now says so, in one line, and asks normally.
        # the /myplans message's button, then the confirmation's
        await press(stub, HR, f"v1:plan:del:{code}", button=f"v1:plan:delok:{code}")
        await press(stub, HR, f"v1:plan:delok:{code}", text="Deleted Acme 401(k).")
        newcomer = 505
        stub.push_command(newcomer, "start", code, language_code="en")
        await stub.wait_for(lambda: "accept after-tax contributions?" in seen(stub, newcomer))
        assert "That plan link doesn't work" in seen(stub, newcomer)
        assert starts(db, code) == -1
        await stop_cleanly(process)


async def test_forged_and_malformed_start_payloads(stub: StubServer, tmp_path: Path) -> None:
    payloads = ["A" * 16, "x" * 65, "bad$chars", "../../etc/passwd", "%00", "a b"]
    async with bot_process(stub, tmp_path / "bot.db") as process:
        for index, payload in enumerate(payloads):
            chat = 700 + index
            stub.push_command(chat, "start", payload, language_code="en")

            def asked_first_question(c: int = chat) -> bool:
                return "accept after-tax contributions?" in seen(stub, c)

            await stub.wait_for(asked_first_question)
            assert "That plan link doesn't work" in seen(stub, chat)
        await stop_cleanly(process)
        assert "Traceback" not in process.log.read_text()


async def test_the_allow_list_keeps_others_out(stub: StubServer, tmp_path: Path) -> None:
    async with bot_process(
        stub, tmp_path / "bot.db", env={"MEGAROTH_ADMIN_IDS": f"[{HR}]"}
    ) as process:
        stub.push_command(STRANGER, "newplan", language_code="en")
        await stub.wait_for(lambda: "limited to people" in seen(stub, STRANGER), timeout=20)
        await set_up_plan(stub)  # the allowed person can
        await stop_cleanly(process)


async def test_curated_profiles_are_marked_verified(stub: StubServer, tmp_path: Path) -> None:
    plans = EXAMPLE_PLANS
    async with bot_process(
        stub, tmp_path / "bot.db", env={"MEGAROTH_PLANS_FILE": str(plans)}
    ) as process:
        stub.push_command(EMPLOYEE, "start", "Zt0n6bq1d9QmV3xW", language_code="en")
        await stub.wait_for(lambda: "Which tax year" in seen(stub, EMPLOYEE), timeout=20)
        assert (
            "as set up by its benefits team and checked by this bot's operator on March 2, "
            in seen(stub, EMPLOYEE)
        )
        await stop_cleanly(process)
