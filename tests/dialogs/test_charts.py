"""The 415(c) bucket chart: a valid, deterministic PNG whose labels never collide."""

from __future__ import annotations

import io
import itertools
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from dialogs import charts
from dialogs.charts import (
    KIND_COLOURS,
    KINDS,
    BucketChart,
    Segment,
    font,
    layout_chart,
    layout_labels,
    render_bucket_chart,
    wrap_text,
)

ROOM = KIND_COLOURS["after_tax_room"]


def chart(
    deferrals: int = 24500,
    employer: int = 6000,
    after_tax_in: int = 5000,
    room: int = 36500,
    catch_up: int = 8000,
    *,
    limit: int = 72000,
    labels: dict[str, str] | None = None,
    title: str = "Your 2026 401(k): $72,000 limit",
    footer: str = "IRS Notice 2025-67",
) -> BucketChart:
    amounts = {
        "deferrals": deferrals,
        "employer": employer,
        "after_tax_in": after_tax_in,
        "after_tax_room": room,
        "catch_up": catch_up,
    }
    names = {
        "deferrals": "Your deferrals",
        "employer": "Employer match",
        "after_tax_in": "After-tax so far",
        "after_tax_room": "After-tax room still open",
        "catch_up": "Age 50+ catch-up",
    } | (labels or {})
    return BucketChart(
        title=title,
        segments=tuple(
            Segment(names[k], Decimal(amounts[k]), f"${amounts[k]:,}", k)
            for k in KINDS
            if k in amounts
        ),
        limit=Decimal(limit),
        limit_text=f"415(c) limit ${limit:,}",
        footer=footer,
    )


SPANISH = chart(
    title="Tu 401(k) de 2026: límite de 72.000 US$",
    labels={
        "deferrals": "Tus aportaciones",
        "employer": "Aportación de tu empleador",
        "after_tax_in": "Después de impuestos ya aportado",
        "after_tax_room": "¿Espacio libre? ¡Sí! Después de impuestos",
        "catch_up": "Aportación adicional (50 años o más)",
    },
    footer="Fuente: Aviso del IRS 2025-67 (año 2026)",
)


