"""LGPD: no phone, e-mail, CPF or message text survives in a log line."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import uuid
from urllib.parse import quote, quote_plus

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from carinho import runtime
from carinho.config import Settings
from carinho.kit.masking import MASK, mask_event_dict, mask_text
from carinho.logging import configure_logging, get_logger
from carinho.runtime import Runtime

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


# --- identifiers are not personal data; configured secrets never leave in clear (issue 15, item 7)


@settings(max_examples=500, deadline=None)
@given(bits=st.integers(min_value=0, max_value=2**128 - 1))
def test_request_ids_event_ids_and_digests_are_never_masked(bits: int) -> None:
    request_id = f"{bits:032x}"  # carinho.kit.web.new_request_id
    as_uuid = str(uuid.UUID(int=bits))
    digest = hashlib.sha256(request_id.encode()).hexdigest()
    zapi_message_id = "3EB0" + request_id[:16].upper()
    for identifier in (request_id, as_uuid, digest, zapi_message_id):
        if not re.search(r"[a-fA-F]", identifier):
            continue  # digits only (one in ~10^8): may be a phone, masked on purpose
        assert mask_text(identifier) == identifier
        assert mask_text(f"GET /api/events/{identifier}?page=2 falhou ({identifier}).") == (
            f"GET /api/events/{identifier}?page=2 falhou ({identifier})."
        )
    record = {"event": f"evento {digest}", "request_id": request_id, "event_id": bits, "step_ids": [bits]}
    if re.search(r"[a-f]", request_id):
        assert mask_event_dict(record) == record


def test_a_phone_or_e_mail_next_to_an_identifier_is_still_masked() -> None:
    request_id = "0123456789abcdef0123456789abcdef"
    masked = mask_text(f"{request_id} 5511987654321 fedcba9876543210fedcba@exemplo.com.br")
    assert masked.startswith(request_id) and masked.count(MASK) == 2
    assert "5511987654321" not in masked and "fedcba9876543210fedcba" not in masked
    assert mask_text("5511987654321") == MASK  # digits only: not an identifier
    assert mask_text("GET /_sandbox/smtp/messages?to=maria.santos%40exemplo.com.br") == (
        f"GET /_sandbox/smtp/messages?to={MASK}"
    )
    assert mask_event_dict({"phone_id": "5511987654321"}) == {"phone_id": MASK}


def _secret_settings() -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        zapi_instance_id="3C5A1B2D4E6F70819A2B3C4D5E6F7081",
        zapi_token="A1B2C3D4E5F6A7B8C9D0E1F2",
        zapi_client_token="F0123456789abcdef0123456789abcdefS",
        zapi_webhook_secret="zapi webhook/secret+1",
        carinho_crm_api_key="crm-key-9f8e7d6c5b4a",
        webhook_secret_site="whsec_c2l0ZS1zZWNyZXQtZm9yLWxvZ3M=",
        session_secret="session-secret-for-logs",
        mail_password="smtp-pass-123",
        payload_encryption_keys="first-fernet-key-aaaaaaaaaaaaaaaaaaaaaaaaaa=,second-fernet-key-bbbbbbbbbbbbbbbbbbbbbb=",
        integracoes_database_url="postgresql+asyncpg://carinho:db%2Fpass%40word@db/integracoes",
        redis_url="redis://:redis-pass-77@redis:6379/0",
    )


def test_settings_list_every_configured_secret() -> None:
    secrets = _secret_settings().log_secrets()
    for value in (
        "A1B2C3D4E5F6A7B8C9D0E1F2",
        "F0123456789abcdef0123456789abcdefS",
        "zapi webhook/secret+1",
        "crm-key-9f8e7d6c5b4a",
        "whsec_c2l0ZS1zZWNyZXQtZm9yLWxvZ3M=",
        "session-secret-for-logs",
        "smtp-pass-123",
        "first-fernet-key-aaaaaaaaaaaaaaaaaaaaaaaaaa=",
        "second-fernet-key-bbbbbbbbbbbbbbbbbbbbbb=",
        "db/pass@word",
        "redis-pass-77",
    ):
        assert value in secrets
    assert "3C5A1B2D4E6F70819A2B3C4D5E6F7081" not in secrets  # the instance id is not a credential


def test_configured_secrets_are_masked_in_httpx_and_uvicorn_url_lines() -> None:
    """httpx logs every request's URL at INFO: Z-API's token is in the path, webhook secrets in the
    query string. Both are masked, by value and by shape; the instance id and request ids stay."""
    current = _secret_settings()
    stream = io.StringIO()
    configure_logging("INFO", stream=stream, settings=current)

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"ok": True})

    instance, token = current.zapi_instance_id, current.zapi_token.get_secret_value()
    webhook_secret = current.zapi_webhook_secret.get_secret_value()
    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        client.post(f"https://api.z-api.io/instances/{instance}/token/{token}/send-text", json={})
        client.post("http://hub.test/webhooks/whatsapp", params={"token": webhook_secret})
        client.get("http://hub.test/x", params={"t": webhook_secret, "k": "crm-key-9f8e7d6c5b4a"})
    request_id = "9d1e2f3a4b5c6d7e8f90a1b2c3d4e5f6"
    logging.getLogger("uvicorn.error").info(
        '%s - "%s %s HTTP/1.1" %d', "127.0.0.1:5000", "POST", f"/webhooks/whatsapp?token={token}", 401
    )
    get_logger("test").warning(
        "falha", url=f"redis://:redis-pass-77@redis/0 smtp-pass-123 Bearer {token}", request_id=request_id
    )
    logging.getLogger().handlers[0].flush()
    output = stream.getvalue()
    for secret in current.log_secrets():
        assert secret not in output
        assert quote(secret, safe="") not in output and quote_plus(secret) not in output
    assert f"/instances/{instance}/token/{MASK}/send-text" in output
    assert f"whatsapp?token={MASK}" in output
    assert request_id in output


async def test_the_secrets_of_the_configured_runtime_are_masked(rt: Runtime) -> None:
    """Secrets configured after logging was set up (the sandbox's generated Z-API token on a first
    start) are masked as soon as the runtime is configured with them."""
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    token = "FRESHLYGENERATEDTOKEN0123"
    runtime.configure(rt.settings.with_overrides(zapi_token=SecretStr(token)))
    logging.getLogger("httpx").info("HTTP Request: POST http://sandbox/z/%s/send-text", token)
    logging.getLogger().handlers[0].flush()
    assert token not in stream.getvalue() and MASK in stream.getvalue()
