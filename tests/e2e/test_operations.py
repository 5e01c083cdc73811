"""Operating the real process: JSON logs, the heartbeat the health check reads, metrics,
the start-up line, and aggregate stats, with no text or amounts anywhere in the logs."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path

from tests.e2e.stub_server import StubServer
from tests.e2e.test_bot_process import ROOT, bot_process, bot_today, say, tap


async def run_cli(*args: str, env: dict[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode()


async def test_logs_heartbeat_metrics_and_stats(stub: StubServer, tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    beat = tmp_path / "heartbeat"
    settings = {
        "MEGAROTH_LOG_FORMAT": "json",
        "MEGAROTH_HEARTBEAT_FILE": str(beat),
        "MEGAROTH_METRICS_INTERVAL": "1",
        "MEGAROTH_HEARTBEAT_INTERVAL": "0.2",
    }
    cli_env = {"PATH": "/usr/bin:/bin", "MEGAROTH_DB": str(db), **settings}
    async with bot_process(stub, db, env=settings) as process:
        # An update ends the first long poll at once: polled, then the next beat.
        stub.push_command(4242, "start", language_code="en")
        await stub.wait_for(lambda: beat.exists(), timeout=30)
        code, out = await run_cli("health", env=cli_env)
        assert code == 0, out
        assert out.startswith("ok: polling mode")

        await stub.wait_for_messages(4242, 2, timeout=20)
        await tap(stub, 4242, "v1:a:after_tax:yes")
        await tap(stub, 4242, "v1:a:conversion:in_plan")
        await tap(stub, 4242, "v1:a:auto_convert:yes")
        await tap(stub, 4242, "v1:a:after_tax_cap:none")
        await tap(stub, 4242, f"v1:a:tax_year:{bot_today().year}")  # this year: paychecks to come
        await say(stub, 4242, "47")
        await say(stub, 4242, "$187,654")
        log = process.log
        await stub.wait_for(lambda: "updates=8 " in log.read_text(), timeout=10)
        process.send_signal(signal.SIGTERM)
        assert await process.wait() == 0

    assert not beat.exists()  # stopped: the health check fails
    code, out = await run_cli("health", env=cli_env)
    assert code == 1

    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert lines, "no log lines"
    text = log.read_text()
    for form in ("187654", "187,654", "187.654", "187 654"):  # no amount, in any form
        assert form not in text
    assert stub.token not in text
    assert stub.token.split(":")[1] not in text
    start = next(line for line in lines if line.get("event") == "start")
    assert "mode=long polling" in start["message"]
    assert f"store=SQLite {db}" in start["message"]
    assert f"bot_api={stub.base_url}" in start["message"]
    updates = [line for line in lines if "update_id" in line and "outcome" in line]
    assert [u["event"] for u in updates] == [
        "command:start", "tap:a", "tap:a", "tap:a", "tap:a", "tap:a", "answer", "answer",
    ]  # fmt: skip
    assert updates[-1]["outcome"] == "pay_frequency"  # where it went: no values
    assert all(isinstance(u["ms"], float) for u in updates)
    metrics = [line for line in lines if line.get("event") == "metrics"]
    assert metrics
    assert metrics[-1]["updates"] == 8
    assert metrics[-1]["sessions"] == 1

    code, out = await run_cli("stats", env=cli_env)
    assert code == 0
    assert json.loads(out) == {
        "conversations_started": 1, "checks_completed": 0, "plan_link_starts": 0,
        "conversations_stored": 1, "plan_profiles": 0, "curated_plan_profiles": 0,
        "updates_waiting": 0, "calls_waiting": 0, "set_aside": 0,
    }  # fmt: skip
