"""Small server-side SVG charts for the supervisor screens: line, bar, stacked bar and a share bar.

Each chart is a `<figure>` holding an `<svg role="img">` with a `<title>` and a `<desc>` that reads
the numbers aloud, and a "Ver dados" table with the same numbers (the fallback for anyone who cannot
see the drawing). Colours come from the CSS (`.chart-s0` … `.chart-s5`, `carinho.css` § charts), so
the markup holds no styles. Numbers are shown the Brazilian way through `formatting`; a page passes
`fmt` (e.g. `duration_br`, `percent_br`) for the unit of its values, and `seconds=True` when the values
are durations (the axis then steps on whole minutes / hours).

Usage from a page: `line_chart(["01/12", "02/12"], [Series("% cumprido", [93.0, 88.5])],
title="SLA cumprido por dia", fmt=percent_br)` → Markup to place in a template.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from carinho.kit.ui.formatting import number_br

Formatter = Callable[[float], str]

TONES = 6  # .chart-s0 … .chart-s5

# The drawing's coordinate system (the SVG scales to its box; text keeps a readable size at 1366 px).
WIDTH = 640
HEIGHT = 240
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 12, 12, 28
EMPTY_TEXT = "Sem dados no período."


@dataclass(frozen=True)
class Series:
    """One named line / bar colour. `values` align with the chart's labels; None = no value there."""

    name: str
    values: Sequence[float | int | None]
    tone: int | None = None  # index into .chart-s0…5; default: the series' position


def _clean(value: float | int | None) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _default_fmt(value: float) -> str:
    return number_br(value, 0 if float(value).is_integer() else 1)


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round axis steps covering [low, high] (always including 0 when the range crosses it):
    (0, 87) → [0, 25, 50, 75, 100]."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0, 1.0]
    if high < low:
        low, high = high, low
    if high == low:
        if high == 0:
            return [0.0, 1.0]
        low, high = min(0.0, low), max(0.0, high)
    raw = (high - low) / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks = [start]
    while ticks[-1] < high - step * 1e-9:
        ticks.append(ticks[-1] + step)
    return [0.0 if abs(t) < step * 1e-9 else t for t in ticks]


# Round steps for an axis of durations in seconds: 1, 2, 5, 10, 15, 30 min, 1, 2, 4, 6, 12 h, 1, 2, 7 d.
_TIME_STEPS = (60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 21600, 43200, 86400, 172800, 604800)


def time_ticks(high: float, count: int = 4) -> list[float]:
    """Axis steps for durations (seconds, ≥ 0) on whole minutes / hours: (0, 4000) → 0, 30 min … 1 h 30."""
    if not math.isfinite(high) or high <= 0:
        return [0.0, 60.0]
    raw = high / count
    step = next((float(t) for t in _TIME_STEPS if t >= raw), None)
    if step is None:  # beyond weeks: plain round numbers of days
        return nice_ticks(0, high, count)
    return [i * step for i in range(math.ceil(high / step - 1e-9) + 1)]


def _domain(values: Sequence[float], *, seconds: bool = False) -> tuple[list[float], float, float]:
    low = min([0.0, *values])
    high = max([0.0, *values])
    ticks = time_ticks(high) if seconds and low >= 0 else nice_ticks(low, high)
    return ticks, ticks[0], ticks[-1]


def _uid(ident: str | None) -> str:
    return ident or f"chart-{uuid.uuid4().hex[:8]}"


def _tone(series: Series, index: int) -> int:
    return (series.tone if series.tone is not None else index) % TONES


