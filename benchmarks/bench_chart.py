"""How fast are the 415(c) bucket chart and the paycheck chart, and how would matplotlib
compare?

Run: python benchmarks/bench_chart.py [--runs 50]

Prints, for `dialogs.charts.render_bucket_chart` and
`dialogs.paycheck_chart.render_paycheck_chart` (Pillow):
  - median and p90 wall time and CPU time (time.process_time) of one render of a realistic
    chart (five segments; two paycheck bars with a match, 26 paychecks left in January),
    over --runs renders after a warm-up;
  - the first-render cost in a fresh interpreter: the import, then the first render
    (which loads the fonts), wall and CPU.
If matplotlib is importable, the same for an equivalent minimal Agg stacked bar (one
stacked bar, the limit line, a label per segment, PNG to memory), plus its cold import with
an empty font cache (a fresh MPLCONFIGDIR), which is what a new machine or container pays.

Not a test: nothing here asserts on timings.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from dialogs import charts  # noqa: E402
from dialogs.charts import BucketChart, Segment, render_bucket_chart  # noqa: E402
from dialogs.paycheck_chart import (  # noqa: E402
    PaycheckBar,
    PaycheckChart,
    PayPart,
    render_paycheck_chart,
)

CHART = BucketChart(
    title="Your 2026 401(k): $72,000 limit",
    segments=(
        Segment("Your deferrals", Decimal(24500), "$24,500", "deferrals"),
        Segment("Employer match", Decimal(6000), "$6,000", "employer"),
        Segment("After-tax so far", Decimal(5000), "$5,000", "after_tax_in"),
        Segment("After-tax room still open", Decimal(36500), "$36,500", "after_tax_room"),
        Segment("Age 50+ catch-up", Decimal(8000), "$8,000", "catch_up"),
    ),
    limit=Decimal(72000),
    limit_text="415(c) limit $72,000",
    footer="Source: IRS Notice 2025-67",
)


def _paycheck(label: str, deferral: int, after_tax: int, rest: int, match: int) -> PaycheckBar:
    amounts = {"deferral": deferral, "after_tax": after_tax, "rest": rest, "match": match}
    return PaycheckBar(label, tuple(PayPart(k, Decimal(a), f"${a:,}") for k, a in amounts.items()))


PLAN_CHART = PaycheckChart(
    title="Your 2026 paychecks",
    subtitle="26 paychecks left, $7,692 each",
    pay=Decimal(7692),
    pay_text="Paycheck $7,692",
    bars=(_paycheck("1–25", 923, 1307, 5462, 461), _paycheck("26", 1384, 2769, 3539, 461)),
    names=(
        ("deferral", "Deferral"),
        ("after_tax", "After-tax"),
        ("rest", "Rest of the paycheck (taxes, take-home)"),
        ("match", "Employer match"),
    ),
    heading="Paychecks",
    footer="Your employer's match comes on top of your pay, not out of it.",
)

# The same data as a minimal matplotlib chart: what matplotlib would have to do at least.
MPL_PLOT = """
def mpl_render():
    import io
    from matplotlib.figure import Figure
    segs = [("Your deferrals $24,500", 24500, "#0072B2"),
            ("Employer match $6,000", 6000, "#009E73"),
            ("After-tax so far $5,000", 5000, "#56B4E9"),
            ("After-tax room still open $36,500", 36500, "#F0E442"),
            ("Age 50+ catch-up $8,000", 8000, "#CC79A7")]
    fig = Figure(figsize=(8, 10), dpi=100)
    ax = fig.add_axes((0.08, 0.08, 0.3, 0.82))
    bottom = 0
    for label, amount, colour in segs:
        hatch = "//" if "room" in label else None
        ax.bar([0], [amount], bottom=bottom, color=colour, hatch=hatch, width=0.8)
        ax.annotate(label, xy=(0.4, bottom + amount / 2), xytext=(0.7, bottom + amount / 2),
                    fontsize=20, va="center", annotation_clip=False,
                    arrowprops={"arrowstyle": "-"})
        bottom += amount
    ax.axhline(72000, color="black", linewidth=3)
    ax.set_xlim(-0.5, 0.5)
    ax.set_axis_off()
    fig.suptitle("Your 2026 401(k): $72,000 limit", fontsize=24, x=0.05, ha="left")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
"""

# Runs in a fresh interpreter: import, then one render; prints JSON timings (seconds).
COLD_PILLOW = """
import json, sys, time
sys.path.insert(0, {root!r})
w0, c0 = time.perf_counter(), time.process_time()
import dialogs.{module}
w1, c1 = time.perf_counter(), time.process_time()
import benchmarks.bench_chart as b  # the chart's data (not timed)
w2, c2 = time.perf_counter(), time.process_time()
dialogs.{module}.{render}(b.{chart})
w3, c3 = time.perf_counter(), time.process_time()
print(json.dumps({{"import_wall": w1 - w0, "import_cpu": c1 - c0,
                  "first_wall": w3 - w2, "first_cpu": c3 - c2}}))
