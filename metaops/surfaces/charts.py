"""Chart images for `/meta metrics`: numbers in, PNG bytes out, nothing else (no Slack, no database).

matplotlib is imported inside the functions: it takes a while to import and only this command needs it, so
the web process (webhooks) never loads it. A Figure is drawn on its own Agg canvas, never through pyplot:
no display, no global figure state shared between threads.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from metaops import defaults, inbox_messages, messages

# Okabe-Ito colours (told apart with colour blindness), and each series has its own marker and line style too.
SERIES = ((messages.CHART_SENT, "#0072B2", "o", "-"), (messages.CHART_DELIVERED, "#E69F00", "s", "--"),
          (messages.CHART_READ, "#009E73", "^", ":"))
MAX_TICKS = 10  # day labels on the x axis at most, count
MAX_LABEL = 40  # a template name longer than this is cut (with …) on the chart, characters

DayRow = tuple[str, int, int, int | None]  # "YYYY-MM-DD", sent, delivered, read (None: Meta gave no read count)


def daily(rows: Sequence[DayRow], title: str, width: int = defaults.CHART_WIDTH,
          height: int = defaults.CHART_HEIGHT, dpi: int = defaults.CHART_DPI) -> bytes:
    """Sent, delivered and read per day as lines (read left out on days without a count), `width` x `height`
    pixels. Raises ValueError for no rows."""
    if not rows:
        raise ValueError("no days to chart")
    fig, ax = _figure(width, height, dpi)
    x = list(range(len(rows)))
    for index, (label, colour, marker, style) in enumerate(SERIES, start=1):
        values = [row[index] for row in rows]
        points = [(i, v) for i, v in zip(x, values, strict=True) if v is not None]
        if not points:
            continue
        ax.plot([p[0] for p in points], [p[1] for p in points], color=colour, marker=marker, linestyle=style,
                linewidth=2, markersize=5, label=label)
    step = max(1, -(-len(rows) // MAX_TICKS))
    ax.set_xticks(x[::step], [rows[i][0][5:] for i in x[::step]])  # "MM-DD"
    ax.set_xlim(-0.5, len(rows) - 0.5)
    ax.set_ylim(bottom=0)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel(messages.CHART_DAY_AXIS)
    ax.set_ylabel(messages.CHART_COUNT_AXIS)
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left", frameon=False)
    return _png(fig)


def timings(rows: Sequence[tuple[str, float | None, float | None]], title: str, width: int = defaults.CHART_WIDTH,
            height: int = defaults.CHART_HEIGHT, dpi: int = defaults.CHART_DPI) -> bytes:
    """Median first response and time to resolve per day (minutes) as two lines, a day without a value left out.
    Raises ValueError for no rows."""
    if not rows:
        raise ValueError("no days to chart")
    fig, ax = _figure(width, height, dpi)
    x = list(range(len(rows)))
    for index, (label, colour, marker, style) in enumerate(
            ((inbox_messages.CHART_FIRST_RESPONSE, *SERIES[0][1:]), (inbox_messages.CHART_RESOLVE, *SERIES[1][1:])),
            start=1):
        points = [(i, row[index]) for i, row in zip(x, rows, strict=True) if row[index] is not None]
        if points:
            ax.plot([p[0] for p in points], [p[1] for p in points], color=colour, marker=marker, linestyle=style,
                    linewidth=2, markersize=5, label=label)
    step = max(1, -(-len(rows) // MAX_TICKS))
    ax.set_xticks(x[::step], [rows[i][0][5:] for i in x[::step]])
    ax.set_xlim(-0.5, len(rows) - 0.5)
    ax.set_ylim(bottom=0)
    ax.set_xlabel(messages.CHART_DAY_AXIS)
    ax.set_ylabel(inbox_messages.CHART_MINUTES_AXIS)
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left", frameon=False)
    return _png(fig)


def read_rates(rates: Sequence[tuple[str, float]], title: str, width: int = defaults.CHART_WIDTH,
               height: int = defaults.CHART_HEIGHT, dpi: int = defaults.CHART_DPI) -> bytes:
    """One horizontal bar per template (first at the top) with its read rate, a fraction from 0 to 1, written as
    a percentage at the bar's end. Raises ValueError for no templates or a rate outside 0..1."""
    if not rates:
        raise ValueError("no templates to chart")
    if any(not 0 <= rate <= 1 for _, rate in rates):
        raise ValueError("a read rate is a fraction from 0 to 1")
    fig, ax = _figure(width, height, dpi)
    names = [name if len(name) <= MAX_LABEL else name[:MAX_LABEL - 1] + "…" for name, _ in rates]
    values = [rate * 100 for _, rate in rates]
    y = list(range(len(rates)))[::-1]
    bars = ax.barh(y, values, color=SERIES[2][1], height=0.6)
    ax.bar_label(bars, labels=[f"{v:.0f}%" for v in values], padding=3)
    ax.set_yticks(y, names)
    ax.set_xlim(0, 110)  # room for the labels past a 100% bar
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel(messages.CHART_RATE_AXIS)
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)


def counts(bars: Sequence[tuple[str, int]], title: str, width: int = defaults.CHART_WIDTH,
           height: int = defaults.CHART_HEIGHT, dpi: int = defaults.CHART_DPI) -> bytes:
    """One horizontal bar per label (first at the top) with its count written at the bar's end (a campaign's
    outcomes, messages per category). Raises ValueError for no bars."""
    if not bars:
        raise ValueError("no bars to chart")
    fig, ax = _figure(width, height, dpi)
    y = list(range(len(bars)))[::-1]
    drawn = ax.barh(y, [n for _, n in bars], color=SERIES[0][1], height=0.6)
    ax.bar_label(drawn, labels=[f"{n:,}" for _, n in bars], padding=3)
    ax.set_yticks(y, [label[:MAX_LABEL] for label, _ in bars])
    ax.set_xlim(0, max(1, max(n for _, n in bars)) * 1.15)
    ax.set_xlabel(messages.CHART_COUNT_AXIS)
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)


def _figure(width: int, height: int, dpi: int) -> tuple[Any, Any]:
    from matplotlib.figure import Figure  # lazily: see the module's docstring

    fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi, layout="constrained")
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _png(fig: Any) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=fig.dpi, facecolor="white")
    return out.getvalue()
