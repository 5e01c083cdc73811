"""Median time of one dialog step (no chart) and of one chart render.

    python benchmarks/bench_dialog.py

A step is what the bot does per message: load the session from JSON, handle the event
(parse, validate, advance the machine, assess, render text), save it back to JSON.
Targets: a step well under 1 ms; a chart under 50 ms of CPU.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time

from dialogs.charts import render_bucket_chart
from dialogs.conversation import MACHINE, handle, new_session, result_reply
from dialogs.plans import Services
from dialogs.replies import Choice, Command, Event, Typed
from dialogs.session import Session

TODAY = dt.date(2026, 11, 29)
SCRIPT: list[Event] = [
    Command("start"), Choice("v1:a:after_tax:yes"), Choice("v1:a:conversion:in_plan"),
    Choice("v1:a:auto_convert:no"), Choice("v1:a:tax_year:2026"), Typed("35"), Typed("$200,000"),
    Choice("v1:a:deferrals:max"), Choice("v1:a:other_deferrals:0"),
    Typed("50% of the first 6%"), Typed("none"), Typed("24"), Typed("5300"), Typed("300"),
    Choice("v1:a:filing_status:single"), Choice("v1:a:magi:pay"), Typed("100k"),
    Choice("v1:a:ira_basis:0"), Choice("v1:a:prior_pay:pay"), Typed("24%"),
]  # fmt: skip


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
    session = new_session("en")
    for event in SCRIPT:
        handle(session, event, TODAY)
    assert session.state == "done", f"the script stops at {session.state}, not the result"
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
