"""The paycheck chart (issue 14): what goes into each paycheck left, one bar per run of
identical paychecks; valid, deterministic PNGs whose texts never collide."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from dialogs.charts import MIN_PIECE, SWATCH, font
from dialogs.i18n import Translator
from dialogs.paycheck_chart import (
    PAY_COLOURS,
    PaycheckBar,
    PaycheckChart,
    PaycheckLayout,
    PayPart,
    layout_paycheck_chart,
    paycheck_runs,
    render_paycheck_chart,
)
from dialogs.paycheck_picture import paycheck_chart_for
from rules import Assessment, Paycheck, PlanFeatures, Situation, assess
from tests.dialogs.test_charts import colour_count, decode

PAY = Decimal("7692.31")
NAMES = (
    ("deferral", "Deferral"),
    ("after_tax", "After-tax"),
    ("rest", "Rest of the paycheck (taxes, take-home)"),
    ("match", "Employer match"),
)


def bar(
    label: str, deferral: str, after_tax: str, match: str | None, pay: Decimal = PAY
) -> PaycheckBar:
    amounts = {
        "deferral": Decimal(deferral),
        "after_tax": Decimal(after_tax),
        "rest": pay - Decimal(deferral) - Decimal(after_tax),
        "match": None if match is None else Decimal(match),
    }
    return PaycheckBar(
        label,
        tuple(
            PayPart(kind, amount, f"${int(amount):,}")
            for kind, amount in amounts.items()
            if amount is not None
        ),
    )


def chart(*bars: PaycheckBar, **changes: object) -> PaycheckChart:
    fields: dict[str, object] = {
        "title": "Your 2026 paychecks",
        "subtitle": "26 paychecks left, $7,692 each",
        "pay": PAY,
        "pay_text": "Paycheck $7,692",
        "bars": bars,
        "names": NAMES,
        "heading": "Paychecks",
        "footer": "Your employer's match comes on top of your pay, not out of it.",
    }
    return PaycheckChart(**(fields | changes))  # type: ignore[arg-type]


TWO = chart(bar("1–25", "923.08", "1307.69", "461.54"), bar("26", "1384.62", "2769.23", "461.54"))
SPANISH = chart(
    bar("1–25", "923.08", "1307.69", "461.54"),
    bar("26", "1384.62", "2769.23", "461.54"),
    title="Tus nóminas de 2027, calculadas con las cifras de 2026 como mínimo",
    subtitle="Te quedan 26 nóminas, de 7.692 US$ cada una. ¿Dudas? ¡Pregúntanos!",
    names=(
        ("deferral", "Aportación electiva"),
        ("after_tax", "Después de impuestos"),
        ("rest", "Resto de la nómina (impuestos, lo que te llevas a casa)"),
        ("match", "Aportación equivalente"),
    ),
    heading="Nóminas",
    pay_text="Nómina 7.692 US$",
    footer="La aportación va aparte de tu sueldo: no sale de él. Más en 2026 (señal ü).",
)


def overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def assert_fits(layout: PaycheckLayout) -> None:
    """Texts, swatches and bars never collide; all is inside the image; the bars stand
    on one floor with the paycheck's parts filling it and the match above it."""
    texts = [p.box for p in layout.texts]
    swatches = [(x, y, x + SWATCH, y + SWATCH) for _, x, y in layout.swatches]
    bars = [
        (b.x0, min((p.top for p in b.pieces), default=layout.pay_top), b.x1, layout.base)
        for b in layout.bars
    ]
    boxes = texts + swatches + bars
    for a, b in itertools.combinations(boxes, 2):
        assert not overlap(a, b), (a, b)
    for x0, y0, x1, y1 in boxes:
        assert 0 <= x0 < x1 <= layout.width
        assert 0 <= y0 < y1 <= layout.height
    for placed in layout.texts:
        x0, _, x1, _ = placed.box
        assert placed.block.width <= x1 - x0
    for drawn in layout.bars:
        in_pay = [p for p in drawn.pieces if p.kind != "match"]
        for piece in in_pay:
            assert layout.pay_top <= piece.top < piece.bottom <= layout.base
        for lower, upper in itertools.pairwise(in_pay):
            assert lower.top == upper.bottom  # stacked from the floor, no gaps
        for piece in drawn.pieces:
            if piece.kind == "match":
                assert piece.bottom < layout.pay_top  # outside the paycheck, on top
            if piece.kind != "empty":
                assert piece.bottom - piece.top >= MIN_PIECE - 1


# -- the picture -------------------------------------------------------------------------


