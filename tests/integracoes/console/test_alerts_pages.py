"""Alertas: a viewer reads the open alerts, rules and history; an operator acknowledges an alert
(audited); an admin edits a rule's thresholds (audited) and bad numbers get a pt-BR error."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from sqlalchemy import select

from carinho.backups.runs import DAILY_ATTEMPTS, record_run
from carinho.integracoes.alerts.service import alert_service
from carinho.integracoes.operators.models import ConsoleAudit, OperatorRole
from carinho.runtime import Runtime
from tests.integracoes.alerts.support import alerts, back_up, evaluate, set_rule
from tests.integracoes.console.conftest import MakeOperator

pytestmark = pytest.mark.usefixtures("still_clock")


async def _open_alert(rt: Runtime) -> int:
    await set_rule(rt, "lane_backlog", threshold=2, window_minutes=0)
    await back_up(rt, 3)
    [alert_id] = (await evaluate(rt)).opened
    return alert_id


async def test_a_viewer_reads_the_alerts_page(rt: Runtime, make_operator: MakeOperator) -> None:
    await _open_alert(rt)
    viewer = await make_operator()
    page = await viewer.page("/alertas")
    assert page.status_code == 200
    text = page.text
    assert "Fila integrations-low com 3 itens aguardando" in text
    assert "Crescimento da DLQ" in text and "Agendador sem líder" in text  # every rule is listed
    assert "Reconhecer" not in text and "Salvar" not in text  # a viewer only reads
    assert "Só administradores alteram as regras." in text
    assert 'href="/alertas"' in text  # in the menu


async def test_an_operator_acknowledges_an_alert(rt: Runtime, make_operator: MakeOperator) -> None:
    alert_id = await _open_alert(rt)
    operator = await make_operator(OperatorRole.operator)
    page = await operator.page("/alertas")
    assert f'action="/alertas/{alert_id}/reconhecer"' in page.text and "Salvar" not in page.text
    response = await operator.htmx("POST", f"/alertas/{alert_id}/reconhecer")
    assert response.status_code == 200 and "reconhecido" in response.headers["HX-Trigger"]
    [alert] = await alerts(rt)
    assert alert.acknowledged_at is not None and alert.status == "open"  # still open until it clears
    assert "reconhecido por Operador" in (await operator.page("/alertas")).text
    denied = await operator.htmx("POST", "/alertas/regras/lane_backlog", data={"limite": "5", "janela": "1"})
    assert denied.status_code == 403
    async with rt.db("integracoes").session() as session:
        actions = list((await session.execute(select(ConsoleAudit.action))).scalars())
    assert "alert_acknowledged" in actions


async def test_an_admin_edits_a_rule(rt: Runtime, make_operator: MakeOperator) -> None:
    admin = await make_operator(OperatorRole.admin)
    response = await admin.htmx(
        "POST", "/alertas/regras/dlq_growth", data={"limite": "2,5", "janela": "30", "ativa": "1"}
    )
    assert response.status_code == 200
    async with rt.db("integracoes").session() as session:
        rules = {r.kind.kind: r for r in await alert_service.rules(session)}
        actions = list((await session.execute(select(ConsoleAudit.action))).scalars())
    assert (rules["dlq_growth"].threshold, rules["dlq_growth"].window_minutes) == (2.5, 30)
    assert "alert_rule_updated" in actions
    off = await admin.htmx("POST", "/alertas/regras/dlq_growth", data={"limite": "2", "janela": "30"})
    assert off.status_code == 200
    async with rt.db("integracoes").session() as session:
        assert not {r.kind.kind: r for r in await alert_service.rules(session)}["dlq_growth"].enabled

    bad = await admin.htmx("POST", "/alertas/regras/dlq_growth", data={"limite": "muito", "janela": "30"})
    assert bad.status_code == 422
    assert unquote(bad.headers["X-Carinho-Mensagem"]) == "Limite: informe um número."
    negative = await admin.htmx("POST", "/alertas/regras/dlq_growth", data={"limite": "-1", "janela": "30"})
    assert negative.status_code == 422 and "positivos" in unquote(negative.headers["X-Carinho-Mensagem"])
    unknown = await admin.htmx("POST", "/alertas/regras/nao_existe", data={"limite": "1", "janela": "1"})
    assert unknown.status_code == 404


async def test_acknowledging_a_resolved_alert_is_refused(rt: Runtime, make_operator: MakeOperator) -> None:
    alert_id = await _open_alert(rt)
    await set_rule(rt, "lane_backlog", threshold=2, window_minutes=0, enabled=False)
    await evaluate(rt)
    operator = await make_operator(OperatorRole.operator)
    response = await operator.htmx("POST", f"/alertas/{alert_id}/reconhecer")
    assert response.status_code == 409
    missing = await operator.htmx("POST", "/alertas/999999/reconhecer")
    assert missing.status_code == 404


async def test_a_failing_daily_backup_shows_on_the_alerts_page_and_the_overview(
    rt: Runtime, make_operator: MakeOperator
) -> None:
    for _ in range(DAILY_ATTEMPTS):
        await record_run(rt, "atendimento", ok=False, error="BackupError: pg_dump not found on PATH")
    await evaluate(rt)
    viewer = await make_operator()
    page = await viewer.page("/alertas")
    assert "Backup diário falhando" in page.text  # the rule and the open alert, in pt-BR
    assert "Backup diário de atendimento falhou nas últimas 3 tentativas (BackupError)" in page.text
    assert "sem backup bem-sucedido há (minutos)" in page.text and 'value="1560"' in page.text
    overview = await viewer.page("/painel")
    assert "Backup diário de atendimento falhou" in overview.text
