"""Whole conversations through the real bot (`python -m bot`) against the Bot API stub.

    python benchmarks/bench_bot.py [--users 50] [--inputs 3000] [--conversations 150]
                                   [--rate 30] [--open-seconds 30] [--stored 10000]
                                   [--skip-echo] [--skip-open] [--json]

About two minutes with the defaults. Set-up: this process runs the strict Bot API stub
(tests/e2e/stub_server.py) and the simulated people; the bot runs as a child process as
deployed (``python -m bot``, TELEGRAM_BASE_URL pointing at the stub, its own SQLite file),
pinned to the other core (benchmarks/_harness.py; BENCH_NO_PIN=1 to not pin). Before it
starts, its database gets --stored (10,000) conversations: real sessions (five people in
English and Spanish driven through dialogs.conversation.handle, snapshotted after every
step) cloned under other chat ids, 70% finished and 30% stopped mid-way, one
``Store.save`` each.

A person walks a whole conversation: /start, then every question up to the result, taps
on the question's buttons and typed answers (tests/conversations.py's ``check_answers``).
Which questions are asked follows the day (issue 14: the paychecks left, whether one is
paid yet), so the inputs are worked out at start-up for the bot's day through the dialog,
by question: 21 on most days (from /start), 19 in the first days of January; the
paycheck estimates are tapped by their buttons' prefix, so a day turning mid-run keeps
the walk going (its results may then count as wrong). After each input the person waits
until the bot's reply is complete (the next question, i.e. a sendMessage with buttons;
after the last answer, the charts' sendPhotos: the 415(c) bucket and the paycheck plan),
then sends the next; whoever reaches the result is replaced by a new person (a new chat).
Every result is checked for the after-tax step the dialog words for that day, and any
"something went wrong" from the bot is counted. Figures below from before issue 14 are of
a 17-input conversation with one chart. Measured phases start
with the people spread over the script (walked there first, unmeasured), as in a steady
stream, and come after an unmeasured warm-up of 10 whole conversations.

What "answered" means. Per input the bot calls, in order: answerCallbackQuery (taps only;
nothing shows in the chat), editMessageText (the question just answered, now showing the
answer), sendMessage (the next question; two steps send a line before it) and, for the
last answer only, sendMessage (the result, with buttons) and two sendPhotos (the charts,
Pillow PNGs rendered in a thread). The latency of an input is the stub's own measure: from the
update being queued on the server to the first message the bot sends or edits in that
chat (the editMessageText for answers, the welcome for /start; for the last answer the
edit, and the photos follow as "whole reply"). The "whole reply" latency (whole99) runs
to the end of the reply: the next question, or the last chart's photo. Inputs/s counts inputs
whose whole reply arrived, over the phase's wall time.

Phases, in one run:
  - echo: the thinnest PTB bot on the same stub and aiohttp transport (one
    ``MessageHandler`` that ``reply_text``s), flat out with PTB's default processing (one
    update at a time, each awaiting its sendMessage) and with ``concurrent_updates(256)``
    (what the bot's per-chat processor allows: the fair baseline for the ratio), then the
    concurrent one open loop at --rate.
  - bot, flat out (closed loop, --users people, no think time): "no charts" walks the
    conversation without its last answer (--inputs inputs, no result, no chart: the
    figure for the >= 500/s and >= 80% targets); "whole" is --conversations whole
    conversations' worth of inputs, results and charts included, reported as inputs/s,
    chart inputs/s (one per conversation) and conversations/s.
  - bot, open loop: --rate inputs/s offered in total (30/s: Telegram's ceiling for one
    bot) for --open-seconds, whole conversations; p50/p90/p99, for the chart-bearing
    inputs on their own too. A tick that finds nobody idle is counted ("late ticks").
  - memory: the bot's VmHWM (peak resident set, /proc/<pid>/status) after all its phases.
  - CPU per input of the bot process (all threads, /proc/<pid>/stat) and of this process
    (stub + people), Bot API calls per input, and the CPU other processes used meanwhile
    ("others", % of one core): the dev VM is shared, and others' work moves the figures.
Targets are printed with PASS/MISS; nothing asserts, and the exit code is 0 whatever the
figures. BENCH_PROFILE=<dir> writes cProfile files of the bot (``bot.prof``, main thread
only), the echo bots and the stub side; ``--bot-script FILE`` runs FILE instead of
``python -m bot`` (to A/B a patched copy).

After the bot sent replies without building PTB Message objects, delivered the outbox it
had just saved, and drew charts in one thread (commit "Bot: send without building PTB
Message objects..."), two default runs (others 1-6% of a core):
    echo, one at a time     flat out   534-546 inputs/s  p50 83-94 ms    p99 146-158 ms
    echo, concurrent 256    flat out   818-868 inputs/s  p50 53-54 ms    p99 260-285 ms
    megaroth, no charts     flat out   249-266 inputs/s  p50 135-139 ms  p99 282 ms
    megaroth, whole         flat out   148-160 inputs/s  9.3-10.1 conversations/s
    megaroth, whole         open 30/s                    p50 6.7-7.8 ms  p99 19.4-19.5 ms
        chart inputs                                     p99 22-26 ms, photo p99 81-129 ms
    peak memory: megaroth 92.2 MB (72 MB idle after start-up), echo 56 MB
    CPU per input: 3.6-3.9 ms without charts, 6.0-6.5 ms with
    targets: >= 80% of echo MISS (29-32%); >= 500/s MISS (249-266/s);
             p99 < 100 ms at 30/s PASS (19.5 ms); < 200 MB PASS (92 MB)
Then with JSON request bodies in bot/transport.py (one run, --skip-open): megaroth 281
inputs/s without charts (3.4 ms CPU per input), 154 whole; echo concurrent 744/s in the
same run (another process took 18% of a core meanwhile); 92.5 MB peak.
At the end of the session (after review fixes; one default run): megaroth 242 inputs/s
without charts (4.0 ms CPU per input), 147 whole, 9.2 conversations/s; at 30/s p50 7.7 ms,
p99 18.2 ms; 92.5 MB peak; echo concurrent 839/s, one at a time 451/s.

Before those changes, three default runs with the VM otherwise quiet (others 2-13% of a
core):
    echo, one at a time     flat out   393-469 inputs/s  p50 105-126 ms  p99 173-188 ms
    echo, concurrent 256    flat out   789-814 inputs/s  p50 56-58 ms    p99 278-291 ms
                            open 30/s                    p50 3.5-4.1 ms  p99 6.4-7.4 ms
    megaroth, no charts     flat out   197-212 inputs/s  p50 166-180 ms  p99 275-339 ms
    megaroth, whole         flat out   136-138 inputs/s  p50 235-261 ms  p99 493-498 ms
        of which charts                8.5-8.6/s = conversations/s       photo p50 598-622 ms
    megaroth, whole         open 30/s                    p50 7.3-7.7 ms  p99 15.9-17.6 ms
        chart inputs                                     p99 15-26 ms, photo p99 75-88 ms
    peak memory: megaroth 137-146 MB (72 MB idle after start-up), echo 56 MB
    targets: >= 80% of echo MISS (25-27%); >= 500/s MISS (197-212/s);
             p99 < 100 ms at 30/s PASS (16-18 ms); < 200 MB PASS (137-146 MB)

Where the time goes (bot process CPU, flat out): 4.6-4.9 ms per input without charts,
7.0 ms with (a 30 ms chart every 16 inputs), against 1.1 ms for the concurrent echo. The
bot is CPU-bound on its core; the stub side (1.5 ms/input, this process) is not. An input
costs 2.7 Bot API calls (answerCallbackQuery, editMessageText, sendMessage) against the
echo's 1, and PTB turns every reply into a ``Message`` (about 0.3 ms each) that the bot
mostly ignores; the dialog step is about 0.5 ms and SQLite about 0.25 ms. The peak memory
does not depend on the stored conversations (500 or 10,000: the same): it is charts
rendered at once in asyncio's default thread pool (min(32, cores + 4) threads, each
render holding about 10 MB); one render thread would keep it near 93 MB. A patched copy
of the bot (run with --bot-script: replies through ``Bot.do_api_request`` so that no
``Message`` is built, the outbox delivered without reading it back, charts in one thread)
did 3.2-3.9 ms per input, 245-306 inputs/s without charts, 146-175 whole, 93 MB peak.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (
    DEFAULT_TOKEN,
    Driver,
    PhaseResult,
    Step,
    StubServer,
    echo_bot_argv,
    machine_busy_seconds,
    memory_mb,
    pin_self,
    profiled,
    start_child,
    stop_child,
)

from bot.config import DEFAULT_TIMEZONE, today_in

if TYPE_CHECKING:
    from tests.conversations import Answer

BOT_ERROR = "something went wrong"
ECHO_SCRIPT = (Step("say", "message", done="message"),)

TARGET_RATIO = 0.80
TARGET_INPUTS_PER_S = 500.0
TARGET_P99_MS = 100.0
TARGET_PEAK_MB = 200.0


# ------------------------------------------------------------------------------------------
# The conversation: the e2e test's check, by question, as the day asks it.
# ------------------------------------------------------------------------------------------


def bot_today() -> dt.date:
    """The bot's day (its MEGAROTH_TIMEZONE, set by run_bot): which questions it asks, and
    the paychecks left, follow it."""
    return today_in(DEFAULT_TIMEZONE)


@dataclass(frozen=True)
class Conversation:
    """One whole conversation (tests/conversations.py's ``check_answers``) as the dialog asks
    it on a day: the inputs in order, the last one's reply has the result and its charts."""

    steps: tuple[Step, ...]
    expected: str  # the result's after-tax step, as the dialog words it that day

    @property
    def no_chart(self) -> tuple[Step, ...]:
        """Up to the last question: no result, no chart."""
        return self.steps[:-1]

    @classmethod
    def on(cls, day: dt.date) -> Conversation:
        from dialogs.replies import Choice, Typed
        from tests.conversations import CONTRIBUTE, check_answers, lines_of, walk

        answers = check_answers(day.year)
        conversation = walk(answers, day)
        steps = [Step("command", "start")]
        for step in conversation.steps:
            event = step.event
            if isinstance(event, Typed):
                steps.append(Step("say", event.text))
            else:
                assert isinstance(event, Choice)
                first = answers[step.question][0] == "first"  # an estimate: by its prefix,
                steps.append(Step("tap", f"v1:a:{step.question}:" if first else event.data))
        result = conversation.result
        charts = (result.chart is not None) + (result.plan_chart is not None)
        steps[-1] = dataclasses.replace(steps[-1], done="photo", photos=charts)
        [expected] = [line for line in lines_of([result.text]) if CONTRIBUTE.match(line)]
        return cls(tuple(steps), expected)


# ------------------------------------------------------------------------------------------
# The database: --stored real conversations.
# ------------------------------------------------------------------------------------------

# (language, answers unlike the e2e check's: age, pay, how often paid, deferrals, the match,
# the IRA balance); the paychecks left are the calendar's. Questions the check skips that
# their answers may bring up are answered as in _MORE.
_MORE: dict[str, Answer] = {
    "match_limit": ("tap", "unsure"),
    "roth_part": ("tap", "0"),
    "spouse_pay": ("tap", "0"),
    "ira_basis": ("tap", "0"),
    "tax_rate": ("tap", "skip"),
}
_PEOPLE: tuple[tuple[str, dict[str, Answer]], ...] = (
    ("en", {}),
    ("en", {"age": ("say", "52"), "pay": ("say", "$310,000"), "employer": ("say", "100% up to 4%"),
            "deferrals": ("tap", "max"), "deferrals_so_far": ("tap", "unsure"),
            "ira_balance": ("say", "12000"), "tax_rate": ("tap", "0.32")}),
    ("en", {"age": ("say", "29"), "pay": ("say", "145000"), "pay_frequency": ("tap", "monthly"),
            "employer": ("say", "100% of the first 3%"), "true_up": ("tap", "no")}),
    ("es", {"age": ("say", "61"), "pay": ("say", "200.000"),
            "pay_frequency": ("tap", "semimonthly"), "deferrals": ("tap", "max"),
            "deferrals_so_far": ("tap", "0"), "employer": ("say", "50% del primer 6%")}),
    ("es", {"age": ("say", "44"), "pay": ("say", "180 mil"), "deferrals": ("say", "20.000"),
            "employer": ("say", "100% del primer 4%"), "ira_balance": ("say", "5000")}),
)  # fmt: skip


def session_snapshots(today: dt.date) -> list[list[str]]:
    """Each sample person's session JSON after every step of a whole conversation."""
    from dialogs.conversation import new_session
    from dialogs.replies import Command
    from tests.conversations import Walk, check_answers

    people = []
    for language, own in _PEOPLE:
        snapshots = []
        conversation = Walk(new_session(language), today)
        conversation.send(Command("start"))
        snapshots.append(conversation.session.to_json())
        answers = {**check_answers(today.year), **_MORE, **own}
        while conversation.session.state != "done":
            conversation.answer_next(answers)
            snapshots.append(conversation.session.to_json())
        people.append(snapshots)
    return people


def fill_database(path: Path, count: int, seed: int = 20261129) -> float:
    """Store ``count`` conversations (chat ids from 9e9) with Store.save; seconds taken."""
    from bot.sqlite_store import Store

    started = time.perf_counter()
    people = session_snapshots(bot_today())
    rng = random.Random(seed)
    store = Store(path)
    try:
        update_id = 400_000_000
        for n in range(count):
            snapshots = rng.choice(people)
            stage = len(snapshots) - 1 if rng.random() < 0.7 else rng.randrange(len(snapshots))
            update_id += rng.randint(1, 40)
            store.save(9_000_000_000 + n, update_id, snapshots[stage], (), 2 * stage + 3)
    finally:
        store.close()
    return time.perf_counter() - started


# ------------------------------------------------------------------------------------------
# Phases.
# ------------------------------------------------------------------------------------------


async def run_echo(
    args: argparse.Namespace, concurrent: int, open_loop: bool
) -> list[dict[str, Any]]:
    """The echo bot (aiohttp transport) on a fresh stub: flat out, then open loop if asked."""
    name = f"echo-c{concurrent}" if concurrent else "echo"
    label = f"echo, concurrent {concurrent}" if concurrent else "echo, one at a time"
    results: list[PhaseResult] = []
    async with StubServer(DEFAULT_TOKEN) as stub:
        budget = args.max_seconds * 3 + args.open_seconds + 120
        argv = echo_bot_argv("aiohttp", stub.base_url, DEFAULT_TOKEN, budget, concurrent)
        child = await start_child(name, argv)
        try:
            await stub.wait_for(lambda: stub.calls("getUpdates"), timeout=60)
            driver = Driver(stub, ECHO_SCRIPT, bot_pid=child.pid, renew=False)
            await driver.closed_loop("warm-up", args.users, inputs=args.users * 4)
            with profiled(f"stub-{name}"):
                results.append(
                    await driver.closed_loop(
                        "flat out", args.users, inputs=args.inputs, max_seconds=args.max_seconds
                    )
                )
                if open_loop:
                    results.append(
                        await driver.open_loop(
                            f"open {args.rate:g}/s",
                            args.users,
                            rate=args.rate,
                            seconds=args.open_seconds,
                        )
                    )
            peak = memory_mb(child.pid)
        finally:
            await stop_child(child)
    rows = [dict(r.summary(), bot=label, peak_mb=round(peak, 1)) for r in results]
    for row in rows:  # a person's "conversation" is one message: not a figure to show
        row["conversations"], row["conversations_per_s"] = 0, float("nan")
    return rows


async def run_bot(
    args: argparse.Namespace, db: Path, log: Path, conversation: Conversation
) -> list[dict[str, Any]]:
    """The real bot on ``db``: warm-up, no-chart and whole flat out, open loop; memory."""
    out: list[dict[str, Any]] = []
    async with StubServer(DEFAULT_TOKEN) as stub:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "MEGAROTH_"))}
        env.update(
            TELEGRAM_BOT_TOKEN=stub.token,
            TELEGRAM_BASE_URL=stub.base_url,
            MEGAROTH_DB=str(db),
            MEGAROTH_LOG_LEVEL=args.log_level,
            MEGAROTH_TIMEZONE=DEFAULT_TIMEZONE,
        )
        started = time.perf_counter()
        argv = [str(args.bot_script)] if args.bot_script else ["-m", "bot"]
        child = await start_child("bot", argv, env=env, log=log)
        try:
            await stub.wait_for(lambda: stub.calls("getUpdates"), timeout=120)
            startup_s = time.perf_counter() - started
            idle_mb = memory_mb(child.pid, "VmRSS")
            common: dict[str, Any] = {
                "bot_pid": child.pid,
                "expect_in_result": conversation.expected,
                "error_marker": BOT_ERROR,
            }
            whole = Driver(stub, conversation.steps, first_chat_id=1_000_000, **common)
            partial = Driver(
                stub,
                conversation.no_chart,
                first_chat_id=5_000_000,
                **dict(common, expect_in_result=None),
            )
            warm = min(args.users, 10)
            warmed = await whole.closed_loop("warm-up", warm, conversations=warm, max_seconds=120)
            phases: list[PhaseResult] = []
            with profiled("stub-bot"):
                phases.append(
                    await partial.closed_loop(
                        "flat out, no charts",
                        args.users,
                        inputs=args.inputs,
                        max_seconds=args.max_seconds,
                        stagger=True,
                    )
                )
                phases.append(
                    await whole.closed_loop(
                        "flat out, whole",
                        args.users,
                        inputs=args.conversations * len(conversation.steps),
                        max_seconds=args.max_seconds,
                        stagger=True,
                    )
                )
                if not args.skip_open:
                    phases.append(
                        await whole.open_loop(
                            f"open {args.rate:g}/s, whole",
                            args.users,
                            rate=args.rate,
                            seconds=args.open_seconds,
                        )
                    )
            peak = memory_mb(child.pid)
        finally:
            code = await stop_child(child)
    for phase in phases:
        out.append(
            dict(
                phase.summary(),
                bot="megaroth",
                peak_mb=round(peak, 1),
                idle_rss_mb=round(idle_mb, 1),
                warm_hwm_mb=warmed.extra.get("hwm_mb"),
                startup_s=round(startup_s, 2),
                exit_code=code,
            )
        )
    return out