def test_output_is_a_valid_png_800_wide_with_every_kind_coloured() -> None:
    png = render_paycheck_chart(TWO)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    Image.open(io.BytesIO(png)).verify()  # every chunk's CRC
    image = decode(png)
    assert image.mode == "RGB"
    layout = layout_paycheck_chart(TWO)
    assert image.size == (layout.width, layout.height)
    assert layout.width == 800
    assert 800 <= layout.height <= 1300  # portrait, as Telegram shows large
    for kind, colour in PAY_COLOURS.items():
        assert colour_count(image, colour) > 500, kind
    assert_fits(layout)


def test_same_chart_same_bytes() -> None:
    first = render_paycheck_chart(SPANISH)
    render_paycheck_chart(TWO)  # other work in between changes nothing
    assert render_paycheck_chart(SPANISH) == first


def test_a_bar_is_a_paycheck_high_and_the_match_sits_on_top() -> None:
    layout = layout_paycheck_chart(TWO)
    for drawn in layout.bars:
        kinds = [p.kind for p in drawn.pieces]
        assert kinds == ["deferral", "after_tax", "rest", "match"]  # bottom to top
        assert drawn.pieces[0].bottom == layout.base
        assert drawn.pieces[2].top == layout.pay_top  # the parts fill the paycheck
    # The same scale for every bar: the last paycheck's larger deferral is taller.
    first, last = ({p.kind: p.bottom - p.top for p in b.pieces} for b in layout.bars)
    assert last["deferral"] > first["deferral"]
    assert last["match"] == first["match"]
    assert abs(last["deferral"] / first["deferral"] - 1384.62 / 923.08) < 0.05


def test_zero_parts_are_not_drawn_and_a_kind_no_bar_has_is_left_out() -> None:
    full = chart(bar("1–4", "615.38", "7076.93", "0"))  # the whole paycheck goes in
    without = chart(bar("1–4", "615.38", "7076.93", None))
    assert render_paycheck_chart(full) == render_paycheck_chart(without)
    layout = layout_paycheck_chart(full)
    assert [kind for kind, _, _ in layout.swatches] == ["after_tax", "deferral"]
    assert colour_count(decode(render_paycheck_chart(full)), PAY_COLOURS["match"]) == 0
    # A kind one bar has shows the other bars' zeros: the match stopping is information.
    stops = layout_paycheck_chart(
        chart(bar("1–25", "923", "1307", "461"), bar("26", "923", "1307", "0"))
    )
    match_row = [
        p.block.lines for p in stops.texts if p.centred and p.block.lines[0].startswith("$")
    ]
    assert ("$0",) in match_row


def test_pay_not_accounted_for_is_left_white_inside_the_outline() -> None:
    partial = PaycheckChart(
        "t",
        "",
        PAY,
        "",
        (PaycheckBar("", (PayPart("deferral", Decimal(1000), "$1,000"),)),),
        NAMES,
    )
    [drawn] = layout_paycheck_chart(partial).bars
    assert [p.kind for p in drawn.pieces] == ["deferral", "empty"]
    assert drawn.pieces[-1].top == layout_paycheck_chart(partial).pay_top


def test_a_tiny_part_is_still_visible() -> None:
    layout = layout_paycheck_chart(chart(bar("1–25", "1", "0.50", "0.01")))
    [drawn] = layout.bars
    assert {p.kind for p in drawn.pieces} == {"deferral", "after_tax", "rest", "match"}
    assert_fits(layout)


# -- how many bars: one per run of identical paychecks ---------------------------------


def test_runs_of_identical_paychecks_are_one_bar_each() -> None:
    same, last = (
        Paycheck(Decimal(923), Decimal(1307), Decimal(461)),
        Paycheck(Decimal(1384), Decimal(2769), Decimal(461)),
    )
    assert paycheck_runs([same] * 25 + [last]) == ((1, 25, same), (26, 26, last))
    assert paycheck_runs([same] * 52) == ((1, 52, same),)
    assert paycheck_runs([last]) == ((1, 1, last),)
    assert paycheck_runs([]) == ()
    # Runs are consecutive: the same paycheck again later is another bar.
    assert paycheck_runs("aabbba") == ((1, 2, "a"), (3, 5, "b"), (6, 6, "a"))


@given(st.lists(st.sampled_from("abc"), max_size=60))
def test_runs_cover_every_paycheck_once_in_order(schedule: list[str]) -> None:
    runs = paycheck_runs(schedule)
    assert [item for first, last, item in runs for _ in range(first, last + 1)] == schedule
    for (_, end, a), (start, _, b) in itertools.pairwise(runs):
        assert start == end + 1
        assert a != b


