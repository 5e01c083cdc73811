"""The paycheck plan's chart as the carriers take it (issue 14): a stored call after the
bucket chart, a photo on Telegram drawn in the renderer thread, a file in the terminal."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest

from bot import outbox
from bot.console import Console
from bot.sqlite_store import Store
from bot.store import NewWork, Queue
from dialogs import MAX_CAPTION, BucketChart, PaycheckChart, Reply, Segment, Translator
from dialogs.paycheck_picture import paycheck_chart_for
from rules import assess
from tests.bot.test_handlers import Harness, running
from tests.dialogs.test_paycheck_chart import situation


def plan_chart() -> PaycheckChart:
    """A real plan's picture: January, 26 paychecks left, the last one catching up."""
    s = situation(26)
    chart = paycheck_chart_for(Translator("en"), assess(s), s)
    assert chart is not None
    assert len(chart.bars) == 2
    return chart


BUCKET = BucketChart(
    title="Your 2026 401(k)",
    segments=(Segment("Your deferrals", Decimal(24500), "$24,500", "deferrals"),),
    limit=Decimal(72000),
    limit_text="Total limit $72,000",
)


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    store = Store(tmp_path / "bot.db")
    try:
        async with running(store) as running_harness:
            yield running_harness
    finally:
        store.close()


# ---------------------------------------------------------------- the stored call


def test_the_plan_chart_is_a_call_after_the_bucket_chart_and_reads_back() -> None:
    chart = plan_chart()
    calls = outbox.reply_calls(Reply(text="Result", chart=BUCKET, plan_chart=chart))
    send, bucket, plan = (outbox.parse(c) for c in calls)
    assert isinstance(send, outbox.Send)
    assert isinstance(bucket, outbox.Chart)
    assert isinstance(plan, outbox.PlanChart)
    assert outbox.plan_chart_from_json(plan.chart) == chart
    stored = json.loads(calls[2])
    assert stored["v"] == 1
    assert stored["call"] == "plan_chart"
    assert stored["chart"]["pay"] == "7692.31"  # Decimals as strings, never floats
    amounts = [p["amount"] for b in stored["chart"]["bars"] for p in b["parts"]]
    assert all(isinstance(a, str) for a in amounts)
    # Without a plan chart a reply's calls are what they were.
    assert outbox.reply_calls(Reply(text="Result", chart=BUCKET)) == calls[:2]


def test_a_stored_plan_chart_row_stays_readable() -> None:
    """A row as this version writes it, pinned: later versions must still read it."""
    row = json.dumps(
        {
            "v": 1,
            "call": "plan_chart",
            "chart": {
                "title": "Your 2026 paychecks",
                "subtitle": "2 paychecks left, $7,692 each",
                "pay": "7692.31",
                "pay_text": "Paycheck $7,692",
                "bars": [
                    {
                        "label": "1–2",
                        "parts": [
                            {"kind": "deferral", "amount": "1230.77", "amount_text": "$1,230"},
                            {"kind": "after_tax", "amount": "6461.54", "amount_text": "$6,461"},
                            {"kind": "rest", "amount": "0.00", "amount_text": "$0"},
                            {"kind": "match", "amount": "461.54", "amount_text": "$461"},
                        ],
                    }
                ],
                "names": [["deferral", "Deferral"], ["match", "Employer match"]],
                "heading": "Paychecks",
                "footer": "",
            },
        }
    )
    call = outbox.parse(row)
    assert isinstance(call, outbox.PlanChart)
    chart = outbox.plan_chart_from_json(call.chart)
    assert chart.pay == Decimal("7692.31")
    assert chart.bars[0].parts[1].amount == Decimal("6461.54")
    assert chart.names == (("deferral", "Deferral"), ("match", "Employer match"))
    # The rows written before this call existed read as before.
    old = outbox.parse(outbox.reply_calls(Reply(text="x", chart=BUCKET))[1])
    assert isinstance(old, outbox.Chart)
    assert outbox.chart_from_json(old.chart) == BUCKET


def test_a_plan_chart_that_breaks_its_rules_does_not_read() -> None:
    data = outbox.plan_chart_to_json(plan_chart())
    data["bars"][0]["parts"][0]["amount"] = "-1"
    with pytest.raises(ValueError, match=">= 0"):
        outbox.plan_chart_from_json(data)


# ---------------------------------------------------------------- Telegram


async def test_delivery_sends_both_charts_as_photos_in_order(harness: Harness) -> None:
    chart = plan_chart()
    reply = Reply(text="Result", chart=BUCKET, plan_chart=chart)
    harness.store.put(Queue.OUTBOX, [NewWork(42, c) for c in outbox.reply_calls(reply)])
    delivery = harness.megaroth.delivery
    assert delivery is not None
    delivery.kick(42)
    await harness.settle()
    bucket, plan = harness.fake.of("sendPhoto", 42)
    assert bucket.params["caption"] == "Your 2026 401(k)"
    assert plan.params["caption"] == chart.title == "Your 2026 paychecks"
    assert plan.files == ("photo",)
    assert harness.store.pending(Queue.OUTBOX, 42) == 0
    assert harness.store.stats()["set_aside"] == 0


async def test_a_long_title_is_cut_to_a_caption_and_a_bad_row_is_set_aside(
    harness: Harness,
) -> None:
    long = dataclasses.replace(plan_chart(), title="Paychecks " * 200)
    bad = outbox.plan_chart_to_json(plan_chart())
    bad["pay"] = "0"
    rows = [
        outbox.dump(outbox.PlanChart(chart=bad)),
        *outbox.reply_calls(Reply(text="after", plan_chart=long)),
    ]
    harness.store.put(Queue.OUTBOX, [NewWork(7, row) for row in rows])
    delivery = harness.megaroth.delivery
    assert delivery is not None
    delivery.kick(7)
    await harness.settle()
    [photo] = harness.fake.of("sendPhoto", 7)  # the unreadable row held nothing up
    assert photo.params["caption"] == long.title[:MAX_CAPTION]
    assert len(photo.params["caption"]) == MAX_CAPTION
    assert harness.fake.sent(7) == ["after"]
    assert harness.store.stats()["set_aside"] == 1


# ---------------------------------------------------------------- the terminal


def test_the_terminal_saves_the_plan_chart_next_to_the_bucket_chart(tmp_path: Path) -> None:
    out = io.StringIO()
    console = Console(out, tmp_path, dt.date(2026, 1, 2), "en")
    console.say(Reply(text="Result", chart=BUCKET, plan_chart=plan_chart()))
    bucket, plan = tmp_path / "megaroth-chart-1.png", tmp_path / "megaroth-plan-2.png"
    assert bucket.read_bytes().startswith(b"\x89PNG")
    assert plan.read_bytes().startswith(b"\x89PNG")
    assert f"  (chart saved to {bucket})" in out.getvalue().splitlines()
    assert f"  (chart saved to {plan})" in out.getvalue().splitlines()
