"""Chaves de API: admin only; create (the key shown once and working), list with last use and the
rate limit's refusals, revoke (the key stops working); audited."""

from __future__ import annotations

import re

from sqlalchemy import select

from carinho.integracoes.apikeys.models import ApiKey
from carinho.integracoes.operators.models import ConsoleAudit, OperatorRole
from carinho.runtime import Runtime
from tests.integracoes.console.conftest import MakeOperator

KEY = re.compile(r"<code>(ck_[0-9a-f]{12}_[\w-]+)</code>")


async def test_only_an_admin_sees_the_keys(make_operator: MakeOperator) -> None:
    operator = await make_operator(OperatorRole.operator)
    refused = await operator.page("/chaves")
    assert refused.status_code == 403 and "Acesso negado" in refused.text
    assert 'href="/chaves"' not in (await operator.page("/painel")).text
    admin = await make_operator(OperatorRole.admin)
    page = await admin.page("/chaves")
    assert page.status_code == 200 and "Nenhuma chave ainda" in page.text
    assert 'href="/chaves"' in page.text


async def test_an_admin_creates_uses_and_revokes_a_key(rt: Runtime, make_operator: MakeOperator) -> None:
    admin = await make_operator(OperatorRole.admin)
    short = await admin.htmx("POST", "/chaves", data={"nome": "x"})
    assert short.status_code == 422

    created = await admin.htmx("POST", "/chaves", data={"nome": "Site institucional"})
    assert created.status_code == 200 and 'id="chaves"' in created.text
    assert "Ela não será mostrada de novo" in created.text
    [plaintext] = KEY.findall(created.text)
    # shown once: the page lists the key by its start only
    page = await admin.page("/chaves")
    assert plaintext not in page.text and plaintext[:15] + "_…" in page.text
    assert "nunca usada" in page.text and "nenhuma em 7 dias" in page.text

    used = await admin.client.get("/api/events", headers={"X-API-Key": plaintext})
    assert used.status_code == 200
    limit = int(used.headers["X-RateLimit-Limit"])
    for _ in range(limit):
        last = await admin.client.get("/api/events", headers={"X-API-Key": plaintext})
    assert last.status_code == 429
    page = await admin.page("/chaves")
    assert "nunca usada" not in page.text
    assert '<span class="badge badge-warning">1 hoje</span> 1 em 7 dias' in page.text

    async with rt.db("integracoes").session() as session:
        key = (await session.execute(select(ApiKey))).scalars().one()
    revoked = await admin.htmx("POST", f"/chaves/{key.id}/revogar")
    assert revoked.status_code == 200 and "revogada" in revoked.text
    assert (await admin.client.get("/api/events", headers={"X-API-Key": plaintext})).status_code == 401
    assert (await admin.htmx("POST", "/chaves/999999/revogar")).status_code == 404

    async with rt.db("integracoes").session() as session:
        rows = (
            (await session.execute(select(ConsoleAudit).where(ConsoleAudit.action.like("api_key_%"))))
            .scalars()
            .all()
        )
    assert [(r.action, r.target, r.operator_email) for r in rows] == [
        ("api_key_created", plaintext[:15], admin.email),
        ("api_key_revoked", plaintext[:15], admin.email),
    ]
    assert plaintext not in str([r.details for r in rows])