# ------------------------------------------------------------------------------------------
# Report.
# ------------------------------------------------------------------------------------------


def _fmt(value: Any, width: int) -> str:
    if isinstance(value, float):
        return ("-" if value != value else f"{value:.1f}").rjust(width)  # nan: "-"
    return str(value).rjust(width)


COLUMNS = (
    ("inputs", "inputs", 6),
    ("seconds", "s", 6),
    ("inputs_per_s", "in/s", 6),
    ("conversations_per_s", "conv/s", 6),
    ("p50_ms", "p50", 6),
    ("p90_ms", "p90", 6),
    ("p99_ms", "p99", 6),
    ("max_ms", "max", 6),
    ("done_p99_ms", "whole99", 7),
    ("api_calls_per_input", "calls", 5),
    ("bot_cpu_ms_per_input", "bot ms", 6),
    ("stub_cpu_ms_per_input", "stub ms", 7),
    ("others_cpu_pct", "others", 6),
)


def print_table(rows: Sequence[dict[str, Any]]) -> None:
    """One line per bot and phase, plus the chart-bearing inputs of phases that had any."""
    head = f"{'bot':<22} {'phase':<22}" + "".join(f" {t:>{w}}" for _, t, w in COLUMNS)
    print(head)
    print("-" * len(head))
    for row in rows:
        line = f"{row['bot']:<22} {row['phase']:<22}"
        line += "".join(f" {_fmt(row.get(k), w)}" for k, _, w in COLUMNS)
        flags = []
        if not row["complete"]:
            flags.append("INCOMPLETE")
        if row.get("late_ticks"):
            flags.append(f"{row['late_ticks']} late ticks")
        if row.get("wrong_results") or row.get("errors"):
            flags.append(f"{row['wrong_results']} wrong results, {row['errors']} bot errors")
        print(line + (f"  ({', '.join(flags)})" if flags else ""))
        if row.get("chart_inputs"):
            chart = {
                "inputs": row["chart_inputs"],
                "inputs_per_s": row["chart_inputs_per_s"],
                "p50_ms": row["chart_p50_ms"],
                "p90_ms": row["chart_p90_ms"],
                "p99_ms": row["chart_p99_ms"],
                "done_p99_ms": row["chart_done_p99_ms"],
            }
            line = f"{'':<22} {'  of which chart inputs':<22}"
            line += "".join(f" {_fmt(chart.get(k, ''), w)}" for k, _, w in COLUMNS)
            print(line + f"  (photo p50 {row['chart_done_p50_ms']} ms)")
            no_chart = {
                "inputs": row["inputs"] - row["chart_inputs"],
                "inputs_per_s": row["no_chart_inputs_per_s"],
                "p50_ms": row["no_chart_p50_ms"],
                "p90_ms": row["no_chart_p90_ms"],
                "p99_ms": row["no_chart_p99_ms"],
                "done_p99_ms": row["no_chart_done_p99_ms"],
            }
            line = f"{'':<22} {'  the other inputs':<22}"
            line += "".join(f" {_fmt(no_chart.get(k, ''), w)}" for k, _, w in COLUMNS)
            print(line)


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "MISS")


