"""The hub console's configuration screens in Chromium: a mapping edited, tested and rolled back; a
new mapping pair created and tested; a sync run from its page until it is done; an endpoint
created, edited and its secret rotated; axe-core on each screen at both widths."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from carinho.kit.ui.testing.browser import PHONE, assert_accessible

SYNC_TIMEOUT_MS = 30_000  # queued on the worker's low lane, then read from the sandbox


def _toast(page: Any, text: str) -> None:
    expect(page.locator("[data-toasts]").first.get_by_text(text)).to_be_visible()


def test_a_mapping_edited_tested_and_rolled_back(console: Any) -> None:
    page = console
    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Mapeamentos").click()
    page.get_by_role("row").filter(has_text="Mensagem automática de boas-vindas ao lead").get_by_role(
        "link"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("lead.created → zapi")
    active = page.get_by_role("region", name=re.compile("^Versão ativa"))
    expect(active).to_contain_text("v1")

    # test the active version on a sample
    page.get_by_label("Exemplo de payload (JSON)").fill('{"name": "Maria Souza", "phone": "5511912345678"}')
    page.get_by_role("button", name="Testar", exact=True).click()
    expect(page.get_by_label("Pedido que seria enviado")).to_contain_text("Olá, Maria! Aqui é a Carinho")
    assert_accessible(page, what="a mapping with a test result")

    # edit, test the edited spec, publish it
    page.get_by_label("Expressão (JMESPath)").fill(
        "phone && {phone: phone, message: concat('Oi, ', first_name(name), '! Já te chamamos.')} || null"
    )
    page.get_by_role("button", name="Testar", exact=True).click()
    expect(page.get_by_label("Pedido que seria enviado")).to_contain_text("Oi, Maria! Já te chamamos.")
    expect(page.get_by_text("(expressão editada)")).to_be_visible()
    page.get_by_label("Descrição da nova versão").fill("Boas-vindas curta")
    page.get_by_role("button", name="Publicar nova versão").click()
    _toast(page, "Versão 2 publicada e ativa.")
    expect(active).to_contain_text("v2")
    expect(page.get_by_label(re.compile("^Diferenças entre v1 e v2"))).to_contain_text(
        "Adicionada: message: concat('Oi, '"
    )

    # roll back to v1, confirmed in a dialog; the test box answers with v1 again
    page.get_by_role("button", name="Reverter para v1").click()
    dialog = page.get_by_role("dialog", name="Reverter para a versão 1")
    expect(dialog).to_be_visible()
    assert_accessible(page, what="the roll back dialog")
    dialog.get_by_role("button", name="Ativar versão 1").click()
    _toast(page, "Versão 1 ativa (reversão).")
    expect(active).to_contain_text("v1")
    page.get_by_label("Exemplo de payload (JSON)").fill('{"name": "Maria Souza", "phone": "5511912345678"}')
    page.get_by_role("button", name="Testar", exact=True).click()
    expect(page.get_by_label("Pedido que seria enviado")).to_contain_text("Olá, Maria! Aqui é a Carinho")
    expect(page.get_by_text("(versão ativa v1)")).to_be_visible()


def _new_pair_form(page: Any) -> Any:
    page.goto("/mapeamentos")
    form = page.locator("form", has=page.get_by_role("button", name="Criar mapeamento"))
    expect(form).to_be_hidden()  # behind its button while there are mappings to read
    opener = page.locator("summary", has_text="Novo mapeamento")
    opener.focus()
    page.keyboard.press("Enter")  # a disclosure: opens from the keyboard too
    expect(form).to_be_visible()
    return form


def test_a_new_mapping_pair_created_and_tested(console: Any) -> None:
    page = console
    form = _new_pair_form(page)
    form.get_by_label("Tipo de evento").select_option("payment.received")
    form.get_by_label("Sistema de destino").select_option("operacao")
    expect(form.get_by_label("Começar de")).to_have_value("")  # the starter expression
    form.get_by_label("Descrição").fill("Pagamentos à operação")
    assert_accessible(page, what="the new mapping form")
    form.get_by_role("button", name="Criar mapeamento").click()
    _toast(page, "Mapeamento criado: versão 1 ativa.")
    expect(page.get_by_role("heading", level=1)).to_have_text("payment.received → operacao")
    expect(page.get_by_role("region", name=re.compile("^Versão ativa"))).to_contain_text("v1")
    page.get_by_label("Exemplo de payload (JSON)").fill('{"amount": 100}')
    page.get_by_role("button", name="Testar", exact=True).click()
    expect(page.get_by_label("Pedido que seria enviado")).to_contain_text('"event_type": "payment.received"')

    # the same pair again is refused, in words
    form = _new_pair_form(page)
    form.get_by_label("Tipo de evento").select_option("payment.received")
    form.get_by_label("Sistema de destino").select_option("operacao")
    form.get_by_role("button", name="Criar mapeamento").click()
    _toast(page, "Já existe um mapeamento de payment.received para operacao")


def test_a_sync_run_from_its_page(console: Any) -> None:
    page = console
    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Sincronizações").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sincronizações")
    card = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name="Cuidadores → CRM: atualizações de cuidadores")
    )
    card.get_by_role("button", name="Executar agora").click()
    _toast(page, "na fila")
    history = page.get_by_role("table").filter(has_text="cuidadores_crm_caregivers")
    # the page refreshes itself while the run is queued or running, until it is done
    expect(history.get_by_role("row").nth(1)).to_contain_text("Concluída", timeout=SYNC_TIMEOUT_MS)
    expect(history.get_by_role("row").nth(1)).to_contain_text("manual")
    expect(card).to_contain_text("6 lidos")
    assert_accessible(page, what="the syncs after a run")


@pytest.mark.parametrize("width", ["desktop", "celular"])
@pytest.mark.parametrize(
    "path", ["/sincronizacoes", "/mapeamentos", "/mapeamentos/lead.created/crm", "/endpoints", "/chaves"]
)
def test_the_configuration_screens_are_accessible(console: Any, path: str, width: str) -> None:
    page = console
    if width == "celular":
        page.set_viewport_size(PHONE)
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page, what=f"{path} ({width})")
    # nothing wider than the screen: the top bar's links and wide tables scroll inside themselves
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_an_endpoint_created_with_its_secret_shown_once_and_a_key_created(console: Any) -> None:
    page = console
    page.goto("/endpoints")
    form = page.locator("details", has=page.locator("summary", has_text="Novo endpoint"))
    if form.get_attribute("open") is None:  # open by itself while there is no endpoint
        form.locator("summary").click()
    page.get_by_label("URL").fill("https://crm.exemplo.com.br/webhooks/carinho")
    page.get_by_label("Sistema de destino").first.fill("crm")
    page.get_by_label("Tipos de evento").fill("lead.created client.registered")
    page.get_by_role("button", name="Criar endpoint").click()
    _toast(page, "Endpoint criado.")
    expect(page.get_by_role("alert")).to_contain_text("whsec_")
    assert_accessible(page, what="an endpoint just created, its secret shown")
    page.get_by_role("link", name="https://crm.exemplo.com.br/webhooks/carinho").first.click()
    page.get_by_role("button", name="Editar", exact=True).click()
    editing = page.get_by_role("dialog", name=re.compile("^Editar o endpoint"))
    expect(editing.get_by_label("URL")).to_have_value("https://crm.exemplo.com.br/webhooks/carinho")
    assert_accessible(page, what="the edit endpoint dialog")
    editing.get_by_label("Tipos de evento").fill("lead.created")
    editing.get_by_label("Descrição").fill("Só leads")
    editing.get_by_role("button", name="Salvar alterações").click()
    _toast(page, "Endpoint atualizado.")
    expect(page.locator("#endpoint")).to_contain_text("Só leads")
    page.get_by_role("button", name="Trocar segredo").click()
    dialog = page.get_by_role("dialog", name="Trocar o segredo de assinatura")
    assert_accessible(page, what="the rotate secret dialog")
    dialog.get_by_role("button", name="Trocar segredo").click()
    _toast(page, "Segredo trocado.")
    expect(page.get_by_role("alert")).to_contain_text("O segredo anterior também assina até")

    page.goto("/chaves")
    page.get_by_label("Nome (quem vai usar)").fill("Planilha do financeiro")
    page.get_by_role("button", name="Criar chave").click()
    expect(page.get_by_role("alert")).to_contain_text("ck_")
    assert_accessible(page, what="an API key just created")
