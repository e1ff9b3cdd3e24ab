"""The kit's SVG charts: empty series, one point, extreme values, gaps, accessibility, pt-BR numbers."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from carinho.kit.ui.charts import EMPTY_TEXT, Series, bar_chart, line_chart, nice_ticks, share_bar, time_ticks
from carinho.kit.ui.formatting import duration_br, percent_br

SVG = "{http://www.w3.org/2000/svg}"


def _svg(html: str) -> ET.Element:
    """The chart's <svg> parsed as XML (so a malformed drawing fails the test)."""
    match = re.search(r"<svg.*?</svg>", html, re.S)
    assert match, html
    return ET.fromstring(match.group(0).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


def _coords(html: str) -> list[float]:
    return [float(n) for n in re.findall(r'(?:x|y|cx|cy|x1|x2|y1|y2|width|height)="(-?[\d.]+)"', html)] + [
        float(n)
        for pts in re.findall(r'points="([^"]+)"', html)
        for pair in pts.split()
        for n in pair.split(",")
    ]


def test_empty_series_say_so_instead_of_drawing() -> None:
    for html in (
        str(line_chart([], [Series("SLA", [])], title="SLA por dia")),
        str(line_chart(["01/12", "02/12"], [Series("SLA", [None, None])], title="SLA por dia")),
        str(bar_chart(["01/12"], [], title="Mensagens")),
        str(share_bar([("Promotores", 0), ("Detratores", 0)], title="NPS")),
        str(share_bar([], title="NPS")),
    ):
        assert EMPTY_TEXT in html
        assert "<svg" not in html
    assert "SLA por dia" in str(line_chart([], [], title="SLA por dia"))


def test_one_point_is_drawn_as_a_dot_centred_with_its_value() -> None:
    html = str(line_chart(["01/12"], [Series("% cumprido", [87.5])], title="SLA", fmt=percent_br, ident="c1"))
    svg = _svg(html)
    dots = svg.findall(f"{SVG}circle")
    assert len(dots) == 1 and float(dots[0].get("cx", "0")) > 200  # centred, not at the axis
    assert not svg.findall(f"{SVG}polyline")  # a line needs two points
    assert "% cumprido: 01/12 88 %." in svg.findtext(f"{SVG}desc", "")
    assert "<td>88 %</td>" in html


def test_accessible_title_desc_and_data_table_in_portuguese() -> None:
    html = str(
        line_chart(
            ["01/12", "02/12", "03/12"],
            [Series("1ª resposta", [90, 3700, None]), Series("Resolução", [7200, 86400 * 2, 600])],
            title="Tempos médios <por dia>",
            fmt=duration_br,
            ident="tempos",
        )
    )
    svg = _svg(html)
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "tempos-t tempos-d"
    assert svg.findtext(f"{SVG}title") == "Tempos médios <por dia>"  # escaped in the markup
    assert "&lt;por dia&gt;" in html and "<por dia>" not in html
    desc = svg.findtext(f"{SVG}desc", "")
    assert "1ª resposta: 01/12 1 min, 02/12 1 h 01 min, 03/12 sem dado." in desc
    assert "Resolução: 01/12 2 h, 02/12 2 d, 03/12 10 min." in desc
    assert "Ver dados" in html and '<th scope="row">03/12</th><td>—</td><td>10 min</td>' in html
    assert "chart-legend" in html  # two series: a legend
    # a gap (None) splits the first series' line: one polyline for it, one for the other
    assert len(svg.findall(f"{SVG}polyline")) == 2


def test_extreme_values_stay_inside_the_drawing() -> None:
    labels = [f"{d:02d}/12" for d in range(1, 32)]
    huge = Series("Mensagens", [0, 1_000_000_000_000, *([1] * 29)])
    tiny = Series("Falhas", [0.0001, 0.0002, *([0] * 29)])
    negative = Series("NPS", [-100, 100, *([float("nan")] * 29)])
    for chart in (line_chart, bar_chart):
        for series in (huge, tiny, negative):
            html = str(chart(labels, [series], title="t", ident="x"))
            _svg(html)
            assert "nan" not in html.lower() and "inf" not in html.lower().replace("info", "")
            assert all(-1 <= c <= 641 for c in _coords(html)), series.name
    html = str(bar_chart(labels, [huge], title="t"))
    assert "1.000.000.000.000" in html  # pt-BR thousands in the table and the desc
    # 31 labels do not all fit on the axis: only some are written, every one is in the table
    axis_labels = re.findall(r'text-anchor="middle">([^<]+)<', html)
    assert 5 < len(axis_labels) < 31 and axis_labels[0] == "01/12"
    assert html.count('<th scope="row">') == 31


def test_negative_values_put_zero_inside_the_axis() -> None:
    html = str(line_chart(["nov", "dez"], [Series("NPS", [-40, 65])], title="NPS"))
    assert "chart-zero" in html
    ticks = re.findall(r'text-anchor="end">([^<]+)<', html)
    assert ticks[0].startswith("-") and "0" in ticks


def test_bars_grouped_and_stacked() -> None:
    labels = ["N1", "N2", "N3"]
    series = [Series("Abertas", [5, 2, 0]), Series("Aguardando", [3, None, 1])]
    grouped = _svg(str(bar_chart(labels, series, title="Fila")))
    assert len(grouped.findall(f"{SVG}rect")) == 5  # a None is no bar
    stacked_html = str(bar_chart(labels, series, title="Fila", stacked=True))
    stacked = _svg(stacked_html)
    rects = stacked.findall(f"{SVG}rect")
    # N1's two parts share x and sit on each other
    n1 = [r for r in rects if "N1 —" in (r.findtext(f"{SVG}title") or "")]
    assert len(n1) == 2 and n1[0].get("x") == n1[1].get("x")
    assert float(n1[1].get("y", "0")) + float(n1[1].get("height", "0")) == float(n1[0].get("y", "0"))
    # the axis reaches the stack's total (8), not only the largest part (5)
    assert any(float(t) >= 8 for t in re.findall(r'text-anchor="end">([\d.,]+)<', stacked_html))


def test_share_bar_gives_each_part_and_its_percentage() -> None:
    html = str(
        share_bar([("Promotores", 30), ("Neutros", 10), ("Detratores", 10), ("Outros", None)], title="NPS")
    )
    svg = _svg(html)
    widths = [float(r.get("width", "0")) for r in svg.findall(f"{SVG}rect")]
    assert widths == [60, 20, 20]
    assert (
        svg.findtext(f"{SVG}desc")
        == "Promotores: 30 (60 %); Neutros: 10 (20 %); Detratores: 10 (20 %); Outros: 0 (0 %)"
    )


def test_share_bar_colours_follow_the_meaning_when_given() -> None:
    html = str(share_bar([("Crítica", 1), ("Baixa", 3)], title="Ocorrências", tones=[4, 3]))
    assert re.findall(r'<rect class="chart-bar chart-s(\d)"', html) == ["4", "3"]
    assert re.findall(r"chart-key chart-s(\d)", html) == ["4", "3"]


def test_nice_ticks() -> None:
    assert nice_ticks(0, 87) == [0, 25, 50, 75, 100]
    assert nice_ticks(0, 0) == [0, 1]
    assert nice_ticks(5, 5)[0] == 0 and nice_ticks(5, 5)[-1] >= 5
    assert nice_ticks(-100, 100)[0] == -100 and 0 in nice_ticks(-100, 100)
    assert nice_ticks(0, float("inf")) == [0, 1]
    assert len(nice_ticks(0, 1e12)) <= 6


def test_charts_are_available_to_every_template(tmp_path) -> None:
    from carinho.kit.ui.pages import Pages

    pages = Pages(app_name="t", template_dir=tmp_path)
    html = pages.env.from_string(
        "{{ bar_chart(['a', 'b'], [Series('Total', [1, 2500])], title='Por nível', ident='k') }}"
    ).render()
    assert '<svg class="chart-svg"' in html and "2.500" in html  # Markup: not escaped again


def test_durations_step_on_whole_minutes_and_hours() -> None:
    assert time_ticks(4000) == [0, 1800, 3600, 5400]
    assert time_ticks(50) == [0, 60]
    assert time_ticks(0) == [0, 60]
    html = str(
        line_chart(["01/12"], [Series("1ª resposta", [3960])], title="t", fmt=duration_br, seconds=True)
    )
    assert re.findall(r'text-anchor="end">([^<]+)<', html) == ["0", "30 min", "1 h", "1 h 30 min"]


def test_many_points_draw_lines_without_dots_but_a_lone_point_keeps_its_dot() -> None:
    labels = [f"10:{m:02d}" for m in range(60)]
    values: list[float | None] = [float(m % 7) for m in range(60)]
    values[40] = values[42] = None  # 41 stands alone between two gaps
    svg = str(line_chart(labels, [Series("Eventos", values)], title="Eventos por minuto"))
    assert svg.count('class="chart-dot') == 1 and svg.count("<polyline") == 2
    assert str(line_chart(labels, [Series("E", values)], title="E", dots=True)).count("chart-dot") == 58
    few = str(line_chart(["01/12", "02/12"], [Series("SLA", [90.0, 95.0])], title="SLA"))
    assert few.count('class="chart-dot') == 2  # few points: a dot on each, as before


def test_long_x_labels_are_thinned_so_that_they_never_overlap() -> None:
    labels = [f"10:{m:02d}" for m in range(60)]
    svg = str(line_chart(labels, [Series("Eventos", [1] * 60)], title="Eventos"))
    shown = re.findall(r'text-anchor="middle">(\d\d:\d\d)</text>', svg)
    assert shown[:2] == ["10:00", "10:08"] and len(shown) == 8  # 75 units each at the phone's size
