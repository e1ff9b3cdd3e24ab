"""How a Carinho person reads values: dates and times in São Paulo, Brazilian formats, pt-BR words.

Pure functions, used as Jinja filters by every page (atendimento and the hub's console) and unit-tested.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from carinho.kit.clock import utcnow

LOCAL_TZ = ZoneInfo("America/Sao_Paulo")

_WEEKDAYS = ("seg", "ter", "qua", "qui", "sex", "sáb", "dom")
_WEEKDAYS_LONG = (
    "segunda-feira",
    "terça-feira",
    "quarta-feira",
    "quinta-feira",
    "sexta-feira",
    "sábado",
    "domingo",
)
_MONTHS = (
    "janeiro",
    "fevereiro",
    "março",
    "abril",
    "maio",
    "junho",
    "julho",
    "agosto",
    "setembro",
    "outubro",
    "novembro",
    "dezembro",
)


def month_br(day: date) -> str:
    """'dezembro de 2026'."""
    return f"{_MONTHS[day.month - 1]} de {day.year}"


def local(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # the database layer gives aware UTC; be lenient with naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ)


def datetime_br(moment: datetime | None) -> str:
    """'06/12/2026 16:55'."""
    value = local(moment)
    return value.strftime("%d/%m/%Y %H:%M") if value else ""


def date_br(moment: datetime | None) -> str:
    value = local(moment)
    return value.strftime("%d/%m/%Y") if value else ""


def time_br(moment: datetime | None) -> str:
    value = local(moment)
    return value.strftime("%H:%M") if value else ""


def when_br(moment: datetime | None, now: datetime | None = None) -> str:
    """Short form for lists: the time today, 'ontem', the weekday within a week, else the date."""
    value = local(moment)
    if value is None:
        return ""
    today = local(now or utcnow())
    assert today is not None
    days = (today.date() - value.date()).days
    if days <= 0:
        return value.strftime("%H:%M")
    if days == 1:
        return "ontem"
    if days < 7:
        return _WEEKDAYS[value.weekday()]
    return value.strftime("%d/%m/%y")


def day_br(moment: datetime | None, now: datetime | None = None) -> str:
    """A day heading in a message thread: 'Hoje', 'Ontem', 'terça-feira, 1 de dezembro' (with the
    year when it is not this year's)."""
    value = local(moment)
    if value is None:
        return ""
    today = local(now or utcnow())
    assert today is not None
    days = (today.date() - value.date()).days
    if days == 0:
        return "Hoje"
    if days == 1:
        return "Ontem"
    text = f"{_WEEKDAYS_LONG[value.weekday()]}, {value.day} de {_MONTHS[value.month - 1]}"
    return text if value.year == today.year else f"{text} de {value.year}"


# A web address in free text: http(s)://… or www.…, up to a space, a quote or an angle bracket.
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?…»”’'\")]}"


def links_br(text: str | None) -> Markup:
    """Untrusted text (a customer's message) as safe HTML: everything escaped, web addresses turned
    into links that open in a new tab. Line breaks are kept by the CSS (`white-space: pre-wrap`).
    String work rather than Markup.format: a thread renders it a thousand times."""
    if not text:
        return Markup("")
    lowered = text.lower()
    if "http" not in lowered and "www." not in lowered:
        return escape(text)
    parts: list[str] = []
    position = 0
    for match in _URL.finditer(text):
        url = match.group(0)
        end = match.end()
        # Punctuation that ends the sentence is not part of the address (but a balanced ')' is).
        while url and url[-1] in _TRAILING:
            if url[-1] == ")" and url.count("(") >= url.count(")"):
                break
            url = url[:-1]
            end -= 1
        if len(url) < 8:
            continue
        href = url if url.lower().startswith(("http://", "https://")) else f"https://{url}"
        shown = _escape(url)
        parts.append(_escape(text[position : match.start()]))
        parts.append(
            f'<a href="{_escape(href)}" target="_blank" rel="noopener noreferrer nofollow">{shown}</a>'
        )
        position = end
    parts.append(_escape(text[position:]))
    return Markup("".join(parts))  # noqa: S704 — every part was escaped above


def _escape(text: str) -> str:
    return str(escape(text))


def duration_br(seconds: float | int | None) -> str:
    """'agora', '5 min', '2 h 05 min', '3 d 4 h' — a waiting time or an SLA countdown."""
    if seconds is None:
        return ""
    total = int(abs(seconds))
    minutes, _ = divmod(total, 60)
    if minutes < 1:
        return "agora" if seconds >= 0 else "menos de 1 min"
    hours, minutes = divmod(minutes, 60)
    if hours < 1:
        return f"{minutes} min"
    days, hours = divmod(hours, 24)
    if days < 1:
        return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"
    return f"{days} d {hours} h" if hours else f"{days} d"


def since_br(moment: datetime | None, now: datetime | None = None) -> str:
    """How long ago: 'há 5 min', 'agora'."""
    if moment is None:
        return ""
    elapsed = ((now or utcnow()) - moment).total_seconds()
    text = duration_br(max(elapsed, 0))
    return text if text == "agora" else f"há {text}"


def phone_br(phone: str | None) -> str:
    """'5511987654321' → '(11) 98765-4321'; '551133334444' → '(11) 3333-4444'; others unchanged."""
    if not phone:
        return ""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("55") and len(digits) in (12, 13):
        digits = digits[2:]
    if len(digits) == 11:
        return f"({digits[:2]}) {digits[2:7]}-{digits[7:]}"
    if len(digits) == 10:
        return f"({digits[:2]}) {digits[2:6]}-{digits[6:]}"
    return phone


def number_br(value: float | int | None, decimals: int = 0) -> str:
    """'1.234' and '98,5': the Brazilian separators."""
    if value is None:
        return ""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def percent_br(value: float | None, decimals: int = 0) -> str:
    return "" if value is None else f"{number_br(value, decimals)} %"


def countdown_br(seconds: float | int | None) -> str:
    """An SLA countdown, the words carinho.js's `data-countdown` ticker writes: 'vence em 42 min',
    'vence em 26 h 05 min' (hours, never days: business time), 'atrasado 1 h 05 min'."""
    if seconds is None:
        return ""
    minutes = int(abs(seconds)) // 60
    hours, minutes = divmod(minutes, 60)
    text = f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
    return f"atrasado {text}" if seconds < 0 else f"vence em {text}"


def upcoming_br(moment: datetime | None, now: datetime | None = None) -> str:
    """A moment ahead, short: 'hoje 13:00', 'amanhã 08:00', 'seg 08:00' within a week, else
    '25/12 08:00' (the day a paused SLA clock resumes, a due time)."""
    value = local(moment)
    if value is None:
        return ""
    today = local(now or utcnow())
    assert today is not None
    days = (value.date() - today.date()).days
    clock = value.strftime("%H:%M")
    if days == 0:
        return f"hoje {clock}"
    if days == 1:
        return f"amanhã {clock}"
    if 1 < days < 7:
        return f"{_WEEKDAYS[value.weekday()]} {clock}"
    return value.strftime("%d/%m %H:%M")


def seconds_until(moment: datetime | None, now: datetime | None = None) -> float | None:
    if moment is None:
        return None
    return (moment - (now or utcnow())).total_seconds()


def as_timedelta(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)


FILTERS = {
    "datahora": datetime_br,
    "data": date_br,
    "hora": time_br,
    "quando": when_br,
    "dia": day_br,
    "links": links_br,
    "duracao": duration_br,
    "ha": since_br,
    "prazo": countdown_br,
    "proximo": upcoming_br,
    "telefone": phone_br,
    "numero": number_br,
    "porcento": percent_br,
    "mes": month_br,
}
