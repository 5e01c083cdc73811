"""The Bot API stub is as strict as Telegram where a bot can get it wrong."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from typing import Any

import aiohttp
import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, InvalidToken
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from tests.e2e.stub_server import NetworkTripwire, StubServer, format_text


def _keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(f"b{i}", callback_data=d)] for i, d in enumerate(data)]
    )


async def _raw(stub: StubServer, path: str, **form: Any) -> tuple[int, dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{stub.url}{path}", data=form) as response,
    ):
        return response.status, await response.json()


# -- envelope and auth -----------------------------------------------------------------------


async def test_wrong_token_is_401_like_telegram(stub: StubServer) -> None:
    status, body = await _raw(stub, "/bot999:wrong/getMe")
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})


async def test_wrong_token_raises_invalid_token(stub: StubServer) -> None:
    with pytest.raises(InvalidToken):
        async with telegram.Bot("999:wrong", base_url=stub.base_url):
            pass  # pragma: no cover - initialize() calls getMe, which fails


async def test_unknown_method_is_404_and_ok_envelope(stub: StubServer) -> None:
    status, body = await _raw(stub, f"/bot{stub.token}/sendTelepathy")
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    status, body = await _raw(stub, f"/bot{stub.token}/getme")  # method names ignore case
    assert status == 200
    assert body["ok"] is True
    assert body["result"]["is_bot"] is True
    assert [r.method for r in stub.requests] == ["sendTelepathy", "getMe"]


# -- sendMessage -----------------------------------------------------------------------------


async def test_callback_data_limit_is_64_bytes(stub: StubServer, bot: telegram.Bot) -> None:
    stub.add_chat(7)
    await bot.send_message(7, "ok", reply_markup=_keyboard("x" * 64, "é" * 32))  # 64 bytes each
    for data in ("x" * 65, "é" * 33, "€" * 22, ""):  # 65, 66, 66 bytes; empty
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
            await bot.send_message(7, "no", reply_markup=_keyboard("ok", data))
    assert stub.texts(7) == ["ok"]


async def test_text_limit_is_4096_after_entity_parsing(
    stub: StubServer, bot: telegram.Bot
) -> None:
    stub.add_chat(7)
    await bot.send_message(7, "a" * 4096)
    await bot.send_message(7, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(7, "a" * 4097)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(7, "<b> </b>", parse_mode="HTML")
    assert [len(t or "") for t in stub.texts(7)] == [4096, 4096]


@pytest.mark.parametrize(
    "html",
    [
        "<b>unclosed",
        "stray</b>",
        "<b><i>crossed</b></i>",
        "line<br>break",
        "a < b",
        "<span>plain span</span>",
        "<foo>unknown</foo>",
        '<a href="https://x.org">unclosed link',
        "<b",
    ],
)
async def test_bad_html_is_rejected(stub: StubServer, bot: telegram.Bot, html: str) -> None:
    stub.add_chat(7)
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(7, html, parse_mode="HTML")
    assert stub.calls("sendMessage")[-1].status == 400


@pytest.mark.parametrize(
    ("html", "plain", "types"),
    [
        ("<b>b</b><strong>s</strong>", "bs", ["bold", "bold"]),
        (
            "<i>i</i> <em>e</em> <u>u</u> <ins>n</ins>",
            "i e u n",
            ["italic", "italic", "underline", "underline"],
        ),
        ("<s>s</s><strike>k</strike><del>d</del>", "skd", ["strikethrough"] * 3),
        ('<a href="https://example.org/?a=1&amp;b=2">link</a>', "link", ["text_link"]),
        ("<code>x &lt; y</code>", "x < y", ["code"]),
        ('<pre><code class="language-python">print(1)</code></pre>', "print(1)", ["pre"]),
        ('<tg-spoiler>s</tg-spoiler> <span class="tg-spoiler">p</span>', "s p", ["spoiler"] * 2),
        ("<blockquote>q</blockquote>", "q", ["blockquote"]),
        ("&lt;&gt;&amp;&quot;&#65;&#x42; & x", '<>&"AB & x', []),
        ("<B>upper</B> <b><i>nested</i></b>", "upper nested", ["bold", "bold", "italic"]),
    ],
)
async def test_good_html_is_accepted(
    stub: StubServer, bot: telegram.Bot, html: str, plain: str, types: list[str]
) -> None:
    stub.add_chat(7)
    message = await bot.send_message(7, html, parse_mode="HTML")
    assert message.text == plain
    assert [e.type for e in message.entities] == types
    assert stub.bot_messages(7)[-1].current.raw == html


def test_html_entities_use_utf16_offsets_and_trim() -> None:
    text, entities = format_text("  😀 <b>bold</b>  ", "HTML")
    assert text == "😀 bold"
    assert entities == [{"type": "bold", "offset": 3, "length": 4}]
    assert format_text('<a href="https://x.org/">x</a>', "html")[1][0]["url"] == "https://x.org/"


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Done.", False),
        ("Done\\.", True),
        ("*bold* _it_ __u__ ~s~ ||sp|| `a.b` [x](https://e.org/a\\)b)", True),
        ("1-2", False),
        ("*unclosed", False),
        ("(paren)", False),
    ],
)
async def test_markdown_v2_reserved_characters(
    stub: StubServer, bot: telegram.Bot, text: str, ok: bool
) -> None:
    stub.add_chat(7)
    if ok:
        await bot.send_message(7, text, parse_mode="MarkdownV2")
    else:
        with pytest.raises(BadRequest, match="Can't parse entities"):
            await bot.send_message(7, text, parse_mode="MarkdownV2")


async def test_parse_mode_must_be_known_and_chat_must_exist(
    stub: StubServer, bot: telegram.Bot
) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(7, "hi")
    stub.add_chat(7)
    with pytest.raises(BadRequest, match="Unsupported parse_mode"):
        await bot.send_message(7, "hi", parse_mode="Textile")
    stub.block(7)
    with pytest.raises(telegram.error.Forbidden, match="blocked"):
        await bot.send_message(7, "hi")


# -- edits, deletes, callback queries ----------------------------------------------------------


async def test_edit_not_modified_and_not_found(stub: StubServer, bot: telegram.Bot) -> None:
    stub.add_chat(7)
    sent = await bot.send_message(
        7, "<b>Q1</b>", parse_mode="HTML", reply_markup=_keyboard("v1:a")
    )
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "<b>Q1</b>", 7, sent.message_id, parse_mode="HTML", reply_markup=_keyboard("v1:a")
        )
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(7, sent.message_id, reply_markup=_keyboard("v1:a"))
    # Same text, other formatting: modified. No reply_markup: the keyboard goes, as in Telegram.
    edited = await bot.edit_message_text("Q1", 7, sent.message_id)
    assert isinstance(edited, telegram.Message)
    assert edited.reply_markup is None
    message = stub.bot_messages(7)[0]
    assert [v.raw for v in message.versions] == ["<b>Q1</b>", "Q1"]
    assert message.inline_keyboard is None
    assert len(message.edits) == 1
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", 7, 999)
    await bot.delete_message(7, sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", 7, sent.message_id)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(7, sent.message_id)
    assert stub.texts(7) == []


async def test_callback_query_too_old(stub: StubServer, bot: telegram.Bot) -> None:
    stub.add_chat(7)
    sent = await bot.send_message(7, "Pick", reply_markup=_keyboard("v1:yes", "v1:no"))
    with pytest.raises(ValueError, match="no button"):
        stub.push_callback(7, sent.message_id, "v1:maybe")
    update = stub.push_callback(7, sent.message_id, "v1:yes", user={"first_name": "Ann"})
    query = update["callback_query"]
    assert query["message"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "v1:yes"
    assert query["from"]["first_name"] == "Ann"
    assert query["from"]["is_bot"] is False
    with pytest.raises(BadRequest, match="Message_too_long"):
        await bot.answer_callback_query(query["id"], text="x" * 201)
    assert await bot.answer_callback_query(query["id"], text="Saved")
    assert stub.callback_queries[query["id"]].answer == {
        "text": "Saved",
        "show_alert": False,
        "url": None,
        "cache_time": None,
    }
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query["id"])
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("12345")


# -- getUpdates ------------------------------------------------------------------------------


async def test_get_updates_offset_confirms(stub: StubServer, bot: telegram.Bot) -> None:
    first = stub.push_text(7, "one")["update_id"]
    stub.push_command(7, "start", "hr-acme", language_code="es")
    last = stub.push_text(8, "three")["update_id"]
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [first, first + 1, last]
    command = updates[1].effective_message
    assert command is not None
    assert command.text == "/start hr-acme"
    assert command.entities[0].type == "bot_command"
    assert command.entities[0].length == len("/start")
    assert command.from_user is not None
    assert command.from_user.language_code == "es"
    unconfirmed = await bot.get_updates()
    assert [u.update_id for u in unconfirmed] == [first, first + 1, last]
    assert [u.update_id for u in await bot.get_updates(offset=last)] == [last]
    assert await bot.get_updates(offset=last + 1) == ()
    assert stub.pending_updates == []
    assert [u.update_id for u in await bot.get_updates(limit=1)] == []


async def test_get_updates_limit_and_allowed_updates(stub: StubServer, bot: telegram.Bot) -> None:
    for n in range(3):
        stub.push_text(7, str(n))
    stub.push_update({"my_chat_member": {"chat": {"id": 7, "type": "private"}}})
    assert len(await bot.get_updates(limit=2)) == 2
    updates = await bot.get_updates(allowed_updates=["my_chat_member"])
    assert [u.my_chat_member is not None for u in updates] == [True]


async def test_long_poll_returns_as_soon_as_an_update_is_pushed(
    stub: StubServer, bot: telegram.Bot
) -> None:
    asyncio.get_running_loop().call_later(0.1, stub.push_text, 7, "late")
    started = time.perf_counter()
    updates = await bot.get_updates(timeout=5)
    assert [u.effective_message.text for u in updates if u.effective_message] == ["late"]
    assert time.perf_counter() - started < 1
    started = time.perf_counter()
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=1) == ()
    assert 0.9 < time.perf_counter() - started < 2


async def test_a_second_poll_terminates_the_first_with_409(
    stub: StubServer, bot: telegram.Bot
) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await stub.wait_for(lambda: stub.calls("getUpdates"))
    # A second bot instance (its own connection) polls too.
    assert await _raw(stub, f"/bot{stub.token}/getUpdates", timeout="0") == (
        200,
        {"ok": True, "result": []},
    )
    with pytest.raises(Conflict, match="terminated by other getUpdates"):
        await first


async def test_redelivery_of_the_same_update_id(stub: StubServer, bot: telegram.Bot) -> None:
    update = stub.push_text(7, "once")
    [got] = await bot.get_updates()
    await bot.get_updates(offset=got.update_id + 1)
    stub.push_update(update)  # already confirmed: Telegram would never send it again
    assert await bot.get_updates(offset=got.update_id + 1) == ()
    stub.push_update(update, force=True)
    [again] = await bot.get_updates(offset=got.update_id + 1)
    assert again.update_id == got.update_id
    assert again.effective_message is not None
    assert again.effective_message.text == "once"


async def test_webhook_blocks_get_updates(stub: StubServer, bot: telegram.Bot) -> None:
    assert await bot.set_webhook("https://bot.example.org/hook", secret_token="s3cret")
    assert (await bot.get_webhook_info()).url == "https://bot.example.org/hook"
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook()
    assert await bot.get_updates() == ()


# -- commands, descriptions, photos, actions ---------------------------------------------------


async def test_commands_are_kept_per_scope_and_language(
    stub: StubServer, bot: telegram.Bot
) -> None:
    await bot.set_my_commands([("start", "Start"), ("cancel", "Cancel")])
    await bot.set_my_commands([("start", "Empezar")], language_code="es")
    private = telegram.BotCommandScopeAllPrivateChats()
    await bot.set_my_commands([("help", "Help")], scope=private)
    assert [c.command for c in await bot.get_my_commands()] == ["start", "cancel"]
    assert [c.description for c in await bot.get_my_commands(language_code="es")] == ["Empezar"]
    assert [c.command for c in await bot.get_my_commands(scope=private)] == ["help"]
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([("Start", "Capitalised")])
    await bot.set_my_description("Long", language_code="en")
    await bot.set_my_short_description("Short")
    assert (await bot.get_my_description(language_code="en")).description == "Long"
    assert (await bot.get_my_short_description()).short_description == "Short"
    with pytest.raises(BadRequest):
        await bot.set_my_short_description("x" * 121)
    assert await bot.log_out()
    assert await bot.close()


async def test_photo_and_chat_action(stub: StubServer, bot: telegram.Bot) -> None:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (40, 30), "navy").save(buffer, "PNG")
    stub.add_chat(7)
    await bot.send_chat_action(7, "upload_photo")
    sent = await bot.send_photo(7, buffer.getvalue(), caption="<i>chart</i>", parse_mode="HTML")
    assert (sent.photo[0].width, sent.photo[0].height, sent.caption) == (40, 30, "chart")
    again = await bot.send_photo(7, sent.photo[0].file_id)  # by file_id
    assert stub.bot_messages(7)[1].photo == buffer.getvalue()
    assert again.caption is None
    assert stub.chat(7).actions == ["upload_photo"]
    with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
        await bot.send_photo(7, b"not an image")
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_photo(7, buffer.getvalue(), caption="c" * 1025)
    with pytest.raises(BadRequest, match="Wrong parameter action"):
        await bot.send_chat_action(7, "dancing")


# -- faults, timing, the whole stack ---------------------------------------------------------


async def test_fail_next_then_recover(stub: StubServer, bot: telegram.Bot) -> None:
    stub.fail_next("getMe", status=502, times=2)
    for _ in range(2):
        with pytest.raises(telegram.error.NetworkError, match="Bad Gateway"):
            await bot.get_me()
    assert (await bot.get_me()).is_bot
    assert [r.status for r in stub.calls("getMe")][-3:] == [502, 502, 200]


async def test_latency_is_recorded_per_input(stub: StubServer, bot: telegram.Bot) -> None:
    update = stub.push_text(7, "hi")
    stub.latency = 0.05
    await bot.send_message(7, "hello")
    record = await stub.wait_answer(update["update_id"], timeout=1)
    assert record.answer_method == "sendMessage"
    assert record.latency is not None
    assert record.latency >= 0.05
    assert stub.answer_latencies() == [record.latency]


async def test_echo_bot_end_to_end(
    stub: StubServer, app_builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any], polling: Any
) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(update.effective_message.text or "")

    app = app_builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    async with polling(app):
        for chat_id in (1, 2):
            stub.push_text(chat_id, f"hi {chat_id}")
        await stub.wait_for(lambda: all(r.answered_at for r in stub.inputs))
    assert stub.texts(1) == ["hi 1"]
    assert stub.texts(2) == ["hi 2"]
    assert stub.pending_updates == []  # the final getUpdates confirmed them


def test_tripwire_refuses_anything_but_loopback(network_tripwire: NetworkTripwire) -> None:
    with pytest.raises(OSError, match="network tripwire"):
        socket.getaddrinfo("api.telegram.org", 443)
    with socket.socket() as sock, pytest.raises(OSError, match="network tripwire"):
        sock.connect(("10.255.255.1", 443))
    assert len(network_tripwire.violations) == 2
    network_tripwire.violations.clear()  # expected ones; don't fail the teardown


def test_recorded_request_decodes_json_params() -> None:
    from tests.e2e.stub_server import RecordedRequest

    record = RecordedRequest(
        "sendMessage", {"reply_markup": json.dumps({"a": 1})}, {}, 0.0, "POST", "t"
    )
    assert record.json("reply_markup") == {"a": 1}


async def test_message_listeners_see_every_send_and_edit(
    stub: StubServer, bot: telegram.Bot
) -> None:
    seen: list[tuple[int, int, str]] = []
    stub.add_message_listener(
        lambda chat, message, method: seen.append((chat.id, message.message_id, method))
    )
    stub.add_chat(5)
    sent = await bot.send_message(5, "one", reply_markup=_keyboard("a"))
    await bot.edit_message_text("two", chat_id=5, message_id=sent.message_id)
    assert seen == [(5, sent.message_id, "sendMessage"), (5, sent.message_id, "editMessageText")]