def print_targets(rows: Sequence[dict[str, Any]], stored: int) -> list[dict[str, Any]]:
    """The four targets, measured value and PASS/MISS; returned for --json."""

    def find(bot: str, prefix: str) -> dict[str, Any] | None:
        return next((r for r in rows if r["bot"] == bot and r["phase"].startswith(prefix)), None)

    no_chart = find("megaroth", "flat out, no charts")
    whole = find("megaroth", "flat out, whole")
    opened = find("megaroth", "open")
    echo_c = next(
        (r for r in rows if r["bot"].startswith("echo, concurrent") and r["phase"] == "flat out"),
        None,
    )
    echo_s = find("echo, one at a time", "flat out")
    targets: list[dict[str, Any]] = []
    bot_rate = no_chart["no_chart_inputs_per_s"] if no_chart else None
    if bot_rate is not None and echo_c is not None:
        ratio = bot_rate / echo_c["inputs_per_s"] if echo_c["inputs_per_s"] else 0.0
        text = f"{ratio:.0%} ({bot_rate:.0f} vs {echo_c['inputs_per_s']:.0f}/s)"
        if echo_s is not None and echo_s["inputs_per_s"]:
            text += f"; {bot_rate / echo_s['inputs_per_s']:.0%} of the one-at-a-time echo"
            text += f" ({echo_s['inputs_per_s']:.0f}/s)"
        if whole is not None and echo_c["inputs_per_s"]:
            text += f"; whole: {whole['inputs_per_s'] / echo_c['inputs_per_s']:.0%}"
        targets.append(
            {
                "target": "flat out >= 80% of echo (concurrent, same transport, same run)",
                "measured": text,
                "ok": ratio >= TARGET_RATIO,
            }
        )
    if bot_rate is not None:
        text = f"{bot_rate:.0f} inputs/s"
        if whole is not None:
            text += (
                f"; whole: {whole['inputs_per_s']:.0f} inputs/s, "
                f"{whole['chart_inputs_per_s']:.1f} chart inputs/s, "
                f"{whole['conversations_per_s']:.1f} conversations/s"
            )
        targets.append(
            {
                "target": "flat out >= 500 inputs/s (inputs without charts)",
                "measured": text,
                "ok": bot_rate >= TARGET_INPUTS_PER_S,
            }
        )
    if opened is not None:
        text = f"p99 {opened['p99_ms']} ms (p50 {opened['p50_ms']}, p90 {opened['p90_ms']})"
        text += f"; chart inputs p99 {opened['chart_p99_ms']} ms"
        text += f", their photo p99 {opened['chart_done_p99_ms']} ms"
        targets.append(
            {
                "target": f"p99 < 100 ms at {opened['offered_rate']:g} inputs/s",
                "measured": text,
                "ok": opened["p99_ms"] < TARGET_P99_MS and opened["complete"],
            }
        )
    bot_row = no_chart or whole or opened
    if bot_row is not None:
        text = f"VmHWM {bot_row['peak_mb']} MB (RSS {bot_row['idle_rss_mb']} MB idle at start)"
        if echo_c is not None:
            text += f"; echo {echo_c['peak_mb']} MB"
        targets.append(
            {
                "target": f"peak memory < 200 MB with {stored:,} stored conversations",
                "measured": text,
                "ok": bot_row["peak_mb"] < TARGET_PEAK_MB,
            }
        )
    width = max(len(t["target"]) for t in targets) if targets else 0
    print()
    print(f"{'target':<{width}}  result  measured")
    for t in targets:
        print(f"{t['target']:<{width}}  {_verdict(t['ok']):<6}  {t['measured']}")
    return targets


