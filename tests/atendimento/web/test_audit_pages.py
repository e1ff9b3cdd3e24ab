"""Auditoria: the global audit trail searched by agent, action, conversation and period, paged,
and exported as CSV with pt-BR headers."""

from __future__ import annotations

import csv
import io

from carinho.atendimento.agents.models import Role
from tests.atendimento.conftest import OPEN_INSTANT, freeze_at
from tests.atendimento.web.conftest import MakePerson


async def test_the_trail_filtered_by_agent_and_action_and_exported(make_person: MakePerson) -> None:
    freeze_at(OPEN_INSTANT)
    admin = await make_person(Role.admin)
    supervisor = await make_person(Role.supervisor)
    attendant = await make_person(Role.agent)
    await admin.form(f"/equipe/{attendant.agent_id}", {"level": "N2"})
    await supervisor.form(
        "/configuracoes/horario/datas", {"day": "2026-12-24", "kind": "closed", "description": "Véspera"}
    )

    everything = (await supervisor.page("/auditoria")).text
    assert "Nível do atendente alterado" in everything and "N1 → N2" in everything
    assert "Data especial cadastrada" in everything and "24/12/2026 · Véspera" in everything

    by_admin = (await supervisor.page(f"/auditoria?atendente={admin.agent_id}")).text
    assert "Pessoa 1" in by_admin and "Pessoa 2" not in by_admin.split("<tbody>")[1]

    by_action = (await supervisor.page("/auditoria?acao=auth.login")).text
    rows = by_action.split("<tbody>")[1]
    assert rows.count("<tr>") == 3  # the three logins, nothing else

    export = await supervisor.page("/auditoria.csv?acao=auth.login")
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    assert "attachment" in export.headers["content-disposition"]
    table = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert table[0] == ["Data e hora", "Quem", "Ação", "Código da ação", "Conversa", "Detalhe"]
    assert len(table) == 4 and {row[3] for row in table[1:]} == {"auth.login"}
    assert table[1][0].startswith("01/12/2026")


async def test_the_period_and_bad_filters(make_person: MakePerson) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_person(Role.supervisor)
    before = (await supervisor.page("/auditoria?ate=2026-11-30")).text
    assert "Nenhuma ação encontrada" in before
    today = (await supervisor.page("/auditoria?de=2026-12-01&ate=2026-12-01")).text
    assert "Nenhuma ação encontrada" not in today
    odd = await supervisor.page("/auditoria?de=ontem&atendente=x&acao=%27%3B--&conversa=-1&pagina=zz")
    assert odd.status_code == 200  # nonsense in the URL is ignored, not an error


async def test_pages_of_fifty(make_person: MakePerson) -> None:
    supervisor = await make_person(Role.supervisor)
    for _ in range(52):
        await supervisor.login()
    first = (await supervisor.page("/auditoria?acao=auth.login")).text
    assert first.split("<tbody>")[1].count("<tr>") == 50
    assert 'href="/auditoria?acao=auth.login&amp;pagina=2"' in first
    second = (await supervisor.page("/auditoria?acao=auth.login&pagina=2")).text
    assert second.split("<tbody>")[1].count("<tr>") == 3
    assert 'rel="next"' not in second and 'rel="prev"' in second


async def test_the_trail_sorted_by_a_column_header_and_kept_across_pages_and_export(
    make_person: MakePerson,
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_person(Role.supervisor)
    await supervisor.form(
        "/configuracoes/horario/datas", {"day": "2026-12-24", "kind": "closed", "description": "Véspera"}
    )
    newest_first = (await supervisor.page("/auditoria")).text
    assert 'aria-sort="descending"><a class="sort-link" href="/auditoria?ordem=quando"' in newest_first
    rows = newest_first.split("<tbody>")[1]
    assert rows.index("Data especial cadastrada") < rows.index("Login")

    by_action = (await supervisor.page("/auditoria?ordem=acao")).text
    assert 'aria-sort="ascending"><a class="sort-link" href="/auditoria?ordem=-acao"' in by_action
    rows = by_action.split("<tbody>")[1]
    assert rows.index("Login") < rows.index("Data especial cadastrada")  # auth.… before settings.…

    export = await supervisor.page("/auditoria.csv?ordem=acao")
    table = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    codes = [row[3] for row in table[1:]]
    assert codes == sorted(codes)
    assert 'href="/auditoria.csv?ordem=acao"' in by_action

    ignored = await supervisor.page("/auditoria?ordem=detalhe")  # not a sortable column
    assert ignored.status_code == 200 and 'aria-sort="descending"' in ignored.text
