"""How many inputs/s does a bare PTB echo bot answer with httpx vs the aiohttp transport?

    python benchmarks/bench_transport.py [--users 50] [--inputs 3000] [--transports httpx,aiohttp]

For each transport: this process runs the Bot API stub (tests/e2e/stub_server.py) on
127.0.0.1 and simulated users; a child process runs a minimal PTB echo bot
(``Application`` + ``updater.start_polling`` inside ``async with app``, one
``MessageHandler`` that ``reply_text``s). Each of the --users users sends a message, waits
for the echo, sends the next (closed loop, no think time) until --inputs messages have been
answered. A warm-up round (one message per user) comes first and is not counted.

Prints, per transport: inputs/s (measured inputs / wall time from the first measured push
to the last answer), latency percentiles (push → the stub receiving the bot's sendMessage),
and the CPU seconds of the bot process and of the stub. With two or more cores the stub and
the bot are pinned to different cores (BENCH_NO_PIN=1 to not pin). Nothing here asserts;
each run stops by itself (--max-seconds, default 120 s per transport).

``--transports httpx,httpx-nosniffio,aiohttp`` adds PTB's HTTPXRequest with httpcore's
per-lock ``import sniffio`` made to fail fast: anyio 4.16 no longer depends on sniffio, so
in this venv every attempt rescans sys.path (about a fifth of the httpx bot's CPU).

Measured on the 2-core dev VM (50 users, 3,000 inputs, four runs; nosniffio once):
    httpx            109-163 inputs/s   p50 304-463 ms   p99 480-596 ms
    httpx-nosniffio  199 inputs/s       p50 231 ms       p99 472 ms
    aiohttp          372-400 inputs/s   p50 123-131 ms   p99 167-390 ms
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import resource
import signal
import statistics
import sys
import time
from pathlib import Path
from typing import Any

TRANSPORTS = ("httpx", "aiohttp", "httpx-nosniffio")
SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.stub_server import DEFAULT_TOKEN, StubServer  # noqa: E402


def _percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, round(fraction * len(sorted_values) + 0.5))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def _pin(cpu: int) -> None:
    """Pin this process to one core when there are at least two (unless BENCH_NO_PIN is set)."""
    if os.environ.get("BENCH_NO_PIN"):
        return
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if len(cpus) >= 2:
        os.sched_setaffinity(0, {cpus[cpu % len(cpus)]})


# ------------------------------------------------------------------------------------------
# The bot (child process).
# ------------------------------------------------------------------------------------------


async def _run_bot(transport: str, base_url: str, token: str, max_seconds: float) -> None:
    from telegram import Update
    from telegram.ext import Application, ContextTypes, MessageHandler, filters

    from bot.transport import AiohttpRequest

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None and message.text:
            await message.reply_text(message.text)

    if transport == "httpx-nosniffio":
        # httpcore runs `import sniffio` on every lock it makes; anyio 4.16 no longer pulls
        # sniffio in, so each one fails after a sys.path scan. A None entry fails it at once,
        # which is what installing sniffio would buy.
        sys.modules["sniffio"] = None  # type: ignore[assignment]
    builder = Application.builder().token(token).base_url(base_url)
    if transport == "aiohttp":
        builder = builder.request(AiohttpRequest()).get_updates_request(
            AiohttpRequest(connection_pool_size=1)
        )
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=10, poll_interval=0)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), max_seconds)
        await app.updater.stop()
        await app.stop()


def bot_main(args: argparse.Namespace) -> None:
    """Entry point of the child: run the echo bot until SIGTERM or --max-seconds."""
    _pin(1)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines carry the token
    asyncio.run(_run_bot(args.bot, args.base_url, args.token, args.max_seconds))


# ------------------------------------------------------------------------------------------
# The stub and the simulated users (this process).
# ------------------------------------------------------------------------------------------


async def _measure(transport: str, users: int, inputs: int, max_seconds: float) -> dict[str, Any]:
    usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    async with StubServer(DEFAULT_TOKEN) as stub:
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            str(SCRIPT),
            "--bot",
            transport,
            "--base-url",
            stub.base_url,
            "--token",
            DEFAULT_TOKEN,
            "--max-seconds",
            str(max_seconds + 30),
            cwd=ROOT,
        )
        try:
            await stub.wait_for(lambda: stub.calls("getUpdates"), timeout=30)
            chats = [10_000 + n for n in range(users)]

            # Warm-up: one message per user, not counted.
            for chat_id in chats:
                stub.push_text(chat_id, "warm-up")
            await stub.wait_for(lambda: all(r.answered_at for r in stub.inputs), timeout=60)
            first_measured = len(stub.inputs)

            pushed = answered = 0
            done = asyncio.Event()
            first_update = stub.inputs[-1].update_id + 1

            def on_answer(record: Any) -> None:
                nonlocal pushed, answered
                if record.update_id < first_update:
                    return  # a late warm-up answer
                answered += 1
                if answered >= inputs:
                    done.set()
                elif pushed < inputs and record.chat_id is not None:
                    stub.push_text(record.chat_id, f"message {pushed}")
                    pushed += 1

            stub.add_answer_listener(on_answer)
            started, stub_cpu = time.perf_counter(), time.process_time()
            for chat_id in chats[: min(users, inputs)]:
                stub.push_text(chat_id, f"message {pushed}")
                pushed += 1
            try:
                await asyncio.wait_for(done.wait(), max_seconds)
                complete = True
            except TimeoutError:
                complete = False
            finished, stub_cpu = time.perf_counter(), time.process_time() - stub_cpu
        finally:
            child.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(child.wait(), 20)
            except TimeoutError:
                child.kill()
                await child.wait()
    usage_after = resource.getrusage(resource.RUSAGE_CHILDREN)

    measured = stub.inputs[first_measured:]
    latencies = sorted(r.latency * 1000 for r in measured if r.latency is not None)
    elapsed = finished - started
    return {
        "transport": transport,
        "complete": complete,
        "inputs": len(latencies),
        "seconds": round(elapsed, 2),
        "inputs_per_s": round(len(latencies) / elapsed, 1) if elapsed > 0 else 0.0,
        "p50_ms": round(_percentile(latencies, 0.50), 1),
        "p90_ms": round(_percentile(latencies, 0.90), 1),
        "p99_ms": round(_percentile(latencies, 0.99), 1),
        "max_ms": round(latencies[-1], 1) if latencies else float("nan"),
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else float("nan"),
        "bot_cpu_s": round(
            (usage_after.ru_utime - usage_before.ru_utime)
            + (usage_after.ru_stime - usage_before.ru_stime),
            2,
        ),
        "stub_cpu_s": round(stub_cpu, 2),
        "requests_seen_by_stub": len(stub.requests),
    }


def main() -> None:
    """Parse arguments; run the child bot or the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--inputs", type=int, default=3000)
    parser.add_argument(
        "--transports",
        default="httpx,aiohttp",
        help="comma-separated: httpx (PTB's default HTTPXRequest), aiohttp (bot.transport), "
        "httpx-nosniffio (HTTPXRequest without httpcore's failing per-lock sniffio import)",
    )
    parser.add_argument("--max-seconds", type=float, default=120.0, help="per transport")
    parser.add_argument("--json", action="store_true", help="print one JSON object per run")
    parser.add_argument("--bot", choices=TRANSPORTS, help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bot:
        bot_main(args)
        return

    _pin(0)
    print(
        f"PTB echo bot vs the stub: {args.users} users, {args.inputs} inputs, closed loop; "
        f"{len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else '?'} "
        f"core(s) for the stub, {os.cpu_count()} on the machine",
        flush=True,
    )
    header = f"{'transport':<15} {'inputs':>6} {'s':>6} {'inputs/s':>9} "
    header += f"{'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'max ms':>7} {'bot CPU s':>9}"
    header += f" {'stub CPU s':>10}"
    if not args.json:
        print(header, flush=True)
    for transport in args.transports.split(","):
        result = asyncio.run(_measure(transport, args.users, args.inputs, args.max_seconds))
        if args.json:
            print(json.dumps(result), flush=True)
            continue
        print(
            f"{transport:<15} {result['inputs']:>6} {result['seconds']:>6} "
            f"{result['inputs_per_s']:>9} {result['p50_ms']:>7} {result['p90_ms']:>7} "
            f"{result['p99_ms']:>7} {result['max_ms']:>7} {result['bot_cpu_s']:>9} "
            f"{result['stub_cpu_s']:>10}"
            + ("" if result["complete"] else "  (incomplete: hit --max-seconds)"),
            flush=True,
        )


if __name__ == "__main__":
    main()
