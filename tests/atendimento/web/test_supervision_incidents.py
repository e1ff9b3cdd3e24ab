"""Ocorrências e emergências (supervisors): list with filters, detail with its timeline, acknowledge,
resolve, redeliver to operação, notes — the same services and refusals as the API."""

from __future__ import annotations

from sqlalchemy import select

from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.atendimento.incidents.models import Incident, IncidentCategory
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, freeze_at
from tests.atendimento.web.conftest import MakePerson
from tests.atendimento.web.panel_support import (
    act,
    n1_with_conversation,
    new_conversation,
    refusal,
    text_of,
    toast,
)

LIST = "/supervisao/ocorrencias"


async def _incident(rt: Runtime, **where: object) -> Incident:
    async with rt.db("atendimento").session() as session:
        stmt = select(Incident).filter_by(**where)
        return (await session.execute(stmt)).scalar_one()


async def test_the_list_filters_and_an_incident_is_resolved_with_its_timeline(
    seeded: Runtime, make_person: MakePerson
) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    async with seeded.db("atendimento").session() as session:
        other = (
            await session.execute(select(IncidentCategory).where(IncidentCategory.code == "outro"))
        ).scalar_one()
    await act(ana, conversation_id, "ocorrencias", {"categoria": str(other.id), "titulo": "Boleto duplicado"})
    incident = await _incident(seeded, title="Boleto duplicado")
    sup = await make_person(Role.supervisor, SupportLevel.n3)

    words = text_of((await sup.page(LIST)).text)
    assert "Boleto duplicado" in words and "Aberta" in words
    assert "Boleto duplicado" not in text_of((await sup.page(f"{LIST}?tipo=emergencias")).text)
    assert "Boleto duplicado" not in text_of((await sup.page(f"{LIST}?situacao=resolved")).text)
    # a bad filter value is ignored, not an error
    assert (await sup.page(f"{LIST}?gravidade=enorme&antes=x")).status_code == 200

    url = f"{LIST}/{incident.id}"
    detail = text_of((await sup.page(url)).text)
    assert f"#{incident.id}" in detail and "Ocorrência aberta" in detail
    assert "Iniciar atendimento" in detail

    skipped = await sup.htmx("POST", f"{url}/status", data={"status": "closed"})
    assert skipped.status_code == 409 and "Transição inválida: Aberta → Fechada" in refusal(skipped)
    started = await sup.htmx("POST", f"{url}/status", data={"status": "in_progress"})
    assert toast(started) == "Ocorrência em andamento: Boleto duplicado."
    empty = await sup.htmx("POST", f"{url}/status", data={"status": "resolved", "resolucao": " "})
    assert empty.status_code == 400 and refusal(empty) == "Informe a resolução para resolver a ocorrência."
    resolved = await sup.htmx(
        "POST", f"{url}/status", data={"status": "resolved", "resolucao": "Segundo boleto cancelado"}
    )
    assert resolved.status_code == 200, refusal(resolved)
    words = text_of(resolved.text)
    assert "Resolvida" in words and "Segundo boleto cancelado" in words
    assert "Status alterado : Em andamento → Resolvida" in words and "Reabrir" in words
    noted = await sup.htmx("POST", f"{url}/anotar", data={"nota": "Cliente avisada por telefone"})
    assert toast(noted) == "Anotação registrada." and "Cliente avisada por telefone" in noted.text
    assert (await _incident(seeded, id=incident.id)).status == "resolved"
    assert "Boleto duplicado" in text_of((await sup.page(f"{LIST}?situacao=resolved")).text)


async def test_an_emergency_is_acknowledged_and_redelivered_from_its_page(
    seeded: Runtime, make_person: MakePerson
) -> None:
    freeze_at(OPEN_INSTANT)
    sup = await make_person(Role.supervisor, SupportLevel.n3)
    await new_conversation(sup, "Socorro! Minha mãe desmaiou no banheiro")
    incident = await _incident(seeded, is_emergency=True)
    listed = text_of((await sup.page(f"{LIST}?tipo=emergencias")).text)
    assert "Emergência" in listed and "Não reconhecida" in listed

    url = f"{LIST}/{incident.id}"
    page = await sup.page(url)
    assert 'role="alert"' in page.text and "Reconhecer emergência" in page.text
    refused = await sup.htmx("POST", f"{url}/reenviar")
    assert refused.status_code == 409 and "Só um envio que falhou pode ser refeito" in refusal(refused)

    ack = await sup.htmx("POST", f"{url}/reconhecer")
    assert toast(ack) == "Emergência reconhecida: você está cuidando do caso."
    assert 'role="alert"' not in ack.text and "Emergência reconhecida ·" in text_of(ack.text)
    assert (await _incident(seeded, id=incident.id)).acknowledged_by_id == sup.agent_id

    # operação never answered: every attempt spent (what the delivery job records when it gives up)
    async with seeded.db("atendimento").session() as session:
        row = await session.get(Incident, incident.id)
        assert row is not None
        row.delivery_state, row.delivery_attempts, row.delivery_last_error = "failed", 5, "HTTP 503"
        await session.commit()
    page = await sup.page(url)
    assert "O envio à operação falhou" in text_of(page.text) and "Reenviar à operação" in page.text
    again = await sup.htmx("POST", f"{url}/reenviar")
    assert toast(again) == "Novo envio à operação solicitado."
    assert "Novo envio à operação solicitado" in text_of(again.text)
    assert (await _incident(seeded, id=incident.id)).delivery_state == "pending"


async def test_an_attendant_gets_the_403_page(make_person: MakePerson) -> None:
    ana = await make_person(Role.agent)
    for url in (LIST, f"{LIST}/1"):
        page = await ana.page(url)
        assert page.status_code == 403 and "Acesso negado" in page.text
    assert (await ana.htmx("POST", f"{LIST}/1/reconhecer")).status_code == 403
    sup = await make_person(Role.supervisor)
    missing = await sup.page(f"{LIST}/999999")
    assert missing.status_code == 404 and "Ocorrência 999999 não encontrada." in missing.text