def test_four_bars_with_wide_amounts_put_each_name_above_its_row() -> None:
    pay = Decimal("15384.62")
    wide = chart(
        bar("1–23", "1230.77", "2461.54", "923.08", pay),
        bar("24", "1230.77", "2461.54", "369.23", pay),
        bar("25", "1230.77", "2461.54", "0", pay),
        bar("26", "2461.54", "4923.08", "0", pay),
        pay=pay,
        pay_text="Paycheck $15,384",
    )
    layout = layout_paycheck_chart(wide)
    assert_fits(layout)
    amounts = [p for p in layout.texts if p.centred]
    assert all(len(p.block.lines) == 1 for p in amounts)  # "$11,692" on one line each
    names = {p.block.lines[0] for p in layout.texts if not p.centred}
    assert "Rest of the paycheck (taxes, take-home)" in names  # one line, full width
    assert "Paycheck $15,384" not in names  # no names' column for the line's label
    # Side by side with two bars: the name and its amounts share a line.
    two = layout_paycheck_chart(TWO)
    [match_name] = [p for p in two.texts if p.block.lines == ("Employer match",)]
    assert any(p.box[1] == match_name.box[1] for p in two.texts if p.block.lines == ("$461",))
    assert any(p.block.lines == ("Paycheck $7,692",) for p in two.texts)


# -- text -------------------------------------------------------------------------------


def test_spanish_letters_render_with_real_glyphs() -> None:
    layout = layout_paycheck_chart(SPANISH)
    assert_fits(layout)
    missing: dict[tuple[int, bool], bytes] = {}

    def ink(text: str, size: int, bold: bool) -> bytes:
        image = Image.new("L", (80, 80), 0)
        ImageDraw.Draw(image).text((10, 5), text, font=font(size, bold), fill=255)
        return image.tobytes()

    drawn = "".join(line for p in layout.texts for line in p.block.lines)
    for letter in "áéíóúñü¿¡":
        assert letter in drawn, letter
    for placed in layout.texts:
        size, bold = placed.block.size, placed.block.bold
        box = missing.setdefault((size, bold), ink("\uffff", size, bold))
        for char in set("".join(placed.block.lines)) - {" "}:
            assert ink(char, size, bold) != box, char  # not the missing-glyph box
    assert decode(render_paycheck_chart(SPANISH)).size[0] == 800


def test_text_is_at_least_28px_and_long_text_grows_the_image() -> None:
    layout = layout_paycheck_chart(SPANISH)
    assert min(p.block.size for p in layout.texts) >= 28
    long = chart(
        bar("1–25", "923.08", "1307.69", "461.54"),
        title="Un título muy largo para un teléfono " * 4,
        footer="Una nota al pie que ocupa varias líneas " * 4,
        names=tuple((k, "Un nombre larguísimo " * 4) for k, _ in NAMES),
    )
    tall = layout_paycheck_chart(long)
    assert (
        tall.height
        > layout_paycheck_chart(chart(bar("1–25", "923.08", "1307.69", "461.54"))).height
    )
    assert decode(render_paycheck_chart(long)).size == (800, tall.height)
    assert_fits(tall)


money = st.one_of(st.just(Decimal(0)), st.decimals(0, 60000, places=2))


@st.composite
def charts(draw: st.DrawFn) -> PaycheckChart:
    pay = draw(st.decimals("0.01", "60000", places=2))
    count = draw(st.integers(1, 6))
    has_match = draw(st.booleans())
    bars = []
    for index in range(count):
        deferral = min(pay, draw(money))
        after_tax = min(pay - deferral, draw(money))
        parts = [
            PayPart("deferral", deferral, f"${deferral:,.0f}"),
            PayPart("after_tax", after_tax, f"${after_tax:,.0f}"),
            PayPart("rest", pay - deferral - after_tax, f"${pay - deferral - after_tax:,.0f}"),
        ]
        if has_match:
            match = draw(money)
            parts.append(PayPart("match", match, f"${match:,.0f}"))
        label = draw(st.sampled_from(["", str(index + 1), f"{index + 1}–{index + 30}"]))
        bars.append(PaycheckBar(label, tuple(parts)))
    words = st.text(st.sampled_from("abcñé "), max_size=60)
    return PaycheckChart(
        title=draw(words),
        subtitle=draw(words),
        pay=pay,
        pay_text=draw(words),
        bars=tuple(bars),
        names=tuple((kind, draw(words)) for kind, _ in NAMES),
        heading=draw(words),
        footer=draw(words),
    )


