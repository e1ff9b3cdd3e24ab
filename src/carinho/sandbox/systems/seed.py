"""Fictitious but plausible data of a home-care company in São Paulo, loaded on the first start so
syncs have something to move. Every name, phone, CPF and address here is invented."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from carinho.kit import clock
from carinho.sandbox.systems.store import SeedBatch, Store

CLIENTS = [
    # name, phone, email, neighborhood, street
    (
        "Maria Aparecida dos Santos",
        "5511987650101",
        "maria.santos@exemplo.com.br",
        "Vila Mariana",
        "Rua Domingos de Morais",
    ),
    (
        "José Carlos Oliveira",
        "5511987650202",
        "jose.oliveira@exemplo.com.br",
        "Moema",
        "Alameda dos Maracatins",
    ),
    ("Ana Lúcia Ferreira", "5511987650303", "ana.ferreira@exemplo.com.br", "Tatuapé", "Rua Tuiuti"),
    (
        "Antônio Pereira Lima",
        "5511987650404",
        "antonio.lima@exemplo.com.br",
        "Santana",
        "Rua Voluntários da Pátria",
    ),
]
NEW_LEADS = [
    ("Francisca Rodrigues", "5511987651111", "site", "Pinheiros", "google", "cpc", "cuidador-idosos-sp"),
    ("Sebastião Alves", "5511987652222", "whatsapp", "Perdizes", None, None, None),
    ("Luzia Gomes Costa", "5511987653333", "site", "Butantã", "facebook", "social", "dia-dos-avos"),
]
CAREGIVERS = [
    (
        "Juliana Batista Souza",
        "5511976540001",
        ["idosos", "alzheimer", "mobilidade_reduzida"],
        ["Vila Mariana", "Moema", "Saúde"],
    ),
    ("Roberto Nascimento", "5511976540002", ["idosos", "pos_operatorio"], ["Tatuapé", "Mooca", "Penha"]),
    (
        "Cláudia Mendes Ribeiro",
        "5511976540003",
        ["idosos", "parkinson", "acompanhamento_hospitalar"],
        ["Santana", "Tucuruvi"],
    ),
    ("Patrícia Almeida", "5511976540004", ["idosos", "noturno"], ["Pinheiros", "Perdizes", "Lapa"]),
    ("Marcos Vinícius Rocha", "5511976540005", ["idosos", "mobilidade_reduzida"], ["Butantã", "Morumbi"]),
    ("Fernanda Carvalho", "5511976540006", ["idosos", "alzheimer"], ["Ipiranga", "Saúde"]),
]
SERVICE_TYPES = ["cuidador_diurno", "cuidador_noturno", "cuidador_24h", "acompanhante_hospitalar"]
AMOUNTS = [480000, 520000, 1150000, 360000]
CAMPAIGNS = [
    ("Google Ads - Cuidador de Idosos SP", "google_ads", "google", "cpc", "cuidador-idosos-sp", 1500000),
    ("Dia dos Avós 2026", "facebook", "facebook", "social", "dia-dos-avos", 600000),
    ("Instagram - Cuidado com Carinho", "instagram", "instagram", "social", "cuidado-com-carinho", 400000),
    ("Programa de Indicação", "indicacao", "indicacao", "referral", "indique-um-amigo", None),
]
WEEKDAY_SCHEDULES = [{"weekday": d, "start_time": "08:00", "end_time": "18:00"} for d in range(1, 6)]
NIGHT_SCHEDULES = [{"weekday": d, "start_time": "19:00", "end_time": "07:00"} for d in range(1, 8)]


async def seed(store: Store) -> None:
    if not await store.is_empty():
        return
    now = clock.utcnow()

    def days_ago(days: float) -> datetime:
        return now - timedelta(days=days)

    batch = SeedBatch()
    await _crm(batch, days_ago)
    await _operacao(batch, days_ago, now.date())
    await _financeiro(batch, days_ago, now.date())
    await _cuidadores(batch, days_ago)
    await _site(batch, days_ago)
    await _marketing(batch, days_ago, now.date())
    await store.insert_many(batch.rows)


async def _crm(store: SeedBatch, days_ago: Any) -> None:
    for index, (name, phone, email, neighborhood, street) in enumerate(CLIENTS):
        lead = await store.insert(
            "crm",
            "leads",
            {
                "name": name,
                "phone": phone,
                "email": email,
                "source": ["site", "whatsapp", "indicacao", "site"][index],
                "status": "convertido",
                "neighborhood": neighborhood,
                "city": "São Paulo",
            },
            key=phone,
            at=days_ago(60 - index * 5),
        )
        client = await store.insert(
            "crm",
            "clients",
            {
                "lead_id": lead["id"],
                "name": name,
                "phone": phone,
                "email": email,
                "cpf": f"000.{index + 1:03d}.{index + 101:03d}-0{index}",
                "status": "ativo",
                "address": {
                    "street": street,
                    "number": str(100 + index * 37),
                    "neighborhood": neighborhood,
                    "city": "São Paulo",
                    "state": "SP",
                    "zip": f"04{index + 1}00-000",
                },
            },
            at=days_ago(50 - index * 5),
        )
        await store.insert(
            "crm",
            "contracts",
            {
                "client_id": client["id"],
                "status": "ativo",
                "service_type": SERVICE_TYPES[index],
                "start_date": (days_ago(45 - index * 5)).date().isoformat(),
                "end_date": None,
                "monthly_amount_cents": AMOUNTS[index],
                "billing_day": [5, 10, 15, 20][index],
                "payment_method": ["boleto", "pix", "cartao", "pix"][index],
                "caregiver_id": index + 1,
                "schedules": NIGHT_SCHEDULES
                if SERVICE_TYPES[index] == "cuidador_noturno"
                else WEEKDAY_SCHEDULES,
            },
            at=days_ago(40 - index * 5),
        )
    for index, (name, phone, source, neighborhood, utm_source, utm_medium, utm_campaign) in enumerate(
        NEW_LEADS
    ):
        await store.insert(
            "crm",
            "leads",
            {
                "name": name,
                "phone": phone,
                "email": None,
                "source": source,
                "status": ["novo", "em_atendimento", "qualificado"][index],
                "utm_source": utm_source,
                "utm_medium": utm_medium,
                "utm_campaign": utm_campaign,
                "neighborhood": neighborhood,
                "city": "São Paulo",
            },
            key=phone,
            at=days_ago(3 - index),
        )


async def _operacao(store: SeedBatch, days_ago: Any, today: date) -> None:
    for offset in range(8):
        contract = offset % 4 + 1
        service_day = today - timedelta(days=8 - offset)
        done = offset < 6
        start = datetime.combine(service_day, datetime.min.time()).replace(hour=11, tzinfo=days_ago(0).tzinfo)
        await store.insert(
            "operacao",
            "services",
            {
                "crm_contract_id": contract,
                "crm_client_id": contract,
                "caregiver_id": contract,
                "service_date": service_day.isoformat(),
                "started_at": start.isoformat() if done else None,
                "finished_at": (start + timedelta(hours=10)).isoformat() if done else None,
                "hours": 10.0 if done else 0,
                "status": "concluido" if done else "agendado",
                "billable_amount_cents": 24000 if done else 0,
                "notes": "Plantão realizado sem intercorrências." if done else None,
            },
            at=days_ago(8 - offset - 0.4),
        )


async def _financeiro(store: SeedBatch, days_ago: Any, today: date) -> None:
    for index in range(4):
        paid = index < 3
        invoice = await store.insert(
            "financeiro",
            "invoices",
            {
                "crm_client_id": index + 1,
                "amount_cents": AMOUNTS[index],
                "due_date": (today.replace(day=1) + timedelta(days=[4, 9, 14, 19][index])).isoformat(),
                "status": "paga" if paid else "aberta",
                "paid_at": days_ago(10 - index).isoformat() if paid else None,
            },
            at=days_ago(20 - index),
        )
        if paid:
            await store.insert(
                "financeiro",
                "payments",
                {
                    "invoice_id": invoice["id"],
                    "crm_client_id": index + 1,
                    "amount_cents": AMOUNTS[index],
                    "method": ["boleto", "pix", "cartao"][index],
                    "status": "confirmado",
                    "paid_at": days_ago(10 - index).isoformat(),
                },
                at=days_ago(10 - index),
            )
    period_end = today.replace(day=1) - timedelta(days=1)
    for index in range(3):
        await store.insert(
            "financeiro",
            "payouts",
            {
                "caregiver_id": index + 1,
                "amount_cents": [320000, 290000, 410000][index],
                "period_start": period_end.replace(day=1).isoformat(),
                "period_end": period_end.isoformat(),
                "status": "pago" if index < 2 else "agendado",
                "paid_at": days_ago(5).isoformat() if index < 2 else None,
            },
            at=days_ago(5 - index),
        )


async def _cuidadores(store: SeedBatch, days_ago: Any) -> None:
    for index, (name, phone, skills, neighborhoods) in enumerate(CAREGIVERS):
        await store.insert(
            "cuidadores",
            "caregivers",
            {
                "name": name,
                "phone": phone,
                "email": name.split()[0].lower() + "@cuidadores.exemplo.com.br",
                "status": "ferias" if index == 4 else "ativo",
                "skills": skills,
                "neighborhoods": neighborhoods,
                "city": "São Paulo",
                "rating_avg": [9.4, 8.8, 9.7, 9.1, 8.5, 9.0][index],
                "services_count": [132, 87, 210, 64, 45, 98][index],
            },
            at=days_ago(30 - index * 4),
        )


async def _site(store: SeedBatch, days_ago: Any) -> None:
    for index, (name, phone, source, neighborhood, utm_source, utm_medium, utm_campaign) in enumerate(
        NEW_LEADS
    ):
        if source != "site":
            continue
        await store.insert(
            "site",
            "leads",
            {
                "name": name,
                "phone": phone,
                "email": None,
                "page_url": "https://carinho.com.vc/cuidador-de-idosos",
                "form": {"bairro": neighborhood, "para_quem": "mãe", "periodo": "diurno"},
                "utm_source": utm_source,
                "utm_medium": utm_medium,
                "utm_campaign": utm_campaign,
                "crm_lead_id": 5 + index,
                "status": "registrado_crm",
            },
            at=days_ago(3 - index),
        )


async def _marketing(store: SeedBatch, days_ago: Any, today: date) -> None:
    for index, (name, channel, source, medium, campaign, budget) in enumerate(CAMPAIGNS):
        await store.insert(
            "marketing",
            "campaigns",
            {
                "name": name,
                "channel": channel,
                "utm_source": source,
                "utm_medium": medium,
                "utm_campaign": campaign,
                "status": "ativa",
                "starts_on": (today - timedelta(days=30 + index * 10)).isoformat(),
                "ends_on": (today + timedelta(days=60)).isoformat() if budget else None,
                "budget_cents": budget,
            },
            at=days_ago(30 + index),
        )