def _num(value: float) -> str:
    """A coordinate: short, no exponent."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


# Units one character of an x label takes at the phone's tick size (22px, carinho.css § charts),
# the largest the labels are drawn at.
_CHAR_UNITS = 13


def _label_every(count: int, room: float, longest: int = 3) -> int:
    """Show every n-th x label so they do not overlap, even at a phone's larger text: at least 52
    units per label ("09h" then takes 52), more for long ones ("09:45": 75)."""
    per_label = max(52, longest * _CHAR_UNITS + 10)
    return max(1, math.ceil(count * per_label / max(room, 1)))


def _summary(labels: Sequence[str], series: Sequence[Series], fmt: Formatter) -> str:
    """The numbers as a sentence for <desc>: 'SLA: 01/12 93 %, 02/12 88,5 %.' (at most 31 points)."""
    parts = []
    for s in series:
        points = [
            f"{label} {fmt(v)}" if v is not None else f"{label} sem dado"
            for label, v in zip(labels, (_clean(v) for v in s.values), strict=False)
        ]
        if len(points) > 31:
            points = [*points[:15], "…", *points[-15:]]
        parts.append(f"{s.name}: {', '.join(points)}." if points else f"{s.name}: sem dados.")
    return " ".join(parts)


def _cell(raw: float | int | None, fmt: Formatter) -> str:
    value = _clean(raw)
    return "—" if value is None else str(escape(fmt(value)))


def _table(labels: Sequence[str], series: Sequence[Series], fmt: Formatter, title: str) -> str:
    head = "".join(f'<th scope="col">{escape(s.name)}</th>' for s in series)
    rows = []
    for i, label in enumerate(labels):
        cells = "".join(f"<td>{_cell(s.values[i] if i < len(s.values) else None, fmt)}</td>" for s in series)
        rows.append(f'<tr><th scope="row">{escape(label)}</th>{cells}</tr>')
    return (
        '<details class="chart-data"><summary>Ver dados</summary>'
        f'<table class="table"><caption class="visually-hidden">{escape(title)}</caption>'
        f'<thead><tr><th scope="col"><span class="visually-hidden">Período</span></th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></details>"
    )


def _legend(series: Sequence[Series]) -> str:
    if len(series) < 2:
        return ""
    items = "".join(
        f'<li><span class="chart-key chart-s{_tone(s, i)}" aria-hidden="true"></span>{escape(s.name)}</li>'
        for i, s in enumerate(series)
    )
    return f'<ul class="chart-legend" aria-hidden="true">{items}</ul>'


def _figure(uid: str, title: str, desc: str, body: str, extra: str, *, caption: bool) -> Markup:
    cap = f'<figcaption class="chart-title">{escape(title)}</figcaption>' if caption else ""
    return Markup(  # noqa: S704 — every text part is escaped above
        f'<figure class="chart" id="{escape(uid)}">{cap}'
        f'<svg class="chart-svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{escape(uid)}-t {escape(uid)}-d" preserveAspectRatio="xMidYMid meet">'
        f'<title id="{escape(uid)}-t">{escape(title)}</title><desc id="{escape(uid)}-d">{escape(desc)}</desc>'
        f"{body}</svg>{extra}</figure>"
    )


def _empty(uid: str, title: str, *, caption: bool) -> Markup:
    cap = f'<figcaption class="chart-title">{escape(title)}</figcaption>' if caption else ""
    return Markup(  # noqa: S704 — escaped
        f'<figure class="chart is-empty" id="{escape(uid)}">{cap}'
        f'<p class="chart-empty muted">{EMPTY_TEXT}</p></figure>'
    )


def _axes(
    labels: Sequence[str], ticks: list[float], y: Callable[[float], float], xs: list[float], fmt: Formatter
) -> str:
    parts = []
    for t in ticks:
        ty = y(t)
        cls = "chart-zero" if t == 0 else "chart-grid"
        parts.append(
            f'<line class="{cls}" x1="{_LEFT}" x2="{WIDTH - _RIGHT}" y1="{_num(ty)}" y2="{_num(ty)}"/>'
        )
        parts.append(
            f'<text class="chart-tick" x="{_LEFT - 6}" y="{_num(ty + 4)}" text-anchor="end">'
            f"{escape(fmt(t)) if t else '0'}</text>"
        )
    every = _label_every(
        len(labels), WIDTH - _LEFT - _RIGHT, max((len(label) for label in labels), default=0)
    )
    for i, (label, x) in enumerate(zip(labels, xs, strict=False)):
        if i % every == 0:
            parts.append(
                f'<text class="chart-tick" x="{_num(x)}" y="{HEIGHT - 8}" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    return "".join(parts)


def _all_values(series: Sequence[Series]) -> list[float]:
    return [v for s in series for v in (_clean(x) for x in s.values) if v is not None]


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    fmt: Formatter = _default_fmt,
    seconds: bool = False,
    ident: str | None = None,
    caption: bool = True,
    table: bool = True,
    dots: bool | None = None,
) -> Markup:
    """Lines over time (one per series); a gap where a value is None; a dot on each point —
    `dots=None`: only while the points are few (≤ 31: days of a month), else only on a point
    standing alone between gaps (it has no line to show it)."""
    uid = _uid(ident)
    values = _all_values(series)
    if not labels or not values:
        return _empty(uid, title, caption=caption)
    ticks, low, high = _domain(values, seconds=seconds)
    room = WIDTH - _LEFT - _RIGHT
    step = room / max(len(labels) - 1, 1)
    xs = [_LEFT + (i * step if len(labels) > 1 else room / 2) for i in range(len(labels))]

    def y(v: float) -> float:
        return _TOP + (high - v) / (high - low) * (HEIGHT - _TOP - _BOTTOM)

    body = [_axes(labels, ticks, y, xs, fmt)]
    for index, s in enumerate(series):
        tone = _tone(s, index)
        every_dot = dots if dots is not None else len(labels) <= 31
        runs: list[list[tuple[str, str]]] = [[]]
        for i, raw in enumerate(s.values[: len(labels)]):
            v = _clean(raw)
            if v is None:
                runs.append([])
                continue
            runs[-1].append((_num(xs[i]), _num(y(v))))
        circles: list[str] = []
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{x},{y_}" for x, y_ in run)
                body.append(f'<polyline class="chart-line chart-s{tone}" points="{points}"/>')
            if every_dot or len(run) == 1:
                circles.extend(
                    f'<circle class="chart-dot chart-s{tone}" cx="{x}" cy="{y_}" r="3"/>' for x, y_ in run
                )
        body.extend(circles)
    desc = _summary(labels, series, fmt)
    extra = _legend(series) + (_table(labels, series, fmt, title) if table else "")
    return _figure(uid, title, desc, "".join(body), extra, caption=caption)


def bar_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    fmt: Formatter = _default_fmt,
    stacked: bool = False,
    seconds: bool = False,
    ident: str | None = None,
    caption: bool = True,
    table: bool = True,
) -> Markup:
    """Vertical bars per label: side by side per series, or stacked (values ≥ 0 then)."""
    uid = _uid(ident)
    values = _all_values(series)
    if not labels or not values:
        return _empty(uid, title, caption=caption)
    if stacked:
        totals = [
            sum(max(_clean(s.values[i]) or 0.0, 0.0) for s in series if i < len(s.values))
            for i in range(len(labels))
        ]
        ticks, low, high = _domain(totals, seconds=seconds)
    else:
        ticks, low, high = _domain(values, seconds=seconds)
    room = WIDTH - _LEFT - _RIGHT
    slot = room / len(labels)
    xs = [_LEFT + slot * (i + 0.5) for i in range(len(labels))]
    bar_room = slot * 0.72
    lanes = 1 if stacked else max(len(series), 1)
    width = max(bar_room / lanes, 1.0)

    def y(v: float) -> float:
        return _TOP + (high - v) / (high - low) * (HEIGHT - _TOP - _BOTTOM)

    body = [_axes(labels, ticks, y, xs, fmt)]
    for i, label in enumerate(labels):
        base = 0.0
        for index, s in enumerate(series):
            v = _clean(s.values[i]) if i < len(s.values) else None
            if v is None:
                continue
            tone = _tone(s, index)
            if stacked:
                v = max(v, 0.0)
                top, bottom = y(base + v), y(base)
                base += v
                x = xs[i] - bar_room / 2
            else:
                top, bottom = sorted((y(v), y(0.0)))
                x = xs[i] - bar_room / 2 + index * width
            tip = f"{label} — {s.name}: {fmt(v)}"
            body.append(
                f'<rect class="chart-bar chart-s{tone}" x="{_num(x)}" y="{_num(top)}" '
                f'width="{_num(width)}" height="{_num(max(bottom - top, 0.0))}">'
                f"<title>{escape(tip)}</title></rect>"
            )
    desc = _summary(labels, series, fmt)
    extra = _legend(series) + (_table(labels, series, fmt, title) if table else "")
    return _figure(uid, title, desc, "".join(body), extra, caption=caption)


def share_bar(
    parts: Sequence[tuple[str, float | int | None]],
    *,
    title: str,
    fmt: Formatter = _default_fmt,
    tones: Sequence[int] | None = None,
    ident: str | None = None,
    caption: bool = True,
) -> Markup:
    """One horizontal bar split by share (promoters / passives / detractors, incidents by severity),
    with a legend giving each part's value and percentage. Negative and missing values count as 0.
    `tones`: each part's colour (.chart-s0…5), when the meaning asks for one (red for critical)."""
    uid = _uid(ident)
    clean = [(name, max(_clean(v) or 0.0, 0.0)) for name, v in parts]
    total = sum(v for _, v in clean)
    if not clean or total <= 0:
        return _empty(uid, title, caption=caption)
    cap = f'<figcaption class="chart-title">{escape(title)}</figcaption>' if caption else ""
    shares = [(name, v, v / total * 100) for name, v in clean]
    desc = "; ".join(f"{name}: {fmt(v)} ({number_br(p, 0)} %)" for name, v, p in shares)

    def tone(i: int) -> int:
        return (tones[i] if tones is not None and i < len(tones) else i) % TONES

    rects, x = [], 0.0
    for i, (name, v, p) in enumerate(shares):
        if v <= 0:
            continue
        rects.append(
            f'<rect class="chart-bar chart-s{tone(i)}" x="{_num(x)}" y="0" width="{_num(p)}" height="10">'
            f"<title>{escape(name)}: {escape(fmt(v))} ({number_br(p, 0)} %)</title></rect>"
        )
        x += p
    legend = "".join(
        f'<li><span class="chart-key chart-s{tone(i)}" aria-hidden="true"></span>'
        f"{escape(name)} <strong>{escape(fmt(v))}</strong> "
        f'<span class="muted">({number_br(p, 0)} %)</span></li>'
        for i, (name, v, p) in enumerate(shares)
    )
    return Markup(  # noqa: S704 — escaped
        f'<figure class="chart chart-share" id="{escape(uid)}">{cap}'
        f'<svg class="chart-share-svg" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" '
        f'aria-labelledby="{escape(uid)}-t {escape(uid)}-d">'
        f'<title id="{escape(uid)}-t">{escape(title)}</title>'
        f'<desc id="{escape(uid)}-d">{escape(desc)}</desc>{"".join(rects)}</svg>'
        f'<ul class="chart-legend">{legend}</ul></figure>'
    )


CHART_GLOBALS = {"line_chart": line_chart, "bar_chart": bar_chart, "share_bar": share_bar, "Series": Series}