@settings(max_examples=80, deadline=None)
@given(charts())
def test_texts_and_bars_never_collide(any_chart: PaycheckChart) -> None:
    assert_fits(layout_paycheck_chart(any_chart))


# -- input checks -----------------------------------------------------------------------


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown paycheck part"):
        PayPart("bonus", Decimal(1), "$1")
    with pytest.raises(ValueError, match=">= 0"):
        PayPart("deferral", Decimal(-1), "-$1")
    with pytest.raises(ValueError, match="once"):
        PaycheckBar("", (PayPart("deferral", Decimal(1), "$1"),) * 2)
    with pytest.raises(ValueError, match="> 0"):
        chart(pay=Decimal(0))
    overdrawn = PaycheckBar(
        "1", tuple(PayPart(k, Decimal(4000), "$4,000") for k in ("deferral", "after_tax"))
    )
    with pytest.raises(ValueError, match="out of a paycheck"):
        chart(overdrawn)  # 8,000 out of 7,692.31
    with pytest.raises(ValueError, match="unknown paycheck part"):
        chart(names=(("bonus", "Bonus"),))


def test_a_chart_with_no_bars_still_renders() -> None:
    image = decode(render_paycheck_chart(chart()))
    assert image.size[0] == 800


# -- the words: a real assessment's plan -------------------------------------------------


def situation(left: int, per_year: int = 26, **changes: object) -> Situation:
    """2026, age 40, pay 200,000, planning 24,500 deferrals; a match of 100% of the first
    6%; a plan that takes after-tax money and converts it in the plan."""
    fields: dict[str, object] = {
        "tax_year": 2026,
        "age": 40,
        "compensation": Decimal(200000),
        "elective_deferrals": Decimal(24500),
        "deferrals_so_far": Decimal(0) if left == per_year else Decimal(22000),
        "other_employer_deferrals": Decimal(0),
        "employer_contributions": Decimal(0),
        "after_tax_contributed": Decimal(0),
        "match_tiers": ((Decimal(100), Decimal(6)),),
        "plan": PlanFeatures(after_tax_contributions=True, in_plan_roth_conversion=True),
        "paychecks_per_year": per_year,
        "remaining_paychecks": left,
        "as_of": dt.date(2026, 1, 2) if left == per_year else dt.date(2026, 12, 1),
    }
    return Situation(**(fields | changes))


def plan_of(s: Situation) -> tuple[Assessment, tuple[Paycheck, ...]]:
    a = assess(s)
    assert a.paycheck_plan is not None
    assert a.paycheck_plan.schedule is not None
    return a, a.paycheck_plan.schedule


@pytest.mark.parametrize(("left", "per_year"), [(1, 26), (2, 26), (4, 26), (26, 26), (52, 52)])
@pytest.mark.parametrize("tiers", [((Decimal(100), Decimal(6)),), (), None])
def test_every_plan_is_drawn_as_its_schedule(
    left: int, per_year: int, tiers: tuple[tuple[Decimal, Decimal], ...] | None
) -> None:
    s = situation(left, per_year, match_tiers=tiers)
    a, schedule = plan_of(s)
    drawing = paycheck_chart_for(Translator("en"), a, s)
    assert drawing is not None
    plan = a.paycheck_plan
    assert plan is not None
    assert drawing.pay == plan.pay_per_paycheck
    # One bar per run: each run's paychecks are the bar's parts, to the cent.
    runs = paycheck_runs(schedule)
    assert len(drawing.bars) == len(runs) <= 2
    for drawn, (first, last, paycheck) in zip(drawing.bars, runs, strict=True):
        amounts = {p.kind: p.amount for p in drawn.parts}
        assert amounts["deferral"] == paycheck.deferral
        assert amounts["after_tax"] == paycheck.after_tax
        assert amounts["rest"] == plan.pay_per_paycheck - paycheck.deferral - paycheck.after_tax
        assert amounts.get("match") == paycheck.match
        assert drawn.label == (
            "" if left == 1 else str(first) if first == last else f"{first}–{last}"
        )
    if left in (26, 52):  # January: the same elections, then the last catches up
        assert [b.label for b in drawing.bars] == [f"1–{left - 1}", str(left)]
    png = render_paycheck_chart(drawing)
    Image.open(io.BytesIO(png)).verify()
    image = decode(png)
    assert colour_count(image, PAY_COLOURS["deferral"]) > 500
    assert (colour_count(image, PAY_COLOURS["match"]) > 0) == bool(tiers)
    assert_fits(layout_paycheck_chart(drawing))


