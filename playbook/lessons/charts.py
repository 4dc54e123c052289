"""PNG charts of the lessons page, drawn with matplotlib on the server (Agg, no pyplot).

No widgets, no browser-side charting: each function takes a tidy table from
:mod:`playbook.lessons.analytics` and texts already in the page's language, and returns PNG bytes.
Chinese labels use Debian's Noto Sans CJK (fonts-noto-cjk, scripts/install-system-deps.sh);
matplotlib falls back per glyph to DejaVu Sans for anything else.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import matplotlib
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter

matplotlib.use("Agg")
matplotlib.rcParams.update(
    {
        "font.family": "sans-serif",
        "font.sans-serif": ["Noto Sans CJK SC", "DejaVu Sans"],
        "axes.spines.top": False,
        "axes.spines.right": False,
        "font.size": 9,
        "svg.fonttype": "none",
    }
)
SIZE = (7.2, 3.0)
DPI = 80
BLUE, ORANGE, GREY = "#2f6db5", "#d9822b", "#8a8a8a"
MAX_BARS = 15


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buf)
    return buf.getvalue()


def _figure(right: float = 0.9, bottom: float = 0.26) -> tuple[Figure, object]:
    """A figure with fixed margins (fractions of its size).

    Measuring the labels to fit them (``tight_layout``) would take half the drawing time, so
    tick labels are cut to 18 characters, the weekly chart's scenario names to 20, and its
    legend sits in the space right of ``right``.
    """
    fig = Figure(figsize=SIZE, dpi=DPI)
    fig.subplots_adjust(left=0.1, right=right, bottom=bottom, top=0.9)
    return fig, fig.subplots()


MAX_WEEK_TICKS = 8


def week_axis(
    weeks: Sequence[pd.Timestamp], *also: pd.Timestamp, after: float = 3.5
) -> tuple[list[pd.Timestamp], list[str], tuple[pd.Timestamp, pd.Timestamp]]:
    """Ticks, their labels and the x range of a weekly chart.

    The ticks are the weeks the table counts (their Mondays), every n-th when there are more
    than ``MAX_WEEK_TICKS``; the range is those weeks, half a week before the first and
    ``after`` days after the last (a single week is shown as one week, not matplotlib's
    default of years). ``also`` are other dates that must be in range (a fix's start date).
    """
    days = sorted({pd.Timestamp(w).normalize() for w in weeks})
    if not days:
        return [], [], (pd.Timestamp(0), pd.Timestamp(0))
    step = -(-len(days) // MAX_WEEK_TICKS)  # ceiling
    ticks = days[::step]
    years = {d.year for d in days}
    fmt = "%Y-%m-%d" if len(years) > 1 else "%m-%d"
    labels = [d.strftime(fmt) for d in ticks]
    span = [*days, *(pd.Timestamp(a).normalize() for a in also)]
    return (
        ticks,
        labels,
        (min(span) - pd.Timedelta(days=3.5), max(span) + pd.Timedelta(days=after)),
    )


def _set_week_axis(
    ax: object, weeks: Sequence[pd.Timestamp], *also: pd.Timestamp, after: float = 3.5
) -> None:
    ticks, labels, (lo, hi) = week_axis(weeks, *also, after=after)
    if ticks:
        ax.set_xticks(ticks, labels, rotation=30, ha="right")
        ax.set_xlim(lo, hi)


def _short(label: str, limit: int = 18) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    title: str,
    *,
    percent: bool = False,
    cumulative: Sequence[float] | None = None,
    muted: Sequence[bool] | None = None,
) -> bytes:
    """A bar chart of the first ``MAX_BARS`` values, as PNG bytes.

    Optionally with a cumulative-share line (Pareto) and muted bars (e.g. rates resting on few
    orders).
    """
    fig, ax = _figure()
    labels = [_short(str(x)) for x in labels[:MAX_BARS]]
    values = list(values[:MAX_BARS])
    colors = [GREY if m else BLUE for m in (muted or [False] * len(values))[:MAX_BARS]]
    xs = range(len(values))
    ax.bar(xs, values, color=colors)
    ax.set_xticks(list(xs), labels, rotation=30 if len(labels) > 4 else 0, ha="right")
    ax.set_title(title, y=1.02)  # a set height skips measuring the axes for it
    if percent:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    else:
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if cumulative is not None:
        line = ax.twinx()
        line.plot(xs, list(cumulative[:MAX_BARS]), color=ORANGE, marker="o")
        line.set_ylim(0, 1.05)
        line.yaxis.set_major_formatter(PercentFormatter(1.0))
        line.spines["top"].set_visible(False)
    return _png(fig)


def weekly_chart(
    flow: pd.DataFrame, names: Mapping[str, str], opened: str, closed: str, title: str
) -> bytes:
    """Opened (solid) and closed (dashed) cases per week, one colour per scenario."""
    fig, ax = _figure(right=0.64)
    for n, (scenario, rows) in enumerate(flow.groupby("scenario_id", sort=True)):
        color = f"C{n}"
        weeks = rows["week"].dt.tz_localize(None)
        name = _short(names.get(str(scenario), str(scenario)), 20)
        ax.plot(weeks, rows["opened"], color=color, marker=".", label=f"{name} · {opened}")
        ax.plot(weeks, rows["closed"], color=color, ls="--", label=f"{name} · {closed}")
    ax.set_title(title, y=1.02)  # a set height skips measuring the axes for it
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    _set_week_axis(ax, list(flow["week"].dt.tz_localize(None)))
    return _png(fig)


def fix_chart(
    weekly: pd.DataFrame, starts_at: pd.Timestamp, title: str, before: str, after: str
) -> bytes:
    """Cases of the cause per week, before (blue) and after (orange) the fix date."""
    fig, ax = _figure()
    weeks = weekly["week"].dt.tz_localize(None)
    colors = [BLUE if p == "before" else ORANGE for p in weekly["period"]]
    ax.bar(weeks, weekly["cases"], width=5, color=colors, align="edge")
    ax.axvline(starts_at.tz_localize(None), color="black", lw=1)
    ax.set_title(title, y=1.02)  # a set height skips measuring the axes for it
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(
        handles=[Patch(color=BLUE, label=before), Patch(color=ORANGE, label=after)],
        fontsize=7,
        frameon=False,
    )
    # bars start on their Monday and are 5 days wide: the range reaches past the last bar
    _set_week_axis(ax, list(weeks), starts_at.tz_localize(None), after=6.5)
    return _png(fig)
