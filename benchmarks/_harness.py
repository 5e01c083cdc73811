"""Shared parts of the end-to-end benchmarks (bench_transport.py, bench_bot.py).

- The Bot API stub (tests/e2e/stub_server.py) runs in the benchmark's own process, with the
  simulated people; the bot runs in a child process. With two or more cores the two are
  pinned to different cores: the parent pins itself to the first and the child, by pid,
  to the second (BENCH_NO_PIN=1 to not pin). The core list is read once at import, before
  any pinning: a child asking ``sched_getaffinity`` would only see the one core it
  inherited (which is how bench_transport.py used to end up with stub and bot sharing one).
- The thinnest PTB echo bot (``python benchmarks/_harness.py echo-bot ...``): one
  ``MessageHandler`` that ``reply_text``s, polling through httpx or bot.transport.
- ``Driver``: simulated people walking a script of inputs (commands, taps, typed text)
  one at a time, each waiting until the bot's whole reply is in before the next input;
  flat out (closed loop) or at a fixed offered rate (open loop).
- ``/proc`` figures: a process's CPU seconds (all threads) and peak resident memory.
- Profiling: ``BENCH_PROFILE=<dir>`` runs every child under cProfile (``<dir>/<name>.prof``,
  main thread only) and ``profiled()`` wraps the stub side in this process.
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import itertools
import logging
import os
import signal
import statistics
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

HARNESS = Path(__file__).resolve()
ROOT = HARNESS.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.e2e.stub_server import (  # noqa: E402
    DEFAULT_TOKEN,
    InputRecord,
    StubChat,
    StubMessage,
    StubServer,
)

__all__ = [
    "DEFAULT_TOKEN",
    "ROOT",
    "Driver",
    "PhaseResult",
    "Step",
    "StubServer",
    "cpu_seconds",
    "echo_bot_argv",
    "machine_busy_seconds",
    "memory_mb",
    "percentile",
    "pin_child",
    "pin_self",
    "profiled",
    "start_child",
    "stop_child",
]

ECHO_TRANSPORTS = ("httpx", "aiohttp", "httpx-nosniffio")
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------------------------------
# Cores, /proc, percentiles.
# ------------------------------------------------------------------------------------------


def _usable_cpus() -> list[int]:
    return sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []


CPUS = _usable_cpus()  # read before anything pins this process


def _pinning() -> bool:
    return len(CPUS) >= 2 and not os.environ.get("BENCH_NO_PIN")


def pin_self() -> str:
    """Pin this (the stub's) process to the first usable core; describe the layout."""
    if not _pinning():
        return f"not pinned ({len(CPUS) or '?'} usable core(s))"
    os.sched_setaffinity(0, {CPUS[0]})
    return f"stub + simulated users on core {CPUS[0]}, bot on core {CPUS[1]}"


def pin_child(pid: int) -> None:
    """Pin a child process (by pid, right after spawning it) to the second usable core."""
    if _pinning():
        os.sched_setaffinity(pid, {CPUS[1]})


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU seconds of a process (all its threads); this one if pid is None."""
    if pid is None:
        return time.process_time()
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return float("nan")
    fields = raw.rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime, stime


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent not idle since boot (/proc/stat)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return float("nan")
    # user nice system idle iowait irq softirq steal guest guest_nice; guests are in user.
    ticks = [int(f) for f in fields[:8]]
    return (sum(ticks) - ticks[3] - ticks[4]) / _CLOCK_TICKS


def memory_mb(pid: int, key: str = "VmHWM") -> float:
    """A /proc/<pid>/status memory line in MB (VmHWM: peak resident set; VmRSS: now)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return float("nan")


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending sequence (nan when empty)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, round(fraction * len(sorted_values) + 0.5))
    return sorted_values[min(rank, len(sorted_values)) - 1]


# ------------------------------------------------------------------------------------------
# Child processes.
# ------------------------------------------------------------------------------------------