def test_a_match_stopping_at_the_pay_limit_is_four_bars() -> None:
    """Pay above 401(a)(17), counted in full until the limit, no true-up: the match
    stops on the 24th paycheck, after part of it; the last catches up. Four bars."""
    s = situation(
        26,
        compensation=Decimal(400000),
        match_true_up=False,
        compensation_limit_prorated=False,
        match_so_far=Decimal(0),
    )
    a, schedule = plan_of(s)
    drawing = paycheck_chart_for(Translator("en"), a, s)
    assert drawing is not None
    assert [b.label for b in drawing.bars] == ["1–23", "24", "25", "26"]
    matches = [next(p.amount for p in b.parts if p.kind == "match") for b in drawing.bars]
    assert matches == [schedule[0].match, schedule[23].match, Decimal(0), Decimal(0)]
    assert 0 < matches[1] < matches[0]
    assert_fits(layout_paycheck_chart(drawing))


def test_the_words_of_a_december_plan() -> None:
    s = situation(2)
    a, schedule = plan_of(s)
    assert schedule == (Paycheck(Decimal("1230.77"), Decimal("6461.54"), Decimal("461.54")),) * 2
    drawing = paycheck_chart_for(Translator("en"), a, s)
    assert drawing is not None
    assert drawing.title == "Your 2026 paychecks"
    assert drawing.subtitle == "2 paychecks left, $7,692 each"
    assert drawing.pay_text == "Paycheck $7,692"
    [only] = drawing.bars
    assert only.label == "1–2"
    assert [(p.kind, p.amount_text) for p in only.parts] == [
        ("deferral", "$1,230"), ("after_tax", "$6,461"), ("rest", "$0"), ("match", "$461")
    ]  # fmt: skip
    assert dict(drawing.names) == {
        "deferral": "Deferral",
        "after_tax": "After-tax",
        "rest": "Rest of the paycheck (taxes, take-home)",
        "match": "Employer match",
    }
    assert "on top of your pay" in drawing.footer
    no_match = situation(2, match_tiers=None)
    drawing = paycheck_chart_for(Translator("en"), assess(no_match), no_match)
    assert drawing is not None
    assert drawing.footer == ""


def test_one_paycheck_left_has_no_labels_row() -> None:
    s = situation(1)
    a, _ = plan_of(s)
    drawing = paycheck_chart_for(Translator("en"), a, s)
    assert drawing is not None
    assert drawing.subtitle == "1 paycheck left, $7,692"
    assert drawing.heading == ""
    assert [b.label for b in drawing.bars] == [""]


def test_a_plan_on_a_floor_says_so_in_the_title() -> None:
    s = situation(26, tax_year=2027, floor_of=2026, as_of=dt.date(2026, 12, 20))
    a, _ = plan_of(s)
    assert a.on_floor
    drawing = paycheck_chart_for(Translator("en"), a, s)
    assert drawing is not None
    assert drawing.title == "Your 2027 paychecks, planned on 2026's figures as a floor"
    assert "2027's" not in drawing.title + drawing.subtitle


def test_no_chart_without_a_plan_a_schedule_or_anything_going_in() -> None:
    t = Translator("en")
    no_plan = situation(2, remaining_paychecks=None, paychecks_per_year=None)
    assert assess(no_plan).paycheck_plan is None
    assert paycheck_chart_for(t, assess(no_plan), no_plan) is None
    unknown = situation(2, plan=PlanFeatures(after_tax_contributions=None))
    plan = assess(unknown).paycheck_plan
    assert plan is not None
    assert plan.schedule is None  # the after-tax part is not known
    assert paycheck_chart_for(t, assess(unknown), unknown) is None
    # Deferrals done, no after-tax money in the plan, no match: nothing goes in.
    nothing = situation(
        2,
        deferrals_so_far=Decimal(24500),
        match_tiers=(),
        plan=PlanFeatures(after_tax_contributions=False),
    )
    _, schedule = plan_of(nothing)
    assert not any(p.deferral or p.after_tax or p.match for p in schedule)
    assert paycheck_chart_for(t, assess(nothing), nothing) is None


def test_spanish_words_come_through_the_catalog() -> None:
    s = situation(26)
    a, _ = plan_of(s)
    drawing = paycheck_chart_for(Translator("es"), a, s)
    assert drawing is not None
    assert dict(drawing.names)["match"] == Translator("es")("Employer match")
    assert_fits(layout_paycheck_chart(drawing))
