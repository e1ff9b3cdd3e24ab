"""Defaults a new installation needs, created idempotently (what exists is never overwritten):
message templates, automatic-message rules, loss reasons, labels, the lead triage checklist, the
weekly schedule and the holiday calendar. Called by `carinho seed` and on every start.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.automations.models import AutoMessageRule
from carinho.atendimento.automations.repository import AutomationRepository
from carinho.atendimento.automations.service import RuleKind
from carinho.atendimento.escalation.seed import seed_escalation
from carinho.atendimento.funnel.models import LossReason
from carinho.atendimento.funnel.repository import FunnelRepository
from carinho.atendimento.incidents.seed import seed_incidents
from carinho.atendimento.labels.models import Label
from carinho.atendimento.labels.repository import LabelRepository
from carinho.atendimento.retention.service import seed_retention
from carinho.atendimento.satisfaction.seed import seed_satisfaction
from carinho.atendimento.sla.seed import seed_sla
from carinho.atendimento.templates.models import MessageTemplate
from carinho.atendimento.templates.repository import TemplateRepository
from carinho.atendimento.triage.models import QuestionType
from carinho.atendimento.triage.repository import TriageRepository
from carinho.atendimento.triage.service import LEAD_CHECKLIST, QuestionSpec, triage_service
from carinho.atendimento.working_hours.models import CalendarSettings, WeeklyInterval
from carinho.atendimento.working_hours.repository import WorkingHoursRepository
from carinho.atendimento.working_hours.service import working_hours_service

TEMPLATES: list[tuple[str, str, str, str]] = [
    (
        "welcome",
        "Boas-vindas",
        "boas_vindas",
        "Olá, {{primeiro_nome}}! Aqui é da {{empresa}}. Obrigado pelo contato 💙 "
        "Em instantes um de nossos atendentes vai falar com você.",
    ),
    (
        "out_of_hours",
        "Fora do horário",
        "fora_do_horario",
        "Olá, {{primeiro_nome}}! No momento estamos fora do horário de atendimento. "
        "Voltamos a atender {{proxima_abertura}} e responderemos sua mensagem assim que possível. "
        "Em caso de emergência de saúde, ligue 192 (SAMU).",
    ),
    (
        "queue_notice",
        "Você está na fila",
        "fila",
        "{{primeiro_nome}}, você está na fila de atendimento e logo será atendido(a). "
        "Agradecemos a paciência!",
    ),
    (
        "follow_up",
        "Acompanhamento",
        "follow_up",
        "Olá, {{primeiro_nome}}! Ficou alguma dúvida sobre o atendimento da {{empresa}}? "
        "Estamos à disposição para ajudar.",
    ),
    (
        "closing",
        "Encerramento",
        "encerramento",
        "Obrigado pelo contato, {{primeiro_nome}}! Seu atendimento (protocolo {{protocolo}}) foi "
        "encerrado. Se precisar, é só mandar uma nova mensagem.",
    ),
    (
        "proposal",
        "Envio de proposta",
        "proposta",
        "{{primeiro_nome}}, enviamos a proposta de atendimento para o seu e-mail. "
        "Qualquer dúvida, fale com {{nome_atendente}} por aqui.",
    ),
    (
        "greeting_agent",
        "Apresentação do atendente",
        "geral",
        "Olá, {{primeiro_nome}}! Meu nome é {{nome_atendente}} e vou continuar seu atendimento.",
    ),
]

RULES: list[tuple[RuleKind, str | None, int | None, bool]] = [
    (RuleKind.welcome, "welcome", None, True),
    (RuleKind.out_of_hours, "out_of_hours", None, True),
    (RuleKind.queue_notice, "queue_notice", 10, True),
    (RuleKind.follow_up, "follow_up", 24 * 60, True),
    (RuleKind.closing, "closing", None, True),
    (RuleKind.round_robin, None, None, True),
]

LOSS_REASONS = [
    ("preco", "Preço"),
    ("fora_area", "Fora da área de atendimento"),
    ("concorrente", "Contratou concorrente"),
    ("sem_resposta", "Sem resposta do cliente"),
    ("desistiu", "Desistiu do serviço"),
    ("perfil_incompativel", "Necessidade fora do perfil de cuidador"),
    ("outro", "Outro"),
]

LABELS = [
    ("Urgente", "#DC2626"),
    ("Novo cliente", "#2563EB"),
    ("Cliente ativo", "#16A34A"),
    ("Financeiro", "#D97706"),
    ("Reclamação", "#7C3AED"),
]

LEAD_QUESTIONS = [
    QuestionSpec(
        "quem_precisa",
        "Quem precisa do cuidado?",
        QuestionType.single_choice,
        options=("Pai ou mãe", "Avô ou avó", "Cônjuge", "Outro familiar", "A própria pessoa", "Outro"),
    ),
    QuestionSpec("idade", "Qual a idade da pessoa que receberá o cuidado?", QuestionType.number),
    QuestionSpec(
        "condicao",
        "Qual a condição de saúde ou necessidade principal?",
        QuestionType.multiple_choice,
        options=(
            "Mobilidade reduzida",
            "Alzheimer ou demência",
            "Pós-operatório",
            "Acamado",
            "Sequela de AVC",
            "Diabetes ou hipertensão",
            "Companhia e supervisão",
            "Outra",
        ),
    ),
    QuestionSpec(
        "detalhes_saude", "Detalhes da condição e cuidados necessários", QuestionType.text, required=False
    ),
    QuestionSpec("cidade_bairro", "Cidade e bairro do atendimento", QuestionType.text),
    QuestionSpec(
        "atende_area",
        "O endereço está dentro da nossa área de atendimento?",
        QuestionType.yes_no,
        disqualifying=(False,),
    ),
    QuestionSpec(
        "turno",
        "Turno desejado",
        QuestionType.single_choice,
        options=("Diurno (12h)", "Noturno (12h)", "24 horas", "Meio período", "Fins de semana", "A definir"),
    ),
    QuestionSpec("horas_por_dia", "Quantas horas por dia?", QuestionType.number, required=False),
    QuestionSpec("data_inicio", "Data desejada para início", QuestionType.date),
    QuestionSpec("orcamento", "Orçamento mensal aproximado (R$)", QuestionType.number, required=False),
    QuestionSpec("decisor", "Quem decide a contratação?", QuestionType.text, required=False),
]

# Monday to Friday 08:00-12:00 and 13:00-18:00, Saturday 08:00-12:00 (minutes since midnight).
WEEKLY = (
    [(day, 8 * 60, 12 * 60) for day in range(5)]
    + [(day, 13 * 60, 18 * 60) for day in range(5)]
    + [(5, 8 * 60, 12 * 60)]
)


async def seed_defaults(session: AsyncSession) -> list[str]:
    """Create what is missing; returns what was created (for the start-up message)."""
    created: list[str] = []
    templates: dict[str, MessageTemplate] = {}
    template_repo = TemplateRepository(session)
    for key, name, category, body in TEMPLATES:
        existing = await template_repo.by_key(key)
        if existing is None:
            if await template_repo.by_name(name) is not None:
                continue
            existing = MessageTemplate(key=key, name=name, category=category, body=body, active=True)
            session.add(existing)
            created.append(f"template:{key}")
        templates[key] = existing
    await session.flush()
    for kind, template_key, delay, enabled in RULES:
        if await AutomationRepository(session).rule(kind.value) is None:
            template = templates.get(template_key) if template_key else None
            session.add(
                AutoMessageRule(
                    kind=kind.value,
                    enabled=enabled,
                    template_id=template.id if template else None,
                    delay_minutes=delay,
                )
            )
            created.append(f"rule:{kind.value}")
    if await FunnelRepository(session).count_of(LossReason) == 0:
        for position, (code, label) in enumerate(LOSS_REASONS, start=1):
            session.add(LossReason(code=code, label=label, active=True, position=position))
        created.append("loss_reasons")
    if await LabelRepository(session).count() == 0:
        for name, color in LABELS:
            session.add(Label(name=name, color=color, description=""))
        created.append("labels")
    working_hours_repo = WorkingHoursRepository(session)
    if await working_hours_repo.count_of(WeeklyInterval) == 0:
        for weekday, start, end in WEEKLY:
            session.add(WeeklyInterval(weekday=weekday, start_minute=start, end_minute=end))
        created.append("weekly_schedule")
    if await working_hours_repo.count_of(CalendarSettings) == 0:
        session.add(
            CalendarSettings(timezone="America/Sao_Paulo", state="SP", city=None, optional_holidays=[])
        )
        created.append("calendar")
    await session.flush()
    if not await TriageRepository(session).has_checklist(LEAD_CHECKLIST):
        await triage_service.create_version(
            session,
            key=LEAD_CHECKLIST,
            title="Qualificação de lead de cuidador domiciliar",
            questions=LEAD_QUESTIONS,
            created_by_id=None,
        )
        created.append("triage_checklist")
    created += await seed_escalation(session)
    created += await seed_satisfaction(session)
    created += await seed_sla(session)
    created += await seed_incidents(session)
    created += await seed_retention(session)
    if created:
        working_hours_service.invalidate()
    return created
