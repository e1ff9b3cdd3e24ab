"""Ocorrências as a table: columns sorted on the server (`?ordem=`, aria-sort on the header), pages
with their count, the same list as a CSV with pt-BR headers, and the rows alone for the live feed."""

from __future__ import annotations

import csv
import io
import re

from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.atendimento.web.supervision_incidents import CSV_HEADER, PAGE_SIZE
from tests.atendimento.conftest import OPEN_INSTANT, freeze_at
from tests.atendimento.web.conftest import MakePerson, Person
from tests.atendimento.web.panel_support import api, text_of

LIST = "/supervisao/ocorrencias"


async def _open(sup: Person, title: str, severity: str) -> int:
    body = {"category_code": "reclamacao", "title": title, "severity": severity}
    response = await api(sup, "POST", "/api/incidents", body)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _titles(html: str, among: list[str]) -> list[str]:
    """The titles of `among` in the order the table shows them."""
    found = [(html.find(f">{t}</a>"), t) for t in among]
    return [t for at, t in sorted(found) if at >= 0]


def _header(html: str, label: str) -> str:
    match = re.search(rf'<th scope="col"[^>]*>\s*<a[^>]*>{label}<', html)
    assert match, label
    return match.group(0)


async def test_the_columns_sort_on_the_server_and_say_so(make_person: MakePerson) -> None:
    freeze_at(OPEN_INSTANT)
    sup = await make_person(Role.supervisor, SupportLevel.n3)
    titles = ["Boleto duplicado", "Atraso da cuidadora", "Queda no banho"]
    for title, severity in zip(titles, ["high", "low", "critical"], strict=True):
        await _open(sup, title, severity)

    newest_first = (await sup.page(LIST)).text
    assert _titles(newest_first, titles) == ["Queda no banho", "Atraso da cuidadora", "Boleto duplicado"]
    assert 'aria-sort="descending"' in _header(newest_first, "Aberta")
    assert 'aria-sort="none"' in _header(newest_first, "Gravidade")
    assert 'href="/supervisao/ocorrencias?ordem=gravidade"' in _header(newest_first, "Gravidade")

    by_severity = (await sup.page(f"{LIST}?ordem=gravidade")).text
    assert _titles(by_severity, titles) == ["Atraso da cuidadora", "Boleto duplicado", "Queda no banho"]
    header = _header(by_severity, "Gravidade")
    assert 'aria-sort="ascending"' in header and "ordem=-gravidade" in header
    most_serious = (await sup.page(f"{LIST}?ordem=-gravidade")).text
    assert _titles(most_serious, titles) == ["Queda no banho", "Boleto duplicado", "Atraso da cuidadora"]
    by_title = (await sup.page(f"{LIST}?ordem=titulo&gravidade=high")).text
    assert _titles(by_title, titles) == ["Boleto duplicado"]
    # the filters keep the order, and the sort links keep the filters
    assert '<input type="hidden" name="ordem" value="titulo">' in by_title
    assert "gravidade=high&amp;ordem=-titulo" in _header(by_title, "Ocorrência")
    # an unknown order or page is the default, not an error
    assert (await sup.page(f"{LIST}?ordem=senha&pagina=x")).status_code == 200


async def test_pages_and_the_csv_follow_the_filters_and_the_order(make_person: MakePerson) -> None:
    freeze_at(OPEN_INSTANT)
    sup = await make_person(Role.supervisor, SupportLevel.n3)
    for n in range(PAGE_SIZE + 1):
        await _open(sup, f"Reclamação {n:02d}", "medium")
    await _open(sup, '=HYPERLINK("x")', "low")

    first = text_of((await sup.page(f"{LIST}?gravidade=medium&ordem=titulo")).text)
    assert f"{PAGE_SIZE + 1} ocorrências · página 1 de 2" in first
    assert "Reclamação 00" in first and f"Reclamação {PAGE_SIZE:02d}" not in first
    second = await sup.page(f"{LIST}?gravidade=medium&ordem=titulo&pagina=2")
    assert f"Reclamação {PAGE_SIZE:02d}" in text_of(second.text) and "Reclamação 00" not in second.text
    assert 'href="/supervisao/ocorrencias?gravidade=medium&amp;ordem=titulo&amp;pagina=1"' in second.text
    beyond = await sup.page(f"{LIST}?gravidade=medium&pagina=99")
    assert "página 2 de 2" in text_of(beyond.text)

    assert 'href="/supervisao/ocorrencias.csv?gravidade=medium&amp;ordem=titulo"' in second.text
    export = await sup.page(f"{LIST}.csv?gravidade=medium&ordem=-titulo")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert 'filename="ocorrencias-' in export.headers["content-disposition"]
    table = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert table[0] == CSV_HEADER
    assert [row[2] for row in table[1:]] == [f"Reclamação {n:02d}" for n in reversed(range(PAGE_SIZE + 1))]
    assert {row[4] for row in table[1:]} == {"Média"} and {row[5] for row in table[1:]} == {"Aberta"}
    everything = await sup.page(f"{LIST}.csv?gravidade=low")
    [_, formula] = list(csv.reader(io.StringIO(everything.content.decode("utf-8-sig")), delimiter=";"))
    assert formula[2] == '\'=HYPERLINK("x")'  # never run as a spreadsheet formula


async def test_the_rows_follow_the_live_feed(make_person: MakePerson) -> None:
    freeze_at(OPEN_INSTANT)
    sup = await make_person(Role.supervisor, SupportLevel.n3)
    page = (await sup.page(f"{LIST}?ordem=titulo")).text
    assert "carinho-live[carinhoLive(detail,&#39;incident&#39;)] from:body throttle:1s" in page
    assert 'hx-get="/supervisao/ocorrencias/lista?ordem=titulo"' in page

    await _open(sup, "Cuidadora faltou", "high")
    rows = await sup.htmx("GET", f"{LIST}/lista?ordem=titulo")
    assert rows.status_code == 200 and "Cuidadora faltou" in rows.text
    assert 'id="ocorrencias-lista"' in rows.text and "<h1" not in rows.text  # the rows alone
    ana = await make_person(Role.agent)
    assert (await ana.htmx("GET", f"{LIST}/lista")).status_code == 403
    assert (await ana.page(f"{LIST}.csv")).status_code == 403
