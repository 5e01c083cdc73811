"""Median time of one dialog step (no chart) and of one chart render.

    python benchmarks/bench_dialog.py

A conversation is the e2e test's check, answered by question on a fixed day (24 events,
/start to the result), in English and in Spanish. A step is what the bot does per
message: load the session from JSON, handle the event (parse, validate, advance the
machine, assess, render text), save it back to JSON.
Targets: a step well under 1 ms; a chart under 50 ms of CPU.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dialogs.charts import render_bucket_chart  # noqa: E402
from dialogs.conversation import MACHINE, handle, new_session, result_reply  # noqa: E402
from dialogs.plans import Services  # noqa: E402
from dialogs.replies import Command, Event  # noqa: E402
from dialogs.session import Session  # noqa: E402
from tests.conversations import Answer, check_answers, walk  # noqa: E402

TODAY = dt.date(2026, 11, 29)  # a fixed day: the same questions (3 paychecks left) every run
# The e2e test's check, with an unconverted balance and its earnings, an IRA with its basis
# and a tax rate: every kind of question (taps, amounts, a formula, a percent).
ANSWERS: dict[str, Answer] = {
    **check_answers(TODAY.year),
    "pay": ("say", "$200,000"),
    "after_tax_in": ("say", "none"),
    "balance": ("say", "5300"),
    "earnings": ("say", "300"),
    "ira_balance": ("say", "100k"),
    "ira_basis": ("tap", "0"),
    "tax_rate": ("say", "24%"),
}
# The events in the order the dialog asks for them that day, worked out once by question.
SCRIPT: list[Event] = [Command("start"), *walk(ANSWERS, TODAY).events]


def conversation(lang: str) -> list[float]:
    """Seconds per step for one whole conversation, the session stored as JSON between."""
    stored = new_session(lang).to_json()
    times = []
    for event in SCRIPT:
        start = time.perf_counter()
        session = Session.from_json(stored)
        handle(session, event, TODAY)
        stored = session.to_json()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    for lang in ("en", "es"):
        conversation(lang)  # warm-up: catalogs, parameter files
    steps = [t for _ in range(100) for lang in ("en", "es") for t in conversation(lang)]
    steps.sort()
    print(f"dialog step (no chart), {len(steps)} steps over 200 conversations:")
    p90 = steps[int(len(steps) * 0.9)]
    median = statistics.median(steps)
    print(f"  median {median * 1e3:.3f} ms, p90 {p90 * 1e3:.3f} ms, max {steps[-1] * 1e3:.3f} ms")
    for lang in ("es", "en"):  # the English session is the one charted below
        session = new_session(lang)
        for event in SCRIPT:
            handle(session, event, TODAY)
        assert session.state == "done", f"{lang}: the script stops at {session.state}"
    last = [t for _ in range(100) for t in conversation("en")[-1:]]
    print(f"the result step alone: median {statistics.median(last) * 1e3:.3f} ms")
    chart = result_reply(MACHINE.turn(session, TODAY, Services())).chart
    assert chart is not None
    render_bucket_chart(chart)
    wall, cpu = [], []
    for _ in range(40):
        w, c = time.perf_counter(), time.process_time()
        render_bucket_chart(chart)
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    print(f"chart render: median {statistics.median(wall) * 1e3:.1f} ms wall, "
          f"{statistics.median(cpu) * 1e3:.1f} ms CPU")  # fmt: skip
    print("targets: step well under 1 ms; chart under 50 ms of CPU")


if __name__ == "__main__":
    main()
