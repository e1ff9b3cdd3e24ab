"""Endpoints e entregas: the endpoints as each role sees them; an admin creates one (the secret shown
once), disables, re-enables and rotates its secret; deliveries with their attempts, the request
(masked) and the response's excerpt; an operator resends a failed delivery. All audited."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

import httpx
from sqlalchemy import select

from carinho.integracoes.dlq.models import DeadLetter
from carinho.integracoes.operators.models import ConsoleAudit, OperatorRole
from carinho.integracoes.webhook_endpoints.models import WebhookEndpoint
from carinho.runtime import Runtime
from tests.integracoes.console.conftest import MakeOperator
from tests.integracoes.processing import (  # noqa: F401 - fixtures
    DELIVERY_ONLY,
    auth,
    create_endpoint,
    deliveries_of,
    hook,
    receiver,
    submit_event,
)
from tests.support.jobs import drain
from tests.support.webhook_receiver import Reply, WebhookReceiver

SECRET = re.compile(r"<code>(whsec_[A-Za-z0-9+/=]+)</code>")
PHONE = "5511912345678"


def _toast(response: httpx.Response) -> str:
    return str(json.loads(response.headers["hx-trigger"])["carinho-toast"]["message"])


async def _audit(rt: Runtime) -> list[tuple[str, str | None]]:
    async with rt.db("integracoes").session() as session:
        rows = (await session.execute(select(ConsoleAudit).order_by(ConsoleAudit.id))).scalars().all()
    return [(r.action, r.target) for r in rows if r.action not in ("login",)]


async def test_a_viewer_reads_and_an_admin_creates_an_endpoint(
    rt: Runtime,
    make_operator: MakeOperator,
    receiver: WebhookReceiver,  # noqa: F811
    hook: str,  # noqa: F811
) -> None:
    viewer = await make_operator(OperatorRole.viewer)
    empty = await viewer.page("/endpoints")
    assert empty.status_code == 200 and "Nenhum endpoint cadastrado" in empty.text
    assert "Novo endpoint" not in empty.text

    admin = await make_operator(OperatorRole.admin)
    bad = await admin.htmx("POST", "/endpoints", data={"url": "ftp://x", "destino": "crm"})
    assert bad.status_code == 422 and "URL http(s)" in unquote(bad.headers["x-carinho-mensagem"])
    created = await admin.htmx(
        "POST",
        "/endpoints",
        data={"url": receiver.url(hook), "destino": "crm", "eventos": f"{DELIVERY_ONLY}, lead.created"},
    )
    assert created.status_code == 200 and _toast(created) == "Endpoint criado."
    [secret] = SECRET.findall(created.text)
    async with rt.db("integracoes").session() as session:
        endpoint = (await session.execute(select(WebhookEndpoint))).scalars().one()
    assert endpoint.event_types == [DELIVERY_ONLY, "lead.created"] and secret.startswith("whsec_")

    listing = await viewer.page("/endpoints")
    assert receiver.url(hook) in listing.text and secret not in listing.text
    detail = await viewer.page(f"/endpoints/{endpoint.id}")
    assert "Nenhuma entrega ainda" in detail.text and "Trocar segredo" not in detail.text
    assert (await viewer.page("/endpoints/999999")).status_code == 404
    assert ("endpoint_created", f"endpoint:{endpoint.id}") in await _audit(rt)


async def test_deliveries_attempts_and_a_resend(
    rt: Runtime,
    hub: httpx.AsyncClient,
    auth: dict[str, str],  # noqa: F811
    make_operator: MakeOperator,
    receiver: WebhookReceiver,  # noqa: F811
    hook: str,  # noqa: F811
) -> None:
    endpoint = await create_endpoint(hub, auth, receiver.url(hook), retry_schedule=[])
    receiver.plan(hook, Reply(500, body=f'{{"erro":"falhou","telefone":"{PHONE}"}}'.encode()), Reply(200))
    event_id = await submit_event(hub, auth, payload={"phone": PHONE, "sender_name": "Maria Souza"})
    await drain(rt)
    [delivery] = await deliveries_of(rt, event_id)
    assert delivery.status == "dead"

    operator = await make_operator(OperatorRole.operator)
    page = await operator.page(f"/endpoints/{endpoint['id']}")
    assert f"/entregas/{delivery.id}" in page.text and ">na DLQ<" in page.text
    assert "HTTP 500" in page.text
    only_ok = await operator.page(f"/endpoints/{endpoint['id']}?situacao=succeeded")
    assert "Nenhuma entrega nessa situação" in only_ok.text

    url = f"/endpoints/{endpoint['id']}/entregas/{delivery.id}"
    detail = await operator.page(url)
    assert detail.status_code == 200
    assert "Tentativa 1" in detail.text and "HTTP 500" in detail.text and "Reenviar agora" in detail.text
    assert PHONE not in detail.text  # neither in the request body nor in the response's excerpt
    assert "Maria Souza" not in detail.text and "&#34;sender_name&#34;: &#34;***&#34;" in detail.text
    assert (
        delivery.idempotency_key in detail.text
        and f"&#34;type&#34;: &#34;{DELIVERY_ONLY}&#34;" in detail.text
    )

    resent = await operator.htmx("POST", f"{url}/reenviar")
    assert resent.status_code == 200 and _toast(resent).startswith("Reenvio na fila")
    async with rt.db("integracoes").session() as session:
        item = (await session.execute(select(DeadLetter))).scalars().one()
    assert item.status == "retrying"  # the DLQ item shows the retry
    await drain(rt)
    detail = await operator.page(url)
    assert ">entregue<" in detail.text and "Tentativa 2" in detail.text and "manual ·" in detail.text
    assert "Reenviar agora" not in detail.text
    again = await operator.htmx("POST", f"{url}/reenviar")
    assert again.status_code == 409
    assert unquote(again.headers["x-carinho-mensagem"]) == "Só entregas que falharam podem ser reenviadas."
    assert (await operator.page(f"/endpoints/999/entregas/{delivery.id}")).status_code == 404
    assert ("delivery_resent", f"delivery:{delivery.id}") in await _audit(rt)


async def test_an_admin_disables_enables_and_rotates_the_secret(
    rt: Runtime,
    hub: httpx.AsyncClient,
    auth: dict[str, str],  # noqa: F811
    make_operator: MakeOperator,
    receiver: WebhookReceiver,  # noqa: F811
    hook: str,  # noqa: F811
) -> None:
    endpoint = await create_endpoint(hub, auth, receiver.url(hook))
    base = f"/endpoints/{endpoint['id']}"
    operator = await make_operator(OperatorRole.operator)
    assert (await operator.htmx("POST", f"{base}/desativar")).status_code == 403
    admin = await make_operator(OperatorRole.admin)

    disabled = await admin.htmx("POST", f"{base}/desativar")
    assert disabled.status_code == 200 and "desativado no console por" in disabled.text
    assert "Reativar" in disabled.text
    enabled = await admin.htmx("POST", f"{base}/reativar")
    assert enabled.status_code == 200 and "Desativar" in enabled.text

    rotated = await admin.htmx("POST", f"{base}/segredo", data={"carencia": "3600"})
    assert rotated.status_code == 200 and _toast(rotated) == "Segredo trocado."
    [secret] = SECRET.findall(rotated.text)
    assert "O segredo anterior também assina até" in rotated.text
    assert secret not in (await admin.page(base)).text
    assert (await admin.htmx("POST", f"{base}/segredo", data={"carencia": "-1"})).status_code == 422

    target = f"endpoint:{endpoint['id']}"
    assert [a for a in await _audit(rt) if a[1] == target] == [
        ("endpoint_disabled", target),
        ("endpoint_enabled", target),
        ("endpoint_secret_rotated", target),
    ]
