"""Sincronizações: the four syncs and their history as each role sees them, "Executar agora" for an
operator (queued, audited, run), a failed run's errors (masked), filters and "Carregar mais"."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from carinho.integracoes.operators.models import ConsoleAudit, OperatorRole
from carinho.integracoes.sync.models import SyncJob
from carinho.kit.clock import utcnow
from carinho.runtime import Runtime
from tests.integracoes.console.conftest import MakeOperator
from tests.support.jobs import drain

SYNC_TITLES = (
    "CRM → Operação: contratos e agendamentos",
    "Operação → Financeiro: serviços executados para faturamento",
    "CRM → Financeiro: setup de cobrança recorrente",
    "Cuidadores → CRM: atualizações de cuidadores",
)


async def _runs(rt: Runtime, *jobs: SyncJob) -> None:
    async with rt.db("integracoes").session() as session:
        session.add_all(jobs)
        await session.commit()


def _job(name: str, status: str, minutes_ago: int, **values: object) -> SyncJob:
    at = utcnow() - timedelta(minutes=minutes_ago)
    fields: dict[str, object] = {
        "name": name,
        "trigger": "schedule",
        "status": status,
        "started_at": at,
        "finished_at": at + timedelta(seconds=3),
        "duration_ms": 3200,
        "errors": [],
        "created_at": at,
        "updated_at": at,
    }
    fields.update(values)
    return SyncJob(**fields)


async def test_a_viewer_sees_the_four_syncs_and_may_not_run_them(make_operator: MakeOperator) -> None:
    viewer = await make_operator(OperatorRole.viewer)
    page = await viewer.page("/sincronizacoes")
    assert page.status_code == 200
    for title in SYNC_TITLES:
        assert title in page.text
    assert page.text.count("Nunca executada") == 4
    assert "a cada hora" in page.text and "uma vez por dia" in page.text and "a cada 4 horas" in page.text
    assert "Nenhuma execução ainda" in page.text
    assert "Executar agora" not in page.text
    assert "every 3s" not in page.text  # nothing in progress: no polling
    refused = await viewer.htmx("POST", "/sincronizacoes/crm_operacao_contracts/executar")
    assert refused.status_code == 403


async def test_an_operator_runs_a_sync_now(rt: Runtime, make_operator: MakeOperator) -> None:
    operator = await make_operator(OperatorRole.operator)
    page = await operator.page("/sincronizacoes")
    assert page.text.count("Executar agora") == 4
    response = await operator.htmx("POST", "/sincronizacoes/cuidadores_crm_caregivers/executar")
    assert response.status_code == 200, response.text
    assert "carinho-toast" in response.headers["hx-trigger"]
    assert 'id="sincronizacoes"' in response.text and "<html" not in response.text
    assert "Na fila" in response.text and 'throttle:2s, every 3s"' in response.text
    async with rt.db("integracoes").session() as session:
        [job] = (await session.execute(select(SyncJob))).scalars().all()
        [entry] = (
            (await session.execute(select(ConsoleAudit).where(ConsoleAudit.action == "sync_started")))
            .scalars()
            .all()
        )
    assert (job.name, job.trigger, job.status) == ("cuidadores_crm_caregivers", "manual", "queued")
    assert entry.operator_email == operator.email and entry.target == "cuidadores_crm_caregivers"
    assert entry.details == {"sync_job_id": job.id}

    # The run happens on the worker: here nothing answers at the CRM's address, so it fails, and
    # the page says so with the error (and stops refreshing itself).
    await drain(rt, ("integracoes",))
    page = await operator.page("/sincronizacoes")
    assert "Falhou" in page.text and "Erros da última execução" in page.text
    assert "every 3s" not in page.text
    piece = await operator.htmx("GET", "/sincronizacoes/atualizar")
    assert piece.status_code == 200 and "<html" not in piece.text and "Falhou" in piece.text


async def test_an_unknown_sync_is_a_clear_404(make_operator: MakeOperator) -> None:
    operator = await make_operator(OperatorRole.operator)
    response = await operator.htmx("POST", "/sincronizacoes/nao_existe/executar")
    assert response.status_code == 404
    assert "Sincroniza" in response.headers["x-carinho-mensagem"]


async def test_a_partial_run_with_its_counts_watermark_and_masked_errors(
    rt: Runtime, make_operator: MakeOperator
) -> None:
    await _runs(
        rt,
        _job("crm_operacao_contracts", "succeeded", 120, read_count=4, created_count=4),
        _job(
            "crm_operacao_contracts",
            "partial",
            60,
            read_count=10,
            created_count=6,
            updated_count=1,
            skipped_count=1,
            failed_count=2,
            watermark_to=utcnow() - timedelta(hours=2),
            errors=[
                {"source_id": "7", "error": "ValidationError: phone 11987654321 is not valid"},
                {"source_id": "9", "error": "HTTPStatusError: 503 from operacao"},
            ],
        ),
    )
    viewer = await make_operator(OperatorRole.viewer)
    page = await viewer.page("/sincronizacoes")
    text = page.text
    assert "Concluída com falhas" in text and "Concluída" in text
    assert "10 lidos" in text and "6 criados" in text and "2 com falha" in text
    assert "HTTPStatusError: 503 from operacao" in text
    assert "11987654321" not in text and "phone *** is not valid" in text
    assert "3,2 s" in text

    failed_only = await viewer.page("/sincronizacoes?status=partial")
    assert failed_only.text.count("<tr>") == 1 + 1  # header row + the partial run
    nothing = await viewer.page("/sincronizacoes?sync=cuidadores_crm_caregivers")
    assert "Nenhuma execução com esses filtros" in nothing.text
    ignored = await viewer.page("/sincronizacoes?sync=%3Cscript%3E&status=xyz")
    assert ignored.status_code == 200 and "<script>" not in ignored.text


async def test_the_history_loads_more_runs(rt: Runtime, make_operator: MakeOperator) -> None:
    await _runs(rt, *[_job("crm_financeiro_billing", "succeeded", 600 - i) for i in range(25)])
    viewer = await make_operator(OperatorRole.viewer)
    page = await viewer.page("/sincronizacoes")
    assert "Carregar mais" in page.text
    async with rt.db("integracoes").session() as session:
        ids = sorted((await session.execute(select(SyncJob.id))).scalars().all())
    cursor = ids[-20]
    more = await viewer.htmx("GET", f"/sincronizacoes/execucoes?antes={cursor}")
    assert more.status_code == 200 and "<html" not in more.text
    assert more.text.count("<tr>") == 5 and "Carregar mais" not in more.text
    bad = await viewer.page("/sincronizacoes/execucoes?antes=abc")
    assert bad.status_code == 422 and "<html" in bad.text
