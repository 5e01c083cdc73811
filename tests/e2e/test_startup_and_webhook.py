"""Start-up that rides out the Bot API's hiccups, a token that never shows, private files,
and a webhook that refuses strangers before reading them (issue 12, items 8, 9, 11, 14)."""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from pathlib import Path

import aiohttp

from tests.e2e.stub_server import StubServer
from tests.e2e.test_bot_process import ROOT, bot_process, stop_cleanly, wait_sent
from tests.e2e.test_guarantees import FAST, logged, started
from tests.e2e.test_webhook import SECRET, SECRET_HEADER, _text_update, webhook_bot

# ---------------------------------------------------------------- 8. the token never shows


async def test_a_refused_token_is_one_line_without_it(stub: StubServer, tmp_path: Path) -> None:
    token = "4242:AAwrong-token_that-the-stub-refuses"  # the stub answers 401 to it
    async with bot_process(stub, tmp_path / "bot.db", token=token) as process:
        code = await asyncio.wait_for(process.wait(), 20)
    out = logged(process)
    assert code == 2
    assert "AAwrong-token_that-the-stub-refuses" not in out
    assert "Traceback" not in out
    lines = out.strip().splitlines()
    assert lines[-1].startswith("configuration error: the Bot API refused TELEGRAM_BOT_TOKEN")


def test_an_uncaught_exception_never_prints_the_token() -> None:
    code = (
        "from bot.ops import redact_uncaught\n"
        "redact_uncaught('777:AAsecret-token-in-a-traceback')\n"
        "raise RuntimeError('GET http://x/bot777:AAsecret-token-in-a-traceback/getMe')\n"
    )
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert "RuntimeError: GET http://x/bot<token>/getMe" in done.stderr
    assert "AAsecret" not in done.stderr


# ---------------------------------------------------------------- 9. private files


async def test_database_and_backups_are_owner_only_whatever_the_umask(
    stub: StubServer, tmp_path: Path
) -> None:
    db = tmp_path / "bot.db"
    async with bot_process(stub, db, umask=0o022) as process:
        await started(stub, 2201)
        stub.push_command(2201, "privacy")
        privacy = await wait_sent(stub, 2201, 0, text="Backups")
        files = sorted(tmp_path.glob("bot.db*"))  # noqa: ASYNC240
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in files}
        backup = tmp_path / "copy.sqlite3"
        env = {"PATH": os.environ["PATH"], "MEGAROTH_DB": str(db)}
        done = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "backup", str(backup), cwd=ROOT, env=env,
            preexec_fn=lambda: os.umask(0o022),
        )  # fmt: skip
        assert await done.wait() == 0
        await stop_cleanly(process)
    assert set(modes) == {"bot.db", "bot.db-wal", "bot.db-shm"}
    assert set(modes.values()) == {0o600}, modes
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert "deleted after 14 days" in (privacy.content or "")


# ---------------------------------------------------------------- 11. start-up


async def test_start_up_rides_out_a_bot_api_that_is_down_then_failing(
    stub: StubServer, tmp_path: Path
) -> None:
    await stub.go_down()  # not even listening
    async with bot_process(stub, tmp_path / "bot.db", env=FAST) as process:

        def retried() -> bool:
            return process.returncode is not None or logged(process).count("getMe failed") >= 3

        await stub.wait_for(retried, timeout=20)
        assert process.returncode is None  # still trying
        stub.fail_next("getMe", 502, times=2)
        stub.fail_next("getMe", 429, retry_after=1)
        await stub.come_up()
        await started(stub, 2301)
        await stop_cleanly(process)


