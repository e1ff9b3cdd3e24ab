"""Configurações › Retenção de dados: how long each class of personal data is kept (said in plain
words), the legal exceptions of a data subject's erasure, the last anonymisation runs and "Executar
agora" — the same service, schemas and role as /api/privacy/retention and /retention/runs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from carinho.atendimento.agents.auth import SessionSupervisor
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.retention.models import DataClass, RetentionRun, RunStatus
from carinho.atendimento.retention.schemas import ExceptionsIn, RetentionIn
from carinho.atendimento.retention.service import retention_service
from carinho.atendimento.web.form_input import validated
from carinho.atendimento.web.read_once import all_agents
from carinho.atendimento.web.settings_nav import SETTINGS_URL, render_tab
from carinho.errors import CarinhoError

router = APIRouter(include_in_schema=False)

RETENTION_URL = f"{SETTINGS_URL}/retencao"
RUNS_SHOWN = 10
# (short name, what happens after the period — "{n}" is the period in words).
CLASSES: dict[DataClass, tuple[str, str]] = {
    DataClass.message_text: (
        "Texto das conversas",
        "O texto de mensagens, notas, triagens e observações de conversas encerradas é substituído "
        "por “removido pela política de retenção” {n} depois de escrito.",
    ),
    DataClass.attachments: (
        "Anexos",
        "Links de mídia, nomes de arquivo e legendas de conversas encerradas são apagados "
        "{n} depois do envio.",
    ),
    DataClass.contact_data: (
        "Dados do contato",
        "Nome, telefone e e-mail de quem passou {n} sem escrever e sem conversa em andamento "
        "são trocados por um pseudônimo.",
    ),
    DataClass.audit_trail: (
        "Histórico de ações",
        "Valores pessoais no histórico de ações (nomes, telefones, trechos de mensagem) são mascarados "
        "{n} depois do registro; os de conversas em andamento, quando elas terminarem.",
    ),
}
FOREVER = "Guardado para sempre (prazo 0): nada desta classe é anonimizado pela rotina diária."
EXCEPTIONS = [
    ("keep_active_conversations", "Manter as conversas ainda em andamento"),
    ("keep_open_incidents", "Manter as conversas ligadas a uma ocorrência aberta"),
    ("keep_contracts", "Manter as conversas que fecharam contrato, dentro do prazo legal de guarda"),
]
EXCEPTION_MESSAGES = {
    "contract_retention_months": "Prazo de guarda de contratos: de 1 a 1.200 meses.",
    "export_ttl_days": "Dias para baixar uma exportação: de 1 a 90.",
}
TRIGGERS = {"schedule": "Rotina diária", "manual": "Manual"}


def months_text(months: int) -> str:
    years, rest = divmod(months, 12)
    if rest == 0 and years:
        return "1 ano" if years == 1 else f"{years} anos"
    return "1 mês" if months == 1 else f"{months} meses"


def explain(data_class: DataClass, months: int | None) -> str:
    return CLASSES[data_class][1].format(n=months_text(months)) if months else FOREVER


def _blank_none(value: Any) -> str | None:
    text = str(value or "").strip()[:12]
    return text or None


async def _render(
    request: Request,
    session: SessionDep,
    *,
    form: dict[str, Any] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    config = await retention_service.config(session)
    agents = {agent.id: agent.name for agent in await all_agents(session)}
    rows = _rows(await retention_service.runs(session, RUNS_SHOWN, 0), agents)
    return render_tab(
        request,
        "atendimento/settings/retention.html",
        RETENTION_URL,
        status_code=status_code,
        policies=[
            (c, CLASSES[c][0], config.months.get(c), explain(c, config.months.get(c))) for c in DataClass
        ],
        settings=config.settings,
        exceptions=EXCEPTIONS,
        form=form or {},
        error=error,
        runs=rows,
        started=next(
            (row for row in rows if str(row["run"].id) == request.query_params.get("executando")), None
        ),
    )


def _rows(runs: Sequence[RetentionRun], agents: dict[int, str]) -> list[dict[str, Any]]:
    return [
        {
            "run": run,
            "running": run.status == RunStatus.running.value,
            "trigger": TRIGGERS.get(run.trigger, run.trigger),
            "by": agents.get(run.requested_by_id) if run.requested_by_id else None,
            "total": sum(int(n) for n in run.counts.values()),
            "counts": [(CLASSES[c][0], int(run.counts.get(c.value, 0))) for c in DataClass],
        }
        for run in runs
    ]


@router.get(RETENTION_URL)
async def retention_page(request: Request, supervisor: SessionSupervisor, session: SessionDep) -> Response:
    return await _render(request, session)


@router.post(RETENTION_URL)
async def save_retention(request: Request, supervisor: SessionSupervisor, session: SessionDep) -> Response:
    form = await request.form()
    months = {c: _blank_none(form.get(f"meses-{c.value}")) for c in DataClass}
    exceptions: dict[str, Any] = {
        field: _blank_none(form.get(field)) for field in ("contract_retention_months", "export_ttl_days")
    }
    exceptions.update({field: form.get(field) == "sim" for field, _ in EXCEPTIONS})
    typed = {**{f"meses-{c.value}": v or "" for c, v in months.items()}, **exceptions}
    try:
        for data_class, value in months.items():
            # One class at a time, so the message names the period that was refused.
            validated(
                RetentionIn,
                {"policies": f"{CLASSES[data_class][0]}: de 0 a 1.200 meses (0 = guardar para sempre)."},
                policies={data_class: value},
            )
        body = validated(
            RetentionIn,
            {},
            policies=months,
            exceptions=validated(ExceptionsIn, EXCEPTION_MESSAGES, **exceptions),
        )
        await retention_service.update(
            session,
            supervisor,
            months=body.policies,
            exceptions=body.exceptions.model_dump(exclude_none=True) if body.exceptions else None,
        )
    except CarinhoError as exc:
        return await _render(request, session, form=typed, error=exc.message, status_code=422)
    return RedirectResponse(f"{RETENTION_URL}?salvo=1", status_code=303)


@router.post(f"{RETENTION_URL}/executar")
async def run_now(supervisor: SessionSupervisor, session: SessionDep) -> Response:
    """As POST /api/privacy/retention/runs: a new run, or the one in progress resumed."""
    run = await retention_service.start_run(session, trigger="manual", requested_by=supervisor)
    await retention_service.schedule_step(session, run)
    return RedirectResponse(f"{RETENTION_URL}?executando={run.id}#execucoes", status_code=303)
