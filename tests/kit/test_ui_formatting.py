"""The pt-BR formatting filters of the UI kit."""

from __future__ import annotations

from datetime import UTC, datetime

from carinho.kit.ui.formatting import countdown_br, day_br, links_br, upcoming_br

# Tuesday 1 December 2026, 10:00 in São Paulo.
NOW = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)


def test_day_headings_in_portuguese() -> None:
    assert day_br(datetime(2026, 12, 1, 3, 30, tzinfo=UTC), NOW) == "Hoje"  # 00:30 local
    assert day_br(datetime(2026, 12, 1, 2, 30, tzinfo=UTC), NOW) == "Ontem"  # 23:30 local, the day before
    assert day_br(datetime(2026, 11, 24, 15, 0, tzinfo=UTC), NOW) == "terça-feira, 24 de novembro"
    assert day_br(datetime(2026, 3, 7, 15, 0, tzinfo=UTC), NOW) == "sábado, 7 de março"
    assert day_br(datetime(2025, 12, 1, 15, 0, tzinfo=UTC), NOW) == "segunda-feira, 1 de dezembro de 2025"
    assert day_br(None) == ""


def test_links_escape_everything_and_link_web_addresses() -> None:
    html = str(links_br('Oi <script>alert("x")</script> veja https://carinho.com.br/planos?a=1&b=2.'))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert (
        '<a href="https://carinho.com.br/planos?a=1&amp;b=2" target="_blank" '
        'rel="noopener noreferrer nofollow">https://carinho.com.br/planos?a=1&amp;b=2</a>.'
    ) in html
    assert 'href="https://www.exemplo.com.br"' in str(links_br("site: www.exemplo.com.br"))
    # a balanced parenthesis stays in the address, the sentence's closing one does not
    assert str(links_br("(ver http://a.com/x_(y))")).endswith("x_(y)</a>)")
    # only web addresses: no javascript: or data: links
    assert "<a" not in str(links_br("javascript:alert(1) data:text/html,x"))
    # an attribute cannot be broken out of
    assert '"' not in str(links_br('https://a.com/"onmouseover=x')).split('href="', 1)[1].split('"', 1)[0]
    assert str(links_br(None)) == "" and str(links_br("linha 1\nlinha 2")) == "linha 1\nlinha 2"


def test_sla_countdown_in_hours_and_minutes_like_the_browser_ticker() -> None:
    assert countdown_br(42 * 60 + 30) == "vence em 42 min"
    assert countdown_br(26 * 3600 + 5 * 60) == "vence em 26 h 05 min"  # business time: never days
    assert countdown_br(-(65 * 60)) == "atrasado 1 h 05 min"
    assert countdown_br(20) == "vence em 0 min"
    assert countdown_br(None) == ""


def test_upcoming_moments_read_as_today_tomorrow_weekday_or_date() -> None:
    assert upcoming_br(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), NOW) == "hoje 13:00"
    assert upcoming_br(datetime(2026, 12, 2, 11, 0, tzinfo=UTC), NOW) == "amanhã 08:00"
    assert upcoming_br(datetime(2026, 12, 7, 11, 0, tzinfo=UTC), NOW) == "seg 08:00"
    assert upcoming_br(datetime(2026, 12, 25, 11, 0, tzinfo=UTC), NOW) == "25/12 08:00"
    assert upcoming_br(datetime(2026, 11, 30, 11, 0, tzinfo=UTC), NOW) == "30/11 08:00"  # already past
    assert upcoming_br(None) == ""