async def test_the_menu_is_best_effort_and_sent_once(stub: StubServer, tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    stub.fail_next("setMyCommands", 429, retry_after=1, times=3)
    async with bot_process(stub, db) as process:
        await started(stub, 2401)  # served while the menu fails
        await stub.wait_for(lambda: len(stub.calls("setMyCommands")) >= 3, timeout=20)
        await stop_cleanly(process)
    assert not stub.commands
    stub.fail_next("setMyDescription", 502)  # once: the second try works
    async with bot_process(stub, db) as process:  # the next start tries again
        await stub.wait_for(lambda: any(k[1] == "es" for k in stub.commands), timeout=20)
        await stub.wait_for(lambda: ("description", "es") in stub.descriptions, timeout=20)
        await stop_cleanly(process)
    calls = len(stub.calls("setMyCommands")) + len(stub.calls("setMyDescription"))
    async with bot_process(stub, db) as process:  # unchanged since: not sent again
        await started(stub, 2402)
        await stop_cleanly(process)
    assert len(stub.calls("setMyCommands")) + len(stub.calls("setMyDescription")) == calls


# ---------------------------------------------------------------- 14. the webhook


async def _response_status(port: int, request: bytes) -> int:
    """Send `request` (headers and only the start of a body) and read the status line."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), 10)
        return int(line.split()[1])
    finally:
        writer.close()


def _huge_post(secret: str | None, length: int = 100 * 1024 * 1024) -> bytes:
    headers = [
        "POST /telegram HTTP/1.1",
        "Host: 127.0.0.1",
        "Content-Type: application/json",
        f"Content-Length: {length}",
    ]
    if secret is not None:
        headers.append(f"{SECRET_HEADER}: {secret}")
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + b'{"update_id": 1, ' + b" " * 4096


async def test_the_webhook_refuses_before_reading_and_caps_bodies(
    stub: StubServer, tmp_path: Path
) -> None:
    async with webhook_bot(stub, tmp_path) as process:
        port = int(process.url.rsplit(":", 1)[1].split("/")[0])
        # No secret, or a wrong one, with a 100 MB body on its way: refused at once.
        assert await _response_status(port, _huge_post(None)) == 403
        assert await _response_status(port, _huge_post("wrong")) == 403
        # The right secret, but far more than an update: refused, not read.
        assert await _response_status(port, _huge_post(SECRET)) == 413
        async with aiohttp.ClientSession() as http:
            update = _text_update(stub, 610_001, 7101, "/start")
            headers = {SECRET_HEADER: "sécret".encode().decode("latin-1")}
            async with http.post(process.url, json=update, headers=headers) as response:
                assert response.status == 403  # not a 500 on a non-ASCII header
            async with http.post(process.url, json=update, headers={SECRET_HEADER: SECRET}) as r:
                assert r.status == 200
        await wait_sent(stub, 7101, 0, button="v1:a:after_tax:")
        await stop_cleanly(process)


async def test_a_webhook_200_means_stored(stub: StubServer, tmp_path: Path) -> None:
    async with webhook_bot(stub, tmp_path) as process, aiohttp.ClientSession() as http:
        first = _text_update(stub, 620_001, 7201, "/start")
        held = stub.fail_while("sendMessage", lambda: True, 429, chat_id=7201, retry_after=30)
        async with http.post(process.url, json=first, headers={SECRET_HEADER: SECRET}) as r:
            assert r.status == 200
        await stub.wait_for(lambda: held.hits >= 1, timeout=20)
        second = _text_update(stub, 620_002, 7201, "/help")
        async with http.post(process.url, json=second, headers={SECRET_HEADER: SECRET}) as r:
            assert r.status == 200
        process.kill()  # answered 200, then the bot dies
        await process.wait()
    stub.rules.clear()
    async with webhook_bot(stub, tmp_path) as process:
        await wait_sent(stub, 7201, 0, text="/summary: your answers")  # /help's reply
        await stop_cleanly(process)


def test_the_caddy_example_limits_request_bodies() -> None:
    guide = (ROOT / "deploy" / "README.md").read_text()
    caddy = guide.split("```caddy", 1)[1].split("```", 1)[0]
    assert "request_body" in caddy
    assert "max_size 1MB" in caddy