# ------------------------------------------------------------------------------------------
# Main.
# ------------------------------------------------------------------------------------------


async def run(
    args: argparse.Namespace, folder: Path, conversation: Conversation
) -> list[dict[str, Any]]:
    """Every phase in order: echo bots, then the real bot on the filled database."""
    rows: list[dict[str, Any]] = []
    if not args.skip_echo:
        rows += await run_echo(args, 0, open_loop=False)
        rows += await run_echo(args, args.echo_concurrency, open_loop=not args.skip_open)
    db = folder / "bot.db"
    if args.stored:
        seconds = fill_database(db, args.stored)
        print(f"database: {args.stored:,} conversations stored in {seconds:.1f} s", flush=True)
    rows += await run_bot(args, db, folder / "bot.log", conversation)
    return rows


def main() -> None:
    """Parse arguments, run, print the table and the targets."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="people at once (50)")
    parser.add_argument(
        "--inputs", type=int, default=3000, help="flat out: echo and no-chart inputs (3000)"
    )
    parser.add_argument(
        "--conversations",
        type=int,
        default=150,
        help="flat out: whole conversations' worth of inputs (150, x its inputs)",
    )
    parser.add_argument("--rate", type=float, default=30.0, help="open loop inputs/s (30)")
    parser.add_argument("--open-seconds", type=float, default=30.0, help="open loop length (30 s)")
    parser.add_argument(
        "--stored", type=int, default=10_000, help="conversations in the DB (10000)"
    )
    parser.add_argument("--max-seconds", type=float, default=120.0, help="cap per phase (120 s)")
    parser.add_argument(
        "--echo-concurrency", type=int, default=256, help="concurrent_updates of the echo"
    )
    parser.add_argument("--skip-echo", action="store_true", help="only the real bot")
    parser.add_argument("--skip-open", action="store_true", help="no open-loop phases")
    parser.add_argument("--log-level", default="INFO", help="the bot's MEGAROTH_LOG_LEVEL")
    parser.add_argument(
        "--bot-script",
        type=Path,
        help="run this file instead of `python -m bot` (to A/B a patched copy of the bot)",
    )
    parser.add_argument("--keep", type=Path, help="keep the bot's database and log here")
    parser.add_argument("--json", action="store_true", help="also print the rows as JSON")
    args = parser.parse_args()

    layout = pin_self()
    conversation = Conversation.on(bot_today())
    print(
        f"megaroth vs the stub: {args.users} people at once; flat out {args.inputs} inputs "
        f"without charts and {args.conversations} whole conversations "
        f"({len(conversation.steps)} inputs each, {conversation.steps[-1].photos} charts); "
        f"open loop {args.rate:g} inputs/s for "
        f"{args.open_seconds:g} s; {args.stored:,} stored conversations; {layout}",
        flush=True,
    )
    with contextlib.ExitStack() as stack:
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            folder = args.keep
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-bot-")))
        busy = machine_busy_seconds()
        started = time.perf_counter()
        rows = asyncio.run(run(args, folder, conversation))
        total = time.perf_counter() - started
        busy = machine_busy_seconds() - busy
    print()
    print_table(rows)
    print(
        "latency ms: push -> the bot's first message or edit in the chat; whole99: p99 to "
        "the end of the reply (next question\nor chart photo); calls: Bot API calls per "
        "input, getUpdates aside; bot ms, stub ms: CPU per input; others: CPU of other "
        "processes,\n% of one core"
    )
    targets = print_targets(rows, args.stored)
    print(f"\n{total:.0f} s in all; machine CPU busy {busy / total:.0%} of one core on average")
    if args.json:
        print(json.dumps({"rows": rows, "targets": targets}))


if __name__ == "__main__":
    main()
