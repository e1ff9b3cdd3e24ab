"""Login, logout, password change and the error pages, as a browser sees them (no JS needed)."""

from __future__ import annotations

from datetime import timedelta

from carinho.atendimento.agents.models import Role
from carinho.kit import clock
from tests.atendimento.web.conftest import MakePerson


async def test_login_page_then_inbox(make_person: MakePerson) -> None:
    person = await make_person(login=False)
    page = await person.page("/conversas")
    assert page.status_code == 303
    assert page.headers["location"].startswith("/entrar?proxima=%2Fconversas")
    login = await person.page(page.headers["location"])
    assert login.status_code == 200
    assert 'lang="pt-BR"' in login.text and "<label" in login.text and "Senha" in login.text
    response = await person.login()
    assert response.headers["location"] == "/conversas"
    inbox = await person.page("/conversas")
    assert inbox.status_code == 200
    assert "Conversas" in inbox.text and person.csrf in inbox.text


async def test_wrong_password_says_so_in_portuguese(make_person: MakePerson) -> None:
    person = await make_person(login=False)
    response = await person.client.post("/entrar", data={"email": person.email, "password": "errada"})
    assert response.status_code == 401
    assert "E-mail ou senha inválidos." in response.text
    assert "carinho_atendimento_session" not in response.headers.get("set-cookie", "")


async def test_next_is_never_another_site(make_person: MakePerson) -> None:
    person = await make_person(login=False)
    for target in ("https://evil.example/x", "//evil.example", "javascript:alert(1)"):
        response = await person.client.post(
            "/entrar", data={"email": person.email, "password": person.password, "next": target}
        )
        assert response.headers["location"] == "/conversas"


async def test_expired_session_goes_to_login_with_a_message(make_person: MakePerson) -> None:
    person = await make_person()
    clock.advance(timedelta(hours=13))
    page = await person.page("/conversas")
    assert page.status_code == 303
    assert "expirada=1" in page.headers["location"]
    login = await person.page(page.headers["location"])
    assert "Sua sessão expirou" in login.text
    # htmx asks for a piece of a page: it is told to go to the login page instead of a broken swap
    piece = await person.htmx("GET", "/conversas")
    assert piece.headers.get("hx-redirect", "").startswith("/entrar?")


async def test_forms_need_the_csrf_token(make_person: MakePerson) -> None:
    person = await make_person()
    refused = await person.client.post("/sair", data={}, headers={"accept": "text/html"})
    assert refused.status_code == 403
    assert "CSRF" in refused.text and "<html" in refused.text
    out = await person.form("/sair", {})
    assert out.status_code == 303 and out.headers["location"] == "/entrar?saiu=1"
    # logging out ends the session everywhere
    assert (await person.page("/conversas")).status_code == 303


async def test_change_password(make_person: MakePerson) -> None:
    person = await make_person()
    mismatch = await person.form(
        "/conta/senha",
        {"current_password": person.password, "new_password": "nova-senha-123", "confirm_password": "x"},
    )
    assert mismatch.status_code == 422 and "não confere" in mismatch.text
    wrong = await person.form(
        "/conta/senha",
        {
            "current_password": "errada",
            "new_password": "nova-senha-123",
            "confirm_password": "nova-senha-123",
        },
    )
    assert wrong.status_code == 422 and "A senha atual não confere." in wrong.text
    done = await person.form(
        "/conta/senha",
        {
            "current_password": person.password,
            "new_password": "nova-senha-123",
            "confirm_password": "nova-senha-123",
        },
    )
    assert done.status_code == 303
    # this browser keeps working with its new session
    assert "Senha alterada" in (await person.page(done.headers["location"])).text
    person.password = "nova-senha-123"
    other = await make_person(login=False)
    other.email, other.password = person.email, person.password
    await other.login()


async def test_error_pages_are_pages(make_person: MakePerson) -> None:
    person = await make_person(Role.agent)
    missing = await person.page("/nao-existe")
    assert missing.status_code == 404
    assert "Página não encontrada" in missing.text and "<html" in missing.text
    assert "stack" not in missing.text.lower()


async def test_static_assets_are_served_from_packages(make_person: MakePerson) -> None:
    person = await make_person()
    page = (await person.page("/conversas")).text
    for asset in ("/static/ui/carinho.css", "/static/ui/carinho.js", "/static/vendor/htmx.min.js"):
        assert asset in page
        url = page[page.index(asset) :].split('"', 1)[0]
        response = await person.client.get(url, headers={"accept-encoding": "gzip"})
        assert response.status_code == 200 and len(response.content) > 1000
        # compressed on the way (httpx decompresses .content): a first load's bytes are mostly these
        assert response.headers["content-encoding"] == "gzip"
        assert response.num_bytes_downloaded < len(response.content) / 2
