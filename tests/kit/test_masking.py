"""LGPD: no phone, e-mail, CPF or message text survives in a log line."""

from __future__ import annotations

import io
import json
import logging
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from carinho.kit.masking import MASK, mask_event_dict, mask_text
from carinho.logging import configure_logging, get_logger

digit = st.sampled_from("0123456789")
ddd = st.integers(min_value=11, max_value=99).map(str)


@st.composite
def phones(draw: st.DrawFn) -> str:
    area = draw(ddd)
    first = draw(st.text(digit, min_size=4, max_size=4))
    last = draw(st.text(digit, min_size=4, max_size=4))
    mobile = draw(st.booleans())
    prefix = "9" if mobile else ""
    shape = draw(st.integers(0, 6))
    return [
        f"+55 ({area}) {prefix}{first}-{last}",
        f"55{area}{prefix}{first}{last}",
        f"({area}) {prefix}{first}-{last}",
        f"{area}{prefix}{first}{last}",
        f"{area} {prefix}{first} {last}",
        f"+55{area}{prefix}{first}{last}",
        f"55{area}{prefix}{first}{last}@c.us",
    ][shape]


@st.composite
def cpfs(draw: st.DrawFn) -> str:
    d = draw(st.text(digit, min_size=11, max_size=11))
    return draw(st.sampled_from([d, f"{d[:3]}.{d[3:6]}.{d[6:9]}-{d[9:]}"]))


emails = st.builds(
    lambda user, domain, tld: f"{user}@{domain}.{tld}",
    st.from_regex(r"[a-z][a-z0-9._+-]{0,15}[a-z0-9]", fullmatch=True),
    st.from_regex(r"[a-z][a-z0-9-]{0,10}[a-z0-9]", fullmatch=True),
    st.sampled_from(["com", "com.br", "org", "net", "vc"]),
)
filler = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Nd")), max_size=30
)  # no digits: a digit next to a number could make it another number


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _log_line(**fields: object) -> str:
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    get_logger("test").info("conversa.recebida", **fields)
    logging.getLogger().handlers[0].flush()
    return stream.getvalue()


@settings(max_examples=300, deadline=None)
@given(secret=st.one_of(phones(), cpfs(), emails), before=filler, after=filler)
def test_no_personal_pattern_survives_in_free_text(secret: str, before: str, after: str) -> None:
    masked = mask_text(f"{before} {secret} {after}")
    assert secret not in masked
    digits = _digits(secret)
    if len(digits) >= 8:
        assert digits not in _digits(masked)


@settings(max_examples=100, deadline=None)
@given(phone=phones(), email=emails, cpf=cpfs(), text=st.text(min_size=1, max_size=60))
def test_log_lines_carry_no_personal_data(phone: str, email: str, cpf: str, text: str) -> None:
    line = _log_line(
        phone=phone,
        contact={"email": email, "cpf": cpf},
        text=text,
        note=f"cliente {phone} / {email} / {cpf}",
        error=f"falha ao enviar para {phone}",
    )
    record = json.loads(line)
    assert record["phone"] == MASK and record["text"] == MASK
    assert record["contact"] == {"email": MASK, "cpf": MASK}
    for secret in (phone, email, cpf):
        assert secret not in line
    for secret in (phone, cpf):
        assert _digits(secret) not in _digits(line.replace(record["timestamp"], ""))


def test_ordinary_fields_are_kept() -> None:
    masked = mask_event_dict({"event": "outbox.job_done", "outbox_id": 42, "lane": "integrations"})
    assert masked == {"event": "outbox.job_done", "outbox_id": 42, "lane": "integrations"}


def test_standard_library_records_are_masked_too() -> None:
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    logging.getLogger("uvicorn.error").warning("cliente %s escreveu", "maria@example.com")
    assert "maria@example.com" not in stream.getvalue()
    assert MASK in stream.getvalue()
