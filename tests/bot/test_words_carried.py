"""What people read, as Telegram carries it (issue 15): a re-ask replaces the question,
old buttons of an erased conversation say so, and a share link comes with its QR
caption and a share button."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sqlite_store import Store
from tests.bot.test_effects import set_up_plan
from tests.bot.test_handlers import Harness, running, start


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    store = Store(tmp_path / "bot.db")
    try:
        async with running(store) as running_harness:
            yield running_harness
    finally:
        store.close()


def markup(call_params: dict[str, object]) -> list[list[dict[str, str]]]:
    raw = call_params.get("reply_markup")
    data = json.loads(raw) if isinstance(raw, str) else raw
    assert isinstance(data, dict)
    rows: list[list[dict[str, str]]] = data["inline_keyboard"]
    return rows


async def test_a_reask_replaces_the_question_instead_of_piling_up(harness: Harness) -> None:
    await start(harness, 42)
    await harness.tap(42, "v1:a:after_tax:no")
    await harness.tap(42, "v1:a:tax_year:2026")
    await harness.say(42, "40")
    question = harness.fake.last_question(42)["message_id"]
    sent_before = len(harness.fake.of("sendMessage", 42))
    await harness.say(42, "lots")
    assert len(harness.fake.of("sendMessage", 42)) == sent_before  # no second copy
    [edit] = [
        c for c in harness.fake.of("editMessageText", 42)
        if int(c.params["message_id"]) == question and "reply_markup" in c.params
    ]  # fmt: skip
    assert "Sorry, I didn't get that." in edit.params["text"]
    assert "What is your pay" in edit.params["text"]
    await harness.say(42, "100k")  # the edited question still asks: answered as usual
    assert harness.session(42).answers.pay == 100_000
    assert harness.session(42).state == "pay_frequency"  # the question after the pay


async def test_an_erased_conversations_buttons_say_so_and_store_nothing(
    harness: Harness,
) -> None:
    await start(harness, 42)
    old = harness.fake.last_question(42)
    await harness.say(42, "/forget")
    before = harness.store.count_sessions()
    await harness.tap(42, "v1:a:after_tax:yes", message=old)
    assert "This conversation was erased" in harness.fake.sent(42)[-1]
    assert harness.store.load(42) is None
    assert harness.store.count_sessions() == before


async def test_the_share_link_has_a_share_button_and_the_qr_a_caption(harness: Harness) -> None:
    await set_up_plan(harness, 501)
    await harness.say(501, "benefits@acme.example")
    [photo] = harness.fake.of("sendPhoto", 501)
    assert photo.params["caption"] == "Acme 401(k): scan to start a check"
    share = next(c for c in harness.fake.of("sendMessage", 501) if "start=" in c.params["text"])
    [[button]] = markup(share.params)
    assert button["text"] == "Share the link"
    assert button["url"].startswith("https://t.me/share/url?url=https%3A%2F%2Ft.me%2F")
    assert "Acme+401%28k%29" in button["url"]