def _profile_path(name: str) -> Path | None:
    folder = os.environ.get("BENCH_PROFILE")
    if not folder:
        return None
    Path(folder).mkdir(parents=True, exist_ok=True)
    return Path(folder) / f"{name}.prof"


async def start_child(
    name: str,
    argv: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    log: Path | None = None,
) -> asyncio.subprocess.Process:
    """Start ``python <argv>`` in ROOT, pinned to the bot's core, under cProfile if asked.

    Output goes to ``log`` (a file, never an unread pipe that could block the child).
    """
    command = [sys.executable]
    profile = _profile_path(name)
    if profile is not None:
        command += ["-m", "cProfile", "-o", str(profile)]
    command += list(argv)
    with contextlib.ExitStack() as stack:
        sink: Any = stack.enter_context(log.open("ab")) if log is not None else None
        process = await asyncio.create_subprocess_exec(
            *command, cwd=ROOT, env=env, stdout=sink, stderr=sink
        )
    pin_child(process.pid)
    return process


async def stop_child(process: asyncio.subprocess.Process, timeout: float = 20.0) -> int:  # noqa: ASYNC109
    """SIGTERM, wait (kill after ``timeout``); the exit code."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), timeout)
        except TimeoutError:
            process.kill()
            await process.wait()
    return int(process.returncode or 0)


@contextlib.contextmanager
def profiled(name: str) -> Iterator[None]:
    """cProfile this process's main thread into ``$BENCH_PROFILE/<name>.prof`` if set."""
    path = _profile_path(name)
    if path is None:
        yield
        return
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        profiler.dump_stats(path)


# ------------------------------------------------------------------------------------------
# The thinnest PTB echo bot (a child process).
# ------------------------------------------------------------------------------------------


def echo_bot_argv(
    transport: str, base_url: str, token: str, max_seconds: float, concurrent: int = 0
) -> list[str]:
    """Arguments (after ``python``) that run the echo bot against ``base_url``.

    ``concurrent=0`` is PTB's default: one update after another, each awaiting its
    sendMessage. ``concurrent=n`` is ``concurrent_updates(n)``, as the real bot's
    per-chat processor allows (256), so replies to different chats overlap.
    """
    return [
        str(HARNESS),
        "echo-bot",
        transport,
        base_url,
        token,
        str(max_seconds),
        str(concurrent),
    ]


async def _run_echo_bot(
    transport: str, base_url: str, token: str, max_seconds: float, concurrent: int
) -> None:
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
    if concurrent:
        builder = builder.concurrent_updates(concurrent)
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


def _echo_bot_main(argv: Sequence[str]) -> None:
    transport, base_url, token, max_seconds, concurrent = argv
    if transport not in ECHO_TRANSPORTS:
        raise SystemExit(f"unknown transport {transport!r}; one of {ECHO_TRANSPORTS}")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines carry the token
    asyncio.run(_run_echo_bot(transport, base_url, token, float(max_seconds), int(concurrent)))


# ------------------------------------------------------------------------------------------
# Simulated people.
# ------------------------------------------------------------------------------------------

Done = Literal["message", "question", "photo"]


@dataclass(frozen=True, slots=True)
class Step:
    """One input of a script and what marks the bot's reply to it as complete.

    ``kind``: "command" (``/value``), "say" (typed text) or "tap" (the button on the latest
    question whose callback data equals ``value``, or else starts with it). ``done``:
    "message" (any sendMessage: the echo bot), "question" (a sendMessage with an inline
    keyboard: the next question) or "photo" (the ``photos``-th sendPhoto after the input:
    the result's charts, the 415(c) bucket and the paycheck plan).
    """

    kind: Literal["command", "say", "tap"]
    value: str
    done: Done = "question"
    photos: int = 1

    @property
    def chart(self) -> bool:
        """Whether the reply to this input carries a chart."""
        return self.done == "photo"


