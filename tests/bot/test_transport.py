"""``AiohttpRequest`` against the Bot API stub over real loopback sockets."""

from __future__ import annotations

import contextlib
import inspect
import io
import json
import logging
import socket
import traceback
from typing import Any

import pytest
import telegram
from PIL import Image
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.transport import AiohttpRequest
from tests.e2e.stub_server import StubServer


def _bot(stub: StubServer, request: BaseRequest | None = None) -> telegram.Bot:
    return telegram.Bot(stub.token, base_url=stub.base_url, request=request or AiohttpRequest())


def _png(width: int = 64, height: int = 48) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(buffer, "PNG")
    return buffer.getvalue()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_get_me_round_trip(stub: StubServer) -> None:
    async with _bot(stub) as bot:  # initialize() itself calls getMe
        me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456789, "megaroth_stub_bot", True)
    [first, second] = stub.calls("getMe")
    assert first.http_method == "POST"
    assert first.params == {}
    assert first.status == second.status == 200


def _decoded(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters as values: a form carries JSON-encoded strings, a JSON body the values."""
    out: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        out[name] = value
    return out


async def test_json_body_carries_what_httpx_request_sends(stub: StubServer) -> None:
    """The stub receives the same parameters from both transports (JSON body vs form)."""
    stub.add_chat(5)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Yes ✅", callback_data="v1:ans:yes")]])
    for request in (AiohttpRequest(), HTTPXRequest()):
        async with _bot(stub, request) as bot:
            await bot.send_message(5, "<b>€100</b> & more", parse_mode="HTML", reply_markup=markup)
    aiohttp_call, httpx_call = stub.calls("sendMessage")
    assert _decoded(aiohttp_call.params) == _decoded(httpx_call.params)
    assert aiohttp_call.json("reply_markup")["inline_keyboard"][0][0]["text"] == "Yes ✅"
    assert stub.texts(5) == ["€100 & more", "€100 & more"]


async def test_send_photo_multipart_arrives_intact(stub: StubServer) -> None:
    stub.add_chat(5)
    png = _png()
    async with _bot(stub) as bot:
        sent = await bot.send_photo(
            5, telegram.InputFile(png, filename="chart-ü.png"), caption="Your 415(c) room"
        )
    [call] = stub.calls("sendPhoto")
    upload = call.files["photo"]
    assert upload.data == png
    assert upload.filename == "chart-ü.png"
    assert upload.content_type == "image/png"
    assert call.params == {"chat_id": "5", "caption": "Your 415(c) room"}
    assert stub.bot_messages(5)[0].photo == png
    assert (sent.photo[-1].width, sent.photo[-1].height) == (64, 48)


async def test_dropped_connection_is_network_error_without_token(
    stub: StubServer, caplog: pytest.LogCaptureFixture
) -> None:
    async with _bot(stub) as bot:
        stub.fail_next("getMe", drop=True)
        with caplog.at_level(logging.DEBUG), pytest.raises(NetworkError) as caught:
            await bot.get_me()
        assert not isinstance(caught.value, TimedOut)
        assert (await bot.get_me()).is_bot  # the next call gets a fresh connection
    rendered = "".join(traceback.format_exception(caught.value))
    assert "ServerDisconnectedError" in rendered
    for text in (rendered, caplog.text):
        assert stub.token not in text
        assert stub.token.split(":")[1] not in text


async def test_connection_refused_is_network_error_without_token() -> None:
    token = "42:SECRET-never-in-errors"
    url = f"http://127.0.0.1:{_free_port()}/bot"
    async with AiohttpRequest() as request:
        with pytest.raises(NetworkError) as caught:
            await request.post(f"{url}{token}/getMe", RequestData())
    rendered = "".join(traceback.format_exception(caught.value))
    assert "ClientConnectorError" in rendered
    assert "SECRET" not in rendered


async def test_latency_above_read_timeout_is_timed_out(stub: StubServer) -> None:
    async with _bot(stub, AiohttpRequest(read_timeout=0.1)) as bot:
        stub.latency = 0.3
        with pytest.raises(TimedOut) as caught:
            await bot.get_me()
        with pytest.raises(TimedOut):  # a per-call override wins over the default
            await bot.get_me(read_timeout=0.05)
        assert (await bot.get_me(read_timeout=2)).is_bot
    assert stub.token not in "".join(traceback.format_exception(caught.value))


async def test_pool_timeout_when_every_connection_is_busy(stub: StubServer) -> None:
    import asyncio

    request = AiohttpRequest(connection_pool_size=1, pool_timeout=0.05, connect_timeout=0.05)
    async with _bot(stub, request) as bot:
        stub.latency = 0.5
        slow = asyncio.create_task(bot.get_me())
        await stub.wait_for(lambda: len(stub.calls("getMe")) == 2)
        with pytest.raises(TimedOut) as caught:
            await bot.get_me()
        assert (await slow).is_bot
    # aiohttp's ConnectionTimeoutError names the URL: it is redacted and not chained.
    rendered = "".join(traceback.format_exception(caught.value))
    assert "ConnectionTimeoutError" in rendered
    assert stub.token not in rendered
    assert caught.value.__cause__ is None
    assert len(stub.calls("getMe")) == 2  # the timed-out call never reached the server


async def test_429_is_retry_after(stub: StubServer) -> None:
    stub.fail_next("sendMessage", status=429, retry_after=7)
    stub.add_chat(5)
    async with _bot(stub) as bot:
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(5, "hi")
        await bot.send_message(5, "hi")
    assert caught.value.retry_after.total_seconds() == 7  # type: ignore[union-attr]
    assert [c.status for c in stub.calls("sendMessage")] == [429, 200]
    assert stub.calls("sendMessage")[0].response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }


async def test_502_is_network_error(stub: StubServer) -> None:
    async with _bot(stub) as bot:
        stub.fail_next("getMe", status=502)
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.get_me()


async def test_shutdown_is_idempotent_and_initialize_reopens(stub: StubServer) -> None:
    request = AiohttpRequest()
    await request.shutdown()  # never initialized
    await request.initialize()
    await request.initialize()  # no second session
    assert request.is_initialized
    await request.shutdown()
    await request.shutdown()
    assert not request.is_initialized
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{stub.base_url}{stub.token}/getMe", "POST")
    async with request:
        code, body = await request.do_request(f"{stub.base_url}{stub.token}/getMe", "POST")
    assert code == 200
    assert b'"is_bot": true' in body


def test_constructor_mirrors_httpx_request() -> None:
    ours = inspect.signature(AiohttpRequest).parameters
    theirs = inspect.signature(HTTPXRequest).parameters
    for name in (
        "connection_pool_size",
        "read_timeout",
        "write_timeout",
        "connect_timeout",
        "pool_timeout",
        "media_write_timeout",
    ):
        assert ours[name].default == theirs[name].default, name
    assert AiohttpRequest(read_timeout=None).read_timeout is None
    assert AiohttpRequest().read_timeout == HTTPXRequest().read_timeout == 5.0


def test_default_none_maps_to_instance_defaults() -> None:
    request = AiohttpRequest(read_timeout=3, connect_timeout=2, pool_timeout=1)
    default = BaseRequest.DEFAULT_NONE
    timeout = request._timeout(default, default, default, default, has_files=False)
    assert (timeout.sock_read, timeout.sock_connect, timeout.connect) == (3, 2, 3)
    assert timeout.total is None
    timeout = request._timeout(9, default, None, default, has_files=False)
    assert (timeout.sock_read, timeout.sock_connect, timeout.connect) == (9, None, None)