def decode(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def colour_count(image: Image.Image, colour: tuple[int, int, int]) -> int:
    colours = image.convert("RGB").getcolors(1 << 16)
    assert colours is not None
    return sum(n for n, c in colours if c == colour)


# -- the picture -------------------------------------------------------------------------


def test_output_is_a_valid_portrait_png() -> None:
    png = render_bucket_chart(chart())
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    Image.open(io.BytesIO(png)).verify()  # checks every chunk's CRC
    image = decode(png)
    assert image.format == "PNG"
    assert image.mode == "RGB"
    assert image.size == (charts.WIDTH, charts.MIN_HEIGHT) == (800, 1000)
    # Not blank: the bar's colours are there.
    for kind in ("deferrals", "employer", "after_tax_in", "catch_up"):
        assert colour_count(image, KIND_COLOURS[kind]) > 1000, kind


def test_same_chart_same_bytes() -> None:
    first = render_bucket_chart(SPANISH)
    render_bucket_chart(chart(room=0))  # other work in between changes nothing
    assert render_bucket_chart(SPANISH) == first


def test_zero_segments_are_omitted() -> None:
    without = BucketChart(
        title="t",
        segments=(
            Segment("Deferrals", Decimal(24500), "$24,500", "deferrals"),
            Segment("Room", Decimal(47500), "$47,500", "after_tax_room"),
        ),
        limit=Decimal(72000),
        limit_text="limit",
    )
    with_zeros = BucketChart(
        title="t",
        segments=(
            Segment("Deferrals", Decimal(24500), "$24,500", "deferrals"),
            Segment("Employer", Decimal(0), "$0", "employer"),
            Segment("After-tax in", Decimal("0.00"), "$0", "after_tax_in"),
            Segment("Room", Decimal(47500), "$47,500", "after_tax_room"),
            Segment("Catch-up", Decimal(0), "$0", "catch_up"),
        ),
        limit=Decimal(72000),
        limit_text="limit",
    )
    assert render_bucket_chart(with_zeros) == render_bucket_chart(without)
    kinds = {label.kind for label in layout_chart(with_zeros).labels}
    assert kinds == {"deferrals", "after_tax_room", "limit"}


def test_room_colour_shows_exactly_when_there_is_room() -> None:
    with_room = decode(render_bucket_chart(chart(room=36500)))
    no_room = decode(render_bucket_chart(chart(room=0)))
    assert colour_count(with_room, ROOM) > 5000  # the bar's open space, between hatching
    assert colour_count(no_room, ROOM) == 0
    assert colour_count(no_room, charts.ROOM_HATCH) == 0


def test_tiny_segment_is_visible_and_labelled() -> None:
    layout = layout_chart(chart(employer=200, after_tax_in=0, room=47300, catch_up=0))
    employer = next(p for p in layout.pieces if p.kind == "employer")
    assert employer.bottom - employer.top >= charts.MIN_PIECE - 1
    image = decode(render_bucket_chart(chart(employer=200, after_tax_in=0, room=47300)))
    assert colour_count(image, KIND_COLOURS["employer"]) > 100  # bar sliver + swatch
    assert "employer" in {label.kind for label in layout.labels}


def test_limit_line_sits_between_the_bucket_and_the_catch_up() -> None:
    layout = layout_chart(chart())
    by_kind = {p.kind: p for p in layout.pieces}
    assert by_kind["after_tax_room"].top == layout.rim_y == by_kind["catch_up"].bottom
    assert layout.bar_top <= layout.rim_y <= layout.bar_bottom
    # Below the limit with nothing in the rest: the line stays at the limit, above the money.
    partial = layout_chart(chart(room=0, catch_up=0))
    money_top = min(p.top for p in partial.pieces if p.kind != "empty")
    assert partial.rim_y < money_top
    assert [p.kind for p in partial.pieces][-1] == "empty"


# -- text -------------------------------------------------------------------------------


@pytest.mark.parametrize("bold", [False, True])
@pytest.mark.parametrize("char", list("áéíóúñÁÉÍÓÚÑ¿¡ü"))
def test_spanish_letters_have_real_glyphs(char: str, bold: bool) -> None:
    f = font(30, bold)

    def ink(text: str) -> bytes:
        image = Image.new("L", (60, 60), 0)
        ImageDraw.Draw(image).text((10, 5), text, font=f, fill=255)
        return image.tobytes()

    missing = ink("\uffff")  # a non-character: the font's missing-glyph box
    assert ink(char) != missing
    assert any(ink(char))
    base = {"á": "a", "é": "e", "í": "ı", "ó": "o", "ú": "u", "ñ": "n"}.get(char)
    if base:
        assert ink(char) != ink(base)  # the accent is drawn, not dropped


def test_fonts_are_the_shipped_ones_and_cached() -> None:
    assert font(30) is font(30)
    assert font(30) is not font(30, True)
    assert font(30).getname() == ("DejaVu Sans", "Book")
    assert font(30, True).getname() == ("DejaVu Sans", "Bold")
    assert (charts.FONT_DIR / "LICENSE-DejaVu.txt").is_file()


def test_text_is_at_least_28px() -> None:
    layout = layout_chart(SPANISH)
    sizes = [b.size for label in layout.labels for b in label.blocks]
    assert layout.title is not None
    assert layout.footer is not None
    assert min([*sizes, layout.title.size, layout.footer.size]) >= 28


def test_wrap_keeps_words_and_breaks_only_what_cannot_fit() -> None:
    f = font(30)
    lines, broken = wrap_text("Aportación después de impuestos ya hecha", f, 250)
    assert broken == 0
    assert len(lines) > 1
    assert " ".join(lines) == "Aportación después de impuestos ya hecha"
    assert all(f.getlength(line) <= 250 for line in lines)
    word = "Supercalifragilisticoexpialidosoextraordinariamente"
    lines, broken = wrap_text(word, f, 200)
    assert broken == 1
    assert "".join(lines) == word
    assert all(f.getlength(line) <= 200 for line in lines)
    assert wrap_text("   ", f, 200) == ([], 0)


def test_long_labels_grow_the_image_and_nothing_is_cut_off() -> None:
    long = "una etiqueta larguísima que ocupa muchas líneas en el teléfono " * 2
    big = chart(
        employer=100,
        after_tax_in=100,
        catch_up=50,
        labels=dict.fromkeys(KINDS, long) | {"after_tax_room": "Sinespaciosentrepalabras" * 3},
        title="Un título largo " * 5,
        footer="Fuente larga " * 8,
    )
    layout = layout_chart(big)
    assert layout.height > charts.MIN_HEIGHT
    image = decode(render_bucket_chart(big))
    assert image.size == (layout.width, layout.height)
    assert_labels_fit(layout)


# -- label layout ------------------------------------------------------------------------


def assert_labels_fit(layout: charts.ChartLayout) -> None:
    boxes = [label.box for label in layout.labels]
    for i, a in enumerate(boxes):
        x0, y0, x1, y1 = a
        assert x0 >= charts.BAR_X1 + charts.WALL + charts.RIM_OVERHANG  # clear of the bar
        assert x1 <= layout.width - charts.MARGIN
        assert 0 <= y0 < y1 <= layout.height
        for b in boxes[i + 1 :]:
            overlap = a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
            assert not overlap, (a, b)
    for label in layout.labels:
        for block in label.blocks:
            assert block.width <= charts.TEXT_WIDTH
    # Leaders never cross: labels keep the order of the points they point at.
    anchors = [label.anchor_y for label in layout.labels]
    tops = [label.box[1] for label in layout.labels]
    assert sorted(range(len(anchors)), key=anchors.__getitem__) == sorted(
        range(len(tops)), key=tops.__getitem__
    )
    # Title, chart and footer do not collide either.
    if layout.title:
        assert layout.title_y + layout.title.height <= min(tops, default=layout.bar_top)
    if layout.footer:
        assert max(label.box[3] for label in layout.labels) <= layout.footer_y


amounts = st.one_of(
    st.just(0),
    st.integers(1, 500),  # tiny
    st.integers(0, 80000),
)


@settings(max_examples=100, deadline=None)
@given(
    deferrals=amounts,
    employer=amounts,
    after_tax_in=amounts,
    room=amounts,
    catch_up=amounts,
    limit=st.integers(1, 80000),
)
def test_label_boxes_never_intersect(
    deferrals: int, employer: int, after_tax_in: int, room: int, catch_up: int, limit: int
) -> None:
    layout = layout_chart(chart(deferrals, employer, after_tax_in, room, catch_up, limit=limit))
    assert_labels_fit(layout)
    nonzero = {
        k
        for k, a in zip(
            KINDS[:5], (deferrals, employer, after_tax_in, room, catch_up), strict=True
        )
        if a
    }
    assert {label.kind for label in layout.labels} == nonzero | {"limit"}
    for piece in layout.pieces:
        if piece.kind != "empty":
            assert piece.bottom - piece.top >= charts.MIN_PIECE - 1
        assert layout.bar_top - 1 <= piece.top <= piece.bottom <= layout.bar_bottom + 1


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-200, 1200), st.floats(1, 150)),
        min_size=0,
        max_size=8,
    ),
    st.floats(0, 30),
)
def test_layout_labels_separates_orders_and_bounds(
    items: list[tuple[float, float]], gap: float
) -> None:
    desired = [d for d, _ in items]
    heights = [h for _, h in items]
    top, bottom = 0.0, 1000.0
    tops = layout_labels(desired, heights, top=top, bottom=bottom, gap=gap)
    assert len(tops) == len(items)
    order = sorted(range(len(items)), key=lambda i: (desired[i], i))
    for i, j in itertools.pairwise(order):
        assert tops[j] >= tops[i] + heights[i] + gap - 1e-6  # no overlap, same order
    fits = sum(heights) + gap * max(len(items) - 1, 0) <= bottom - top
    if fits and items:
        assert min(tops) >= top - 1e-6
        assert max(t + h for t, h in zip(tops, heights, strict=True)) <= bottom + 1e-6


def test_layout_labels_leaves_well_placed_labels_alone() -> None:
    assert layout_labels([10, 100, 300], [50, 50, 50], top=0, bottom=1000, gap=10) == [
        10,
        100,
        300,
    ]
    # Two labels wanting the same spot share the move equally.
    assert layout_labels([100, 100], [40, 40], top=0, bottom=1000, gap=0) == [80, 120]
    # Pushed into the column when they would stick out.
    assert layout_labels([-50, 990], [40, 40], top=0, bottom=1000, gap=0) == [0, 960]


# -- input checks -----------------------------------------------------------------------


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="kind"):
        Segment("x", Decimal(1), "$1", "bonus")
    with pytest.raises(ValueError, match=">= 0"):
        Segment("x", Decimal(-1), "-$1", "employer")
    with pytest.raises(ValueError, match="limit"):
        BucketChart("t", (), Decimal(0), "limit")


def test_empty_chart_still_renders() -> None:
    image = decode(render_bucket_chart(BucketChart("", (), Decimal(72000), "")))
    assert image.size == (800, 1000)
