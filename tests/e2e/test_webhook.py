"""The real `python -m bot` in webhook mode: Telegram's side is the Bot API stub, and the
test plays Telegram POSTing updates to the bot's webhook on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

from tests.e2e.stub_server import StubServer
from tests.e2e.test_bot_process import wait_sent

ROOT = Path(__file__).resolve().parents[2]
WEBHOOK_URL = "https://example.invalid/telegram"  # registered with the stub, never connected to
SECRET = "webhook_Secret-0123456789"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@asynccontextmanager
async def webhook_bot(stub: StubServer, tmp_path: Path) -> AsyncIterator[Any]:
    """`python -m bot` in webhook mode, logging to a file (an unread pipe would block it)."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "MEGAROTH_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=stub.token,
        TELEGRAM_BASE_URL=stub.base_url,
        MEGAROTH_DB=str(tmp_path / "bot.db"),
        MEGAROTH_LOG_LEVEL="INFO",
        MEGAROTH_MODE="webhook",
        MEGAROTH_WEBHOOK_URL=WEBHOOK_URL,
        MEGAROTH_WEBHOOK_SECRET=SECRET,
        MEGAROTH_LISTEN="127.0.0.1",
        MEGAROTH_PORT=str(port),
    )
    log = tmp_path / "bot.log"
    with log.open("ab") as sink:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=ROOT, env=env, stdout=sink, stderr=sink
        )
    process.log = log  # type: ignore[attr-defined]
    process.url = f"http://127.0.0.1:{port}/telegram"  # type: ignore[attr-defined]
    try:
        await _wait_for_port(process, port, log)
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def _wait_for_port(process: Any, port: int, log: Path, timeout: float = 20.0) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while True:
        if process.returncode is not None:
            raise AssertionError(f"bot exited {process.returncode}:\n{_read(log)}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if time.monotonic() > deadline:
                raise AssertionError(f"webhook port {port} never opened:\n{_read(log)}") from None
            await asyncio.sleep(0.05)
            continue
        writer.close()
        await writer.wait_closed()
        return


def _read(log: Path) -> str:
    return log.read_text(errors="replace")


def _text_update(stub: StubServer, update_id: int, chat_id: int, text: str) -> dict[str, Any]:
    """An update as Telegram would POST it (the chat is made known to the stub, which
    only accepts sends to chats that exist, but nothing is queued for polling)."""
    chat = stub.add_chat(chat_id)
    assert chat.user is not None
    message: dict[str, Any] = {
        "message_id": chat.new_message_id(),
        "from": chat.user,
        "chat": chat.as_json(),
        "date": int(time.time()),
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {"update_id": update_id, "message": message}


async def _post(
    http: aiohttp.ClientSession, url: str, update: dict[str, Any], **headers: str
) -> int:
    async with http.post(url, json=update, headers=headers) as response:
        await response.read()
        return response.status


async def test_webhook_mode_end_to_end(stub: StubServer, tmp_path: Path) -> None:
    async with webhook_bot(stub, tmp_path) as process, aiohttp.ClientSession() as http:
        # Start-up registered the webhook with Telegram, with its secret.
        await stub.wait_for(lambda: stub.calls("setWebhook"), timeout=20)
        [registration] = stub.calls("setWebhook")
        assert registration.params["url"] == WEBHOOK_URL
        assert registration.params["secret_token"] == SECRET
        assert registration.json("allowed_updates") == ["message", "callback_query"]
        assert stub.webhook == {"url": WEBHOOK_URL, "secret_token": SECRET}
        assert not stub.calls("getUpdates")  # not polling

        # A POST without the secret, or with a wrong one, is refused and never handled.
        stranger = _text_update(stub, 600_001, 7001, "/start")
        assert await _post(http, process.url, stranger) == 403
        assert await _post(http, process.url, stranger, **{SECRET_HEADER: "wrong"}) == 403
        assert await _post(http, process.url, stranger, **{SECRET_HEADER: SECRET[:-1]}) == 403

        # Telegram's POST, with the secret: 200, and the bot answers through the Bot API.
        update = _text_update(stub, 600_002, 7002, "/start")
        assert await _post(http, process.url, update, **{SECRET_HEADER: SECRET}) == 200
        welcome, question = await stub.wait_for_messages(7002, 2, timeout=15)
        assert "mega backdoor Roth" in (welcome.content or "")
        assert "v1:a:after_tax:yes" in question.callback_data

        # A tap arrives the same way: answered, the question edited, the next one asked.
        # (push_callback makes the query known to the stub; its poll queue is never read.)
        tap = stub.push_callback(7002, question.message_id, "v1:a:after_tax:yes")
        assert await _post(http, process.url, tap, **{SECRET_HEADER: SECRET}) == 200
        await wait_sent(stub, 7002, question.message_id, button="v1:a:conversion:in_plan")
        await stub.wait_for(lambda: stub.calls("editMessageText"), timeout=15)
        assert [c.params["callback_query_id"] for c in stub.calls("answerCallbackQuery")] == [
            tap["callback_query"]["id"]
        ]
        assert "v1:a:conversion:in_plan" in stub.bot_messages(7002)[-1].callback_data

        # The refused update was never seen: nothing was sent to its chat.
        assert stub.bot_messages(7001) == []
        assert all(c.params.get("chat_id") != "7001" for c in stub.requests)
        assert not stub.calls("getUpdates")  # still not polling

        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 20) == 0
    log = process.log.read_text()
    assert "Application started" in log
    assert stub.token not in log
    assert stub.token.split(":")[1] not in log
    assert SECRET not in log