@dataclass(slots=True)
class Sample:
    """One input: the stub's record (pushed_at, first answer) and when the reply was whole."""

    chat_id: int
    step: int
    kind: str
    chart: bool
    record: InputRecord
    done_at: float | None = None

    @property
    def first_ms(self) -> float | None:
        """Push → the bot's first visible answer in the chat (the stub's measure), ms."""
        latency = self.record.latency
        return None if latency is None else latency * 1000

    @property
    def done_ms(self) -> float | None:
        """Push → the reply complete (next question / chart photo), ms."""
        return None if self.done_at is None else (self.done_at - self.record.pushed_at) * 1000


@dataclass(slots=True)
class _Person:
    chat_id: int
    started_at: float
    step: int = 0
    question_id: int = 0
    busy: Sample | None = None
    photos: int = 0  # sendPhotos since the input in flight


@dataclass(frozen=True, slots=True)
class _Mark:
    samples: int
    conversations: int
    wrong: int
    errors: int
    at: float
    stub_cpu: float
    bot_cpu: float
    machine: float
    requests: int


@dataclass
class PhaseResult:
    """What one closed- or open-loop phase measured."""

    name: str
    samples: list[Sample]
    wall_s: float
    conversations: int
    conversation_s: list[float]
    bot_cpu_s: float
    stub_cpu_s: float
    complete: bool
    others_cpu_s: float = 0.0
    late_ticks: int = 0
    wrong_results: int = 0
    errors: int = 0
    offered_rate: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def answered(self, chart: bool | None = None) -> list[Sample]:
        """Inputs whose reply completed (all, chart-bearing only, or chart-free only)."""
        return [
            s
            for s in self.samples
            if s.done_at is not None and (chart is None or s.chart == chart)
        ]

    def per_s(self, chart: bool | None = None) -> float:
        """Completed inputs (of the kind) per second of the phase's wall time."""
        return len(self.answered(chart)) / self.wall_s if self.wall_s > 0 else 0.0

    def latencies(self, which: str = "first", chart: bool | None = None) -> list[float]:
        """Ascending latencies in ms: "first" answer or "done" (the whole reply)."""
        values = [s.first_ms if which == "first" else s.done_ms for s in self.answered(chart)]
        return sorted(v for v in values if v is not None)

    def summary(self) -> dict[str, Any]:
        """Flat figures for tables and JSON."""
        first, done = self.latencies("first"), self.latencies("done")
        answered = len(self.answered())
        out: dict[str, Any] = {
            "phase": self.name,
            "complete": self.complete,
            "inputs": answered,
            "chart_inputs": len(self.answered(True)),
            "seconds": round(self.wall_s, 2),
            "inputs_per_s": round(self.per_s(), 1),
            "no_chart_inputs_per_s": round(self.per_s(False), 1),
            "chart_inputs_per_s": round(self.per_s(True), 2),
            "conversations": self.conversations,
            "conversations_per_s": round(self.conversations / self.wall_s, 2)
            if self.wall_s > 0
            else 0.0,
            "p50_ms": round(percentile(first, 0.50), 1),
            "p90_ms": round(percentile(first, 0.90), 1),
            "p99_ms": round(percentile(first, 0.99), 1),
            "max_ms": round(first[-1], 1) if first else float("nan"),
            "done_p50_ms": round(percentile(done, 0.50), 1),
            "done_p99_ms": round(percentile(done, 0.99), 1),
            "bot_cpu_ms_per_input": round(self.bot_cpu_s * 1000 / answered, 2)
            if answered
            else float("nan"),
            "stub_cpu_ms_per_input": round(self.stub_cpu_s * 1000 / answered, 2)
            if answered
            else float("nan"),
            "api_calls_per_input": round(self.extra.get("api_calls", 0) / answered, 2)
            if answered
            else float("nan"),
            "bot_cpu_s": round(self.bot_cpu_s, 2),
            "stub_cpu_s": round(self.stub_cpu_s, 2),
            "others_cpu_pct": round(100 * self.others_cpu_s / self.wall_s) if self.wall_s else 0,
            "offered_rate": self.offered_rate,
            "late_ticks": self.late_ticks,
            "wrong_results": self.wrong_results,
            "errors": self.errors,
        }
        for chart in (False, True):
            tag = "chart" if chart else "no_chart"
            values = self.latencies("first", chart)
            out[f"{tag}_p50_ms"] = round(percentile(values, 0.50), 1)
            out[f"{tag}_p90_ms"] = round(percentile(values, 0.90), 1)
            out[f"{tag}_p99_ms"] = round(percentile(values, 0.99), 1)
            whole = self.latencies("done", chart)
            out[f"{tag}_done_p50_ms"] = round(percentile(whole, 0.50), 1)
            out[f"{tag}_done_p99_ms"] = round(percentile(whole, 0.99), 1)
        if self.conversation_s:
            out["conversation_median_s"] = round(statistics.median(self.conversation_s), 2)
        out.update(self.extra)
        return out


