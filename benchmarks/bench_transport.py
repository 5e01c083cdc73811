"""How many inputs/s does a bare PTB echo bot answer with httpx vs the aiohttp transport?

    python benchmarks/bench_transport.py [--users 50] [--inputs 3000]
                                         [--transports httpx,aiohttp] [--concurrent 0]

For each transport: this process runs the Bot API stub (tests/e2e/stub_server.py) on
127.0.0.1 and simulated users; a child process runs a minimal PTB echo bot
(``Application`` + ``updater.start_polling`` inside ``async with app``, one
``MessageHandler`` that ``reply_text``s; benchmarks/_harness.py). Each of the --users users
sends a message, waits for the echo, sends the next (closed loop, no think time) until
--inputs messages have been answered. A warm-up round (one message per user) comes first
and is not counted. ``--concurrent N`` builds the bot with ``concurrent_updates(N)``; by
default PTB handles one update after another, each awaiting its sendMessage, so the bot
then answers one round trip at a time whatever the cores (bench_bot.py measures both).

Prints, per transport: inputs/s (measured inputs / wall time from the first measured push
to the last answer), latency percentiles (push → the stub receiving the bot's sendMessage),
and the CPU per input of the bot process and of this one (stub + users). With two or more
cores the stub and the bot are pinned to different cores (BENCH_NO_PIN=1 to not pin).
Nothing here asserts; each run stops by itself (--max-seconds, default 120 s per transport).

``--transports httpx,httpx-nosniffio,aiohttp`` adds PTB's HTTPXRequest with httpcore's
per-lock ``import sniffio`` made to fail fast: anyio 4.16 no longer depends on sniffio, so
in this venv every attempt rescans sys.path (about a fifth of the httpx bot's CPU).

Measured on the 2-core dev VM (50 users, 3,000 inputs, four runs; nosniffio once):
    httpx            109-163 inputs/s   p50 304-463 ms   p99 480-596 ms
    httpx-nosniffio  199 inputs/s       p50 231 ms       p99 472 ms
    aiohttp          372-400 inputs/s   p50 123-131 ms   p99 167-390 ms
Those runs had, unknowingly, the stub and the bot on one core: the child re-read its
affinity after the parent had pinned itself, saw one core, and stayed there. Pinned apart
(now), on a quiet VM, two runs each:
    httpx, one at a time         140-143 inputs/s   p50 348-358 ms   p99 437-458 ms
    aiohttp, one at a time       369-465 inputs/s   p50 103-128 ms   p99 347-360 ms
    httpx, --concurrent 256      127-142 inputs/s   p50 274-293 ms   p99 1.2-1.7 s
    aiohttp, --concurrent 256    812-844 inputs/s   p50 55 ms        p99 268-277 ms
One at a time, the echo is a ping-pong between two processes: both on one core it did
435/s, as many as on two. Concurrently, one core 594/s, two cores 792-844/s; the bot then
uses 1.1 ms of CPU per input (1.5-2.0 ms one at a time) and the stub 0.5 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (
    DEFAULT_TOKEN,
    Driver,
    Step,
    StubServer,
    echo_bot_argv,
    pin_self,
    profiled,
    start_child,
    stop_child,
)

TRANSPORTS = ("httpx", "aiohttp", "httpx-nosniffio")
ECHO_SCRIPT = (Step("say", "message", done="message"),)


async def measure_echo(
    transport: str, users: int, inputs: int, max_seconds: float, concurrent: int = 0
) -> dict[str, Any]:
    """One transport: start the echo bot on a fresh stub, warm up, measure a closed loop."""
    async with StubServer(DEFAULT_TOKEN) as stub:
        argv = echo_bot_argv(transport, stub.base_url, DEFAULT_TOKEN, max_seconds + 60, concurrent)
        child = await start_child(f"echo-{transport}", argv)
        try:
            await stub.wait_for(lambda: stub.calls("getUpdates"), timeout=30)
            driver = Driver(stub, ECHO_SCRIPT, bot_pid=child.pid, renew=False)
            await driver.closed_loop("warm-up", users, inputs=users, max_seconds=60)
            with profiled(f"stub-echo-{transport}"):
                result = await driver.closed_loop(
                    "flat out", users, inputs=inputs, max_seconds=max_seconds
                )
        finally:
            await stop_child(child)
    summary = result.summary()
    summary["transport"] = transport
    summary["requests_seen_by_stub"] = len(stub.requests)
    return summary


def main() -> None:
    """Parse arguments; run the benchmark for each transport."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--inputs", type=int, default=3000)
    parser.add_argument(
        "--transports",
        default="httpx,aiohttp",
        help="comma-separated: httpx (PTB's default HTTPXRequest), aiohttp (bot.transport), "
        "httpx-nosniffio (HTTPXRequest without httpcore's failing per-lock sniffio import)",
    )
    parser.add_argument("--max-seconds", type=float, default=120.0, help="per transport")
    parser.add_argument(
        "--concurrent",
        type=int,
        default=0,
        help="concurrent_updates(N) in the echo bot (default 0: PTB's one-at-a-time)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object per run")
    args = parser.parse_args()
    for transport in args.transports.split(","):
        if transport not in TRANSPORTS:
            parser.error(f"unknown transport {transport!r}; one of {', '.join(TRANSPORTS)}")

    layout = pin_self()
    print(
        f"PTB echo bot vs the stub: {args.users} users, {args.inputs} inputs, closed loop; "
        f"{layout}; {os.cpu_count()} core(s) on the machine",
        flush=True,
    )
    header = f"{'transport':<15} {'inputs':>6} {'s':>6} {'inputs/s':>9} "
    header += f"{'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'max ms':>7} "
    header += f"{'bot CPU ms/in':>13} {'stub CPU ms/in':>14}"
    if not args.json:
        print(header, flush=True)
    for transport in args.transports.split(","):
        r = asyncio.run(
            measure_echo(transport, args.users, args.inputs, args.max_seconds, args.concurrent)
        )
        if args.json:
            print(json.dumps(r), flush=True)
            continue
        print(
            f"{transport:<15} {r['inputs']:>6} {r['seconds']:>6} {r['inputs_per_s']:>9} "
            f"{r['p50_ms']:>7} {r['p90_ms']:>7} {r['p99_ms']:>7} {r['max_ms']:>7} "
            f"{r['bot_cpu_ms_per_input']:>13} {r['stub_cpu_ms_per_input']:>14}"
            + ("" if r["complete"] else "  (incomplete: hit --max-seconds)"),
            flush=True,
        )


if __name__ == "__main__":
    main()
