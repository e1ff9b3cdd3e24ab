"""Equipe: supervisors see every agent's status, level and load; an administrator creates agents
(the password shown once), changes role, level and capacity, deactivates, resets a password."""

from __future__ import annotations

import re
from html import unescape

from carinho.atendimento.agents.models import Agent, Role, SupportLevel
from carinho.runtime import Runtime
from tests.atendimento.web.conftest import MakePerson, Person


def secret_of(html: str) -> str:
    match = re.search(r"<code class=\"secret\" data-secret>([^<]+)</code>", html)
    assert match, html[:2000]
    return match.group(1)


def row_of(html: str, agent_id: int) -> str:
    match = re.search(rf'<tr id="atendente-{agent_id}".*?</tr>', html, re.S)
    assert match, f"agent {agent_id} not listed"
    return match.group(0)


async def test_a_supervisor_sees_the_team_with_level_and_load_but_no_admin_actions(
    make_person: MakePerson,
) -> None:
    attendant = await make_person(Role.agent, SupportLevel.n2)
    supervisor = await make_person(Role.supervisor)
    page = await supervisor.page("/equipe")
    assert page.status_code == 200
    row = row_of(page.text, attendant.agent_id)
    assert "N2" in row and "0 de 10" in row and "Online" in row  # she logged in a moment ago
    assert "Redefinir senha" not in page.text and "Novo atendente" not in page.text
    assert 'href="/equipe"' in page.text  # in the supervisor's menu


async def test_the_team_sorted_by_a_column_header(make_person: MakePerson) -> None:
    n2 = await make_person(Role.agent, SupportLevel.n2)
    supervisor = await make_person(Role.supervisor)
    by_name = (await supervisor.page("/equipe")).text
    assert 'aria-sort="ascending"><a class="sort-link" href="/equipe?ordem=-nome"' in by_name
    by_level = (await supervisor.page("/equipe?ordem=-nivel")).text
    assert 'aria-sort="descending"><a class="sort-link" href="/equipe?ordem=nivel"' in by_level
    body = by_level.split("<tbody>")[1]
    assert body.index(f'id="atendente-{n2.agent_id}"') < body.index(f'id="atendente-{supervisor.agent_id}"')
    ascending = (await supervisor.page("/equipe?ordem=nivel")).text.split("<tbody>")[1]
    assert ascending.index(f'id="atendente-{supervisor.agent_id}"') < ascending.index(
        f'id="atendente-{n2.agent_id}"'
    )


async def test_an_administrator_creates_an_agent_who_logs_in_with_the_password_shown_once(
    make_person: MakePerson,
) -> None:
    admin = await make_person(Role.admin)
    answer = await admin.form(
        "/equipe/novo",
        {
            "name": "Joana Prado",
            "email": "joana@carinho.test",
            "role": "agent",
            "level": "N2",
            "capacity": "6",
        },
    )
    assert answer.status_code == 200
    password = secret_of(answer.text)
    assert "não será mostrada de novo" in answer.text
    again = await admin.page("/equipe")
    assert "Joana Prado" in again.text and password not in again.text

    joana = Person(
        admin.client.__class__(transport=admin.client._transport, base_url=admin.client.base_url),
        0,
        "joana@carinho.test",
        password,
    )
    await joana.login()
    assert (await joana.page("/conversas")).status_code == 200


async def test_a_duplicate_e_mail_gives_the_form_back_with_a_pt_br_message(make_person: MakePerson) -> None:
    admin = await make_person(Role.admin)
    taken = await make_person(Role.agent)
    answer = await admin.form("/equipe/novo", {"name": "Outra", "email": taken.email, "capacity": "5"})
    assert answer.status_code == 422
    assert "Já existe um atendente com o e-mail" in answer.text
    assert 'value="Outra"' in answer.text


async def test_an_administrator_changes_level_and_capacity_deactivates_and_resets_a_password(
    make_person: MakePerson, seeded: Runtime
) -> None:
    admin = await make_person(Role.admin)
    attendant = await make_person(Role.agent)
    moved = await admin.form(
        f"/equipe/{attendant.agent_id}", {"role": "supervisor", "level": "N3", "capacity": "4"}
    )
    assert moved.status_code == 303
    row = row_of((await admin.page("/equipe")).text, attendant.agent_id)
    assert "Supervisor" in row and "N3" in row and "0 de 4" in row

    reset = await admin.form(f"/equipe/{attendant.agent_id}/senha", {})
    new_password = secret_of(reset.text)
    assert (await attendant.page("/conversas")).status_code in (302, 303, 401)  # the old session ended
    attendant.password = new_password
    await attendant.login()

    off = await admin.form(f"/equipe/{attendant.agent_id}", {"active": "nao"})
    assert off.status_code == 303
    assert "Desativado" in row_of((await admin.page("/equipe")).text, attendant.agent_id)
    async with seeded.db("atendimento").session() as session:
        agent = await session.get(Agent, attendant.agent_id)
        assert agent is not None and agent.active is False and agent.level == "N3" and agent.capacity == 4


async def test_an_administrator_cannot_deactivate_themselves(make_person: MakePerson) -> None:
    admin = await make_person(Role.admin)
    # The only administrator: the team page says why, in place.
    answer = await admin.form(f"/equipe/{admin.agent_id}", {"active": "nao"})
    assert answer.status_code == 409
    page = unescape(answer.text)
    assert "É preciso manter pelo menos um administrador ativo" in page
    assert 'role="alert"' in page and "Conversas ativas" in page  # the team page, not an error page
    # With another administrator, still not one's own account.
    await make_person(Role.admin)
    answer = await admin.form(f"/equipe/{admin.agent_id}", {"active": "nao"})
    assert answer.status_code == 400
    assert "própria conta" in unescape(answer.text)
    assert (await admin.page("/equipe")).status_code == 200


async def test_bad_input_is_a_pt_br_page_not_a_stack_trace(make_person: MakePerson) -> None:
    admin = await make_person(Role.admin)
    attendant = await make_person(Role.agent)
    answer = await admin.form(f"/equipe/{attendant.agent_id}", {"capacity": "dez"})
    assert answer.status_code == 400 and "capacidade" in answer.text
    missing = await admin.form("/equipe/999999/senha", {})
    assert missing.status_code == 404