"""

COLD_MPL = """
import json, time
w0, c0 = time.perf_counter(), time.process_time()
import matplotlib
matplotlib.use("Agg")
from matplotlib.figure import Figure
import matplotlib.font_manager
w1, c1 = time.perf_counter(), time.process_time()
{plot}
mpl_render()
w2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({{"import_wall": w1 - w0, "import_cpu": c1 - c0,
                  "first_wall": w2 - w1, "first_cpu": c2 - c1}}))
"""


def measure(render: Callable[[], object], runs: int, warmup: int = 5) -> dict[str, float]:
    for _ in range(warmup):
        render()
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        render()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return {
        "wall_median": statistics.median(walls),
        "wall_p90": statistics.quantiles(walls, n=10)[-1],
        "cpu_median": statistics.median(cpus),
        "cpu_p90": statistics.quantiles(cpus, n=10)[-1],
    }


def cold(code: str, env: dict[str, str] | None = None, repeat: int = 3) -> dict[str, float]:
    """Median of `repeat` fresh-interpreter runs of `code`, key by key."""
    results = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env=env,
        ).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
    return {k: statistics.median(r[k] for r in results) for k in results[0]}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def report(name: str, steady: dict[str, float], first: dict[str, float]) -> None:
    print(name)
    print(
        f"  one render     median wall {ms(steady['wall_median'])}  p90 {ms(steady['wall_p90'])}"
    )
    print(f"                 median CPU  {ms(steady['cpu_median'])}  p90 {ms(steady['cpu_p90'])}")
    print(
        f"  fresh process  import wall {ms(first['import_wall'])}  CPU {ms(first['import_cpu'])}"
    )
    print(f"                 first render wall {ms(first['first_wall'])}", end="")
    print(f"  CPU {ms(first['first_cpu'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    png = render_bucket_chart(CHART)
    print(f"chart: 5 segments, {len(png):,} bytes PNG; {args.runs} runs after 5 warm-up renders")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs\n")
    report(
        "Pillow (dialogs.charts.render_bucket_chart)",
        measure(lambda: render_bucket_chart(CHART), args.runs),
        cold(
            COLD_PILLOW.format(
                root=str(ROOT), module="charts", render="render_bucket_chart", chart="CHART"
            )
        ),
    )
    plan_png = render_paycheck_chart(PLAN_CHART)
    print(f"\npaycheck chart: 2 bars, {len(plan_png):,} bytes PNG")
    report(
        "Pillow (dialogs.paycheck_chart.render_paycheck_chart)",
        measure(lambda: render_paycheck_chart(PLAN_CHART), args.runs),
        cold(
            COLD_PILLOW.format(
                root=str(ROOT),
                module="paycheck_chart",
                render="render_paycheck_chart",
                chart="PLAN_CHART",
            )
        ),
    )

    # Why the chart has its own PNG writer: Pillow's encoder filters every row five ways.
    image = Image.open(io.BytesIO(png))
    image.load()

    def pillow_png(level: int) -> Callable[[], int]:
        def save() -> int:
            out = io.BytesIO()
            image.save(out, format="PNG", compress_level=level)
            return len(out.getvalue())

        return save

    print("\nPNG encoding of the rendered chart (median CPU, size)")
    encoders: tuple[tuple[str, Callable[[], int]], ...] = (
        (
            "dialogs.charts.encode_png (filter None, zlib 3)",
            lambda: len(charts.encode_png(image)),
        ),
        ("Pillow save, compress_level=1", pillow_png(1)),
        ("Pillow save, compress_level=6 (default)", pillow_png(6)),
    )
    for name, encode in encoders:
        cpu = measure(encode, 20, warmup=2)["cpu_median"]
        print(f"  {name:48} {ms(cpu)}  {encode():>8,} bytes")

    try:
        import matplotlib
    except ImportError:
        print("\nmatplotlib is not installed: no comparison")
        return
    matplotlib.use("Agg")
    namespace: dict[str, Callable[[], bytes]] = {}
    exec(MPL_PLOT, namespace)
    mpl_render = namespace["mpl_render"]
    print()
    report(
        f"matplotlib {matplotlib.__version__} Agg (minimal equivalent stacked bar)",
        measure(mpl_render, args.runs),
        cold(COLD_MPL.format(plot=MPL_PLOT)),
    )
    with tempfile.TemporaryDirectory() as empty_cache:
        env = {**os.environ, "MPLCONFIGDIR": empty_cache}
        first = cold(COLD_MPL.format(plot=MPL_PLOT), env=env, repeat=1)
    print(
        f"  empty font cache (new machine): import wall {ms(first['import_wall'])}"
        f"  CPU {ms(first['import_cpu'])}"
    )


if __name__ == "__main__":
    main()