class Driver:
    """Simulated people on the stub, each walking ``script`` one input at a time.

    A person sends an input and waits until the bot's reply to it is complete (``Step.done``)
    before the next: the stub matches answers to inputs first-in first-out per chat, so one
    input per chat in flight keeps its "first answer" exact, and a tap needs the message
    id of the question just asked. A person who reaches the end of the script is replaced
    by a new person (a new chat id) starting it again. Completion is seen through the
    stub's message listener (no polling), and the next input is pushed from it.
    With ``renew=False`` the same person starts the script again instead (the echo bot).
    """

    def __init__(
        self,
        stub: StubServer,
        script: Sequence[Step],
        *,
        first_chat_id: int = 100_000,
        language_code: str = "en",
        expect_in_result: str | None = None,
        error_marker: str | None = None,
        bot_pid: int | None = None,
        renew: bool = True,
    ) -> None:
        if not script:
            raise ValueError("empty script")
        self.stub = stub
        self.script = list(script)
        self.language_code = language_code
        self.expect_in_result = expect_in_result
        self.error_marker = error_marker
        self.bot_pid = bot_pid
        self.renew = renew
        self._chat_ids = itertools.count(first_chat_id)
        self._people: dict[int, _Person] = {}
        self._samples: list[Sample] = []
        self._conversation_s: list[float] = []
        self._on_idle: Callable[[_Person], None] = lambda person: None
        self._idle_changed = asyncio.Event()
        self._wrong = self._errors = 0
        stub.add_message_listener(self._on_message)

    # -- inputs ----------------------------------------------------------------------------

    def _new_person(self) -> _Person:
        person = _Person(next(self._chat_ids), time.perf_counter())
        self._people[person.chat_id] = person
        return person

    def _send(self, person: _Person) -> None:
        """Push the person's next input and remember it as in flight."""
        index = person.step
        step = self.script[index]
        chat_id = person.chat_id
        if step.kind == "command":
            self.stub.push_command(chat_id, step.value, language_code=self.language_code)
        elif step.kind == "say":
            self.stub.push_text(chat_id, step.value, language_code=self.language_code)
        else:
            message = self.stub.chat(chat_id).message(person.question_id)
            if message is None:
                raise RuntimeError(f"chat {chat_id}: no question to tap {step.value!r} on")
            options = message.callback_data
            data = step.value if step.value in options else None
            data = data or next((d for d in options if d.startswith(step.value)), None)
            if data is None:
                raise RuntimeError(f"chat {chat_id}: no button {step.value!r} in {options}")
            self.stub.push_callback(chat_id, person.question_id, data)
        record = self.stub.inputs[-1]
        sample = Sample(chat_id, index, step.kind, step.chart, record)
        person.busy = sample
        person.photos = 0
        self._samples.append(sample)

    def _on_message(self, chat: StubChat, message: StubMessage, method: str) -> None:
        person = self._people.get(chat.id)
        if person is None or person.busy is None:
            return
        if self.error_marker and self.error_marker in (message.content or ""):
            self._errors += 1
        step = self.script[person.step]
        if step.done == "photo":
            if method == "sendPhoto":
                person.photos += 1
            complete = method == "sendPhoto" and person.photos >= step.photos
        elif method != "sendMessage":
            complete = False
        elif step.done == "question":
            complete = bool(message.callback_data)
        else:
            complete = True
        if not complete:
            return
        if method == "sendMessage" and message.callback_data:
            person.question_id = message.message_id
        person.busy.done_at = time.perf_counter()
        person.busy = None
        person.step += 1
        if person.step >= len(self.script):
            self._finish(person)
            if self.renew:
                person = self._new_person()
            else:
                person.step, person.started_at = 0, time.perf_counter()
        self._on_idle(person)

    def _finish(self, person: _Person) -> None:
        if self.renew:
            del self._people[person.chat_id]
        self._conversation_s.append(time.perf_counter() - person.started_at)
        if self.expect_in_result is not None:
            shown = "\n".join(m.content or "" for m in self.stub.bot_messages(person.chat_id))
            if self.expect_in_result not in shown:
                self._wrong += 1

    # -- phases ----------------------------------------------------------------------------

    def _begin(self) -> _Mark:
        return _Mark(
            len(self._samples),
            len(self._conversation_s),
            self._wrong,
            self._errors,
            time.perf_counter(),
            cpu_seconds(),
            cpu_seconds(self.bot_pid) if self.bot_pid else 0.0,
            machine_busy_seconds(),
            len(self.stub.requests),
        )

    def _result(
        self,
        name: str,
        begun: _Mark,
        complete: bool,
        *,
        late_ticks: int = 0,
        offered_rate: float | None = None,
    ) -> PhaseResult:
        samples = self._samples[begun.samples :]
        ends = [s.done_at for s in samples if s.done_at is not None]
        finished = max(ends) if ends else time.perf_counter()
        bot_cpu = (cpu_seconds(self.bot_pid) - begun.bot_cpu) if self.bot_pid else 0.0
        stub_cpu = cpu_seconds() - begun.stub_cpu
        others = machine_busy_seconds() - begun.machine - bot_cpu - stub_cpu
        calls = [r.method for r in self.stub.requests[begun.requests :]]
        polls = calls.count("getUpdates")
        extra: dict[str, Any] = {
            "api_calls": len(calls) - polls,  # the bot's Bot API calls, getUpdates aside
            "polls": polls,
        }
        if self.bot_pid:  # the bot's memory when the phase ends: now, and the peak so far
            extra["rss_mb"] = round(memory_mb(self.bot_pid, "VmRSS"), 1)
            extra["hwm_mb"] = round(memory_mb(self.bot_pid, "VmHWM"), 1)
        return PhaseResult(
            name=name,
            samples=samples,
            wall_s=finished - begun.at,
            conversations=len(self._conversation_s) - begun.conversations,
            conversation_s=self._conversation_s[begun.conversations :],
            bot_cpu_s=bot_cpu,
            stub_cpu_s=stub_cpu,
            others_cpu_s=max(others, 0.0),
            complete=complete,
            wrong_results=self._wrong - begun.wrong,
            errors=self._errors - begun.errors,
            late_ticks=late_ticks,
            offered_rate=offered_rate,
            extra=extra,
        )

    async def _drain(self, deadline: float) -> bool:
        """Wait until no input is in flight (or the deadline); whether all completed."""
        while any(p.busy is not None for p in self._people.values()):
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                return False
            self._idle_changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle_changed.wait(), min(remaining, 0.5))
        return True

    async def closed_loop(
        self,
        name: str,
        people: int,
        *,
        inputs: int | None = None,
        conversations: int | None = None,
        max_seconds: float = 120.0,
        stagger: bool = False,
    ) -> PhaseResult:
        """Flat out: ``people`` at once, each sending its next input as soon as the reply
        to the previous one is complete, until ``inputs`` inputs were sent or
        ``conversations`` conversations are under way or done (new people join as others
        finish). With ``stagger`` the people are first spread over the script (not
        measured, see ``_stagger``): a steady stream, not everyone at the same question."""
        crowd = [self._new_person() for _ in range(people)]
        if stagger:
            await self._stagger(crowd)
        begun = self._begin()
        sent = 0
        started = sum(1 for person in crowd if person.step > 0)  # under way already
        deadline = time.perf_counter() + max_seconds

        def may_send(person: _Person) -> bool:
            nonlocal sent, started
            if inputs is not None and sent >= inputs:
                return False
            if time.perf_counter() > deadline:
                return False
            if person.step == 0:
                if conversations is not None and started >= conversations:
                    return False
                started += 1
            sent += 1
            return True

        def on_idle(person: _Person) -> None:
            if may_send(person):
                self._send(person)
            else:
                self._idle_changed.set()

        self._on_idle = on_idle
        for person in crowd:
            if may_send(person):
                self._send(person)
        try:
            complete = await self._drain(deadline + 30)
        finally:
            self._on_idle = lambda person: None
        self._forget_idle()
        return self._result(name, begun, complete and time.perf_counter() <= deadline)

    async def _stagger(self, people: list[_Person], max_seconds: float = 120.0) -> None:
        """Walk person i through its first i % len(script) inputs (flat out, not measured),
        so that people are spread over the whole script as in a steady stream."""
        targets = {p.chat_id: i % len(self.script) for i, p in enumerate(people)}
        waiting = {p.chat_id for p in people if targets[p.chat_id]}
        settled = asyncio.Event()

        def on_idle(person: _Person) -> None:
            if person.step < targets[person.chat_id]:
                self._send(person)
            else:
                waiting.discard(person.chat_id)
                if not waiting:
                    settled.set()

        self._on_idle = on_idle
        for person in people:
            if targets[person.chat_id]:
                self._send(person)
        try:
            if waiting:
                await asyncio.wait_for(settled.wait(), max_seconds)
        finally:
            self._on_idle = lambda person: None

    async def open_loop(
        self, name: str, people: int, *, rate: float, seconds: float, stagger: bool = True
    ) -> PhaseResult:
        """Open loop: one input every 1/``rate`` s in total, whatever the bot's speed, each
        from the next person who is not waiting for a reply (a tick finding nobody idle is
        counted in ``late_ticks`` and skipped); ``people`` people at a time. With
        ``stagger`` they are first spread over the script (see ``_stagger``), so that
        results and charts come from the start and not only after a whole conversation."""
        crowd = [self._new_person() for _ in range(people)]
        if stagger:
            await self._stagger(crowd)
        begun = self._begin()
        idle: deque[_Person] = deque(crowd)
        self._on_idle = idle.append
        late = 0
        loop_started = time.perf_counter()
        try:
            for tick in itertools.count():
                due = loop_started + tick / rate
                if due >= loop_started + seconds:
                    break
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                if idle:
                    self._send(idle.popleft())
                else:
                    late += 1
            complete = await self._drain(time.perf_counter() + 30)
        finally:
            self._on_idle = lambda person: None
        self._forget_idle()
        result = self._result(name, begun, complete, late_ticks=late, offered_rate=rate)
        # Offered load: the wall time is the schedule's, not the last reply's.
        result.wall_s = max(result.wall_s, seconds)
        return result

    def _forget_idle(self) -> None:
        """People who did not get to finish are left behind (their chats stay on the stub)."""
        self._people = {k: p for k, p in self._people.items() if p.busy is not None}

    def counters(self) -> tuple[int, int]:
        """(conversations with a wrong result, bot error messages) so far."""
        return self._wrong, self._errors


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "echo-bot":
        _echo_bot_main(sys.argv[2:])
    else:
        raise SystemExit("usage: python benchmarks/_harness.py echo-bot TRANSPORT URL TOKEN S N")
