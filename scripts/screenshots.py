"""A PNG of every page, at a desktop's width (1366×768) and a phone's (390×844), into docs/telas/.

    uv run python scripts/screenshots.py                 # every page
    uv run python scripts/screenshots.py --only conversa  # the shots whose name contains "conversa"

Starts the platform as a user does (`carinho up` on free ports, in a temporary data directory),
lives through a realistic morning — families writing, an emergency, an N1 and an N2 attendant and a
supervisor, a send that failed, labels, conversations along the funnel, an escalation — then logs
in as each person and photographs each page in Debian's Chromium (`apt-get install chromium`; add
`fonts-noto-color-emoji` so that emoji in messages are drawn).
Files are named `<app>-<page>-desktop.png` and `<app>-<page>-celular.png` (app: `atendimento`, or
`console` for the hub's operations console); the dashboard's wall mode also at a TV's 1920×1080
(`-tv.png`).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carinho.kit.ui.testing.browser import DESKTOP, PHONE, chromium, log_in, new_context
from carinho.kit.ui.testing.platform import Platform
from carinho.kit.ui.testing.startup import Account, PlatformError, business_morning

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script: its sibling below
from screenshot_morning import FAMILIES, Day, realistic_morning

ROOT = Path(__file__).resolve().parents[1]
WIDTHS = {"desktop": DESKTOP, "celular": PHONE, "tv": {"width": 1920, "height": 1080}}
PAGE_TIMEOUT_MS = 60_000  # a slow page still gets its picture (and the slowness shows in the run's time)


# ---------------------------------------------------------------------- the shots


@dataclass(frozen=True)
class Shot:
    """One page as one person sees it: `name` (the file's, which starts with the app), who (None:
    not logged in), where, and what to do before the picture (open a dialog...)."""

    name: str
    who: Callable[[Day], Account | None]
    path: Callable[[Day], str]
    act: Callable[[Any, str], None] | None = None
    widths: tuple[str, ...] = ("desktop", "celular")

    @property
    def app(self) -> str:
        return self.name.split("-", 1)[0]  # "atendimento" or "console"


def _click(role: str, name: str, *, exact: bool = False) -> Callable[[Any, str], None]:
    def act(page: Any, width: str) -> None:
        page.get_by_role(role, name=name, exact=exact).first.click()
        page.wait_for_timeout(300)  # the dialog's opening transition, for the picture only

    return act


def _wrong_password(page: Any, width: str) -> None:
    page.get_by_label("E-mail").fill("ana@carinho.com.vc")
    page.get_by_label("Senha").fill("senha-errada")
    page.get_by_role("button", name="Entrar").click()
    page.get_by_role("alert").wait_for()


def _shortcuts(page: Any, width: str) -> None:
    page.keyboard.press("?")
    page.get_by_role("dialog", name="Atalhos de teclado").wait_for()


def _details(page: Any, width: str) -> None:
    if width == "celular":
        page.get_by_role("button", name="Detalhes").click()
        page.wait_for_timeout(300)


def _loss_dialog(page: Any, width: str) -> None:
    _details(page, width)
    page.get_by_role("region", name="Funil de vendas").get_by_role(
        "button", name="Marcar como perdido"
    ).click()
    page.get_by_role("dialog", name="Marcar como perdido").wait_for()


def _escalate_dialog(page: Any, width: str) -> None:
    _details(page, width)
    page.get_by_role("region", name="Nível de atendimento").get_by_role(
        "button", name=re.compile(r"^\W*Escalar$")
    ).click()
    page.get_by_role("dialog", name="Escalar conversa").wait_for()


def _scroll_to(heading: str) -> Callable[[Any, str], None]:
    def act(page: Any, width: str) -> None:
        page.get_by_role("heading", name=heading, exact=True).scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, -60)")  # the heading below the top edge

    return act


def _to_top(element_id: str) -> Callable[[Any, str], None]:
    """The element at the top of the window (`_scroll_to` leaves a heading already in view where it is)."""

    def act(page: Any, width: str) -> None:
        page.evaluate(f"document.getElementById('{element_id}').scrollIntoView()")
        page.evaluate("window.scrollBy(0, -76)")  # below the sticky top bar

    return act


def _refused_move(page: Any, width: str) -> None:
    """On the Funil's board: Rosa (Qualificado) straight to Ganho — refused, with the reason."""
    card = page.locator(".board-card", has_text="Rosa Maria Ferreira")
    card.get_by_text("Mover", exact=False).first.click()
    card.get_by_label("Para a etapa").select_option(label="Ganho")
    card.get_by_role("button", name="Mover").click()
    page.locator(".toast", has_text="Transição não permitida").wait_for()


def _bulk_dialog(page: Any, width: str) -> None:
    page.get_by_role("button", name=re.compile("Reenviar os abertos")).click()
    page.get_by_role("dialog", name="Reenviar em lote").get_by_text(
        re.compile(r"Reenviar \d+ ite")
    ).first.wait_for()


def _mapping_test(page: Any, width: str) -> None:
    page.get_by_label("Exemplo de payload (JSON)").fill('{"name": "Maria Souza", "phone": "5511912345678"}')
    page.get_by_role("button", name="Testar", exact=True).click()
    page.get_by_label("Pedido que seria enviado").wait_for()
    page.get_by_label("Pedido que seria enviado").scroll_into_view_if_needed()


def _new_key(page: Any, width: str) -> None:
    page.get_by_label("Nome (quem vai usar)").fill("Planilha do financeiro")
    page.get_by_role("button", name="Criar chave").click()
    page.get_by_role("alert").wait_for()


def _open_endpoint(page: Any, width: str) -> None:
    page.get_by_role("link", name=re.compile("painel-bi")).first.click()
    page.get_by_role("heading", name="Entregas").wait_for()


def _new_mapping(page: Any, width: str) -> None:
    page.locator("summary", has_text="Novo mapeamento").click()
    form = page.locator("form", has=page.get_by_role("button", name="Criar mapeamento"))
    form.get_by_label("Tipo de evento").select_option("payment.received")
    form.get_by_label("Sistema de destino").select_option("operacao")
    form.get_by_label("Começar de").select_option("payment.received/crm")


def _edit_endpoint(page: Any, width: str) -> None:
    _open_endpoint(page, width)
    _click("button", "Editar", exact=True)(page, width)


def _open_delivery(page: Any, width: str) -> None:
    _open_endpoint(page, width)
    page.get_by_role("region", name=re.compile("^Entregas")).get_by_role("link").first.click()
    page.get_by_role("heading", name="Tentativas").wait_for()


def _refused_reason(page: Any, width: str) -> None:
    """Configurações › Motivos de perda: a code with capitals and an accent, refused in pt-BR."""
    page.locator("#novo-motivo-nome").fill("Preço acima do orçamento")
    page.get_by_label("Código (opcional)").fill("Preço Alto")
    page.get_by_role("button", name="Criar motivo").click()
    page.get_by_role("alert").wait_for()  # the answer opens at the form (#novo-motivo)


def _retention_run(page: Any, width: str) -> None:
    """Configurações › Retenção: "Executar agora", then the run listed once the worker is through."""
    page.get_by_role("button", name="Executar agora").click()
    page.get_by_role("status").filter(has_text="Execução").wait_for()
    for _ in range(20):
        if page.locator(".runs-table").get_by_text("Em andamento").count() == 0:
            break
        page.wait_for_timeout(500)  # the low-priority lane takes its batches
        page.reload()
    page.get_by_role("heading", name="Últimas execuções").scroll_into_view_if_needed()


SHOTS = [
    Shot("atendimento-entrar", lambda d: None, lambda d: "/entrar"),
    Shot("atendimento-entrar-senha-errada", lambda d: None, lambda d: "/entrar", _wrong_password),
    Shot("atendimento-sessao-expirada", lambda d: None, lambda d: "/entrar?expirada=1&proxima=%2Fconversas"),
    Shot("atendimento-caixa-de-entrada", lambda d: d.ana, lambda d: "/conversas"),
    Shot("atendimento-caixa-de-entrada-vazia", lambda d: d.paula, lambda d: "/conversas"),
    Shot("atendimento-caixa-de-entrada-supervisora", lambda d: d.sofia, lambda d: "/conversas?aba=todas"),
    Shot("atendimento-conversa", lambda d: d.ana, lambda d: f"/conversas/{d.conversation('rosa')}"),
    Shot(
        "atendimento-conversa-detalhes",
        lambda d: d.ana,
        lambda d: f"/conversas/{d.conversation('rosa')}",
        _details,
        widths=("celular",),
    ),
    Shot(
        "atendimento-conversa-modelos",
        lambda d: d.ana,
        lambda d: f"/conversas/{d.conversation('rosa')}",
        _click("button", "Modelos", exact=True),
    ),
    Shot(
        "atendimento-conversa-proposta-enviada",
        lambda d: d.ana,
        lambda d: f"/conversas/{d.conversation('francisca')}",
    ),
    Shot(
        "atendimento-conversa-perdido",
        lambda d: d.ana,
        lambda d: f"/conversas/{d.conversation('jorge')}",
        _loss_dialog,
    ),
    Shot(
        "atendimento-conversa-escalar",
        lambda d: d.ana,
        lambda d: f"/conversas/{d.conversation('helena')}",
        _escalate_dialog,
    ),
    Shot(
        "atendimento-conversa-falha-de-envio",
        lambda d: d.ana,
        lambda d: f"/conversas/{d.conversation('primavera')}",
    ),
    Shot(
        "atendimento-conversa-escalada-n2",
        lambda d: d.bruno,
        lambda d: f"/conversas/{d.conversation('renato')}",
    ),
    Shot(
        "atendimento-conversa-emergencia",
        lambda d: d.sofia,
        lambda d: f"/conversas/{d.conversation('carlos')}",
    ),
    Shot("atendimento-funil", lambda d: d.sofia, lambda d: "/supervisao/funil"),
    Shot(
        "atendimento-funil-movimento-recusado",
        lambda d: d.sofia,
        lambda d: "/supervisao/funil",
        _refused_move,
        widths=("desktop",),
    ),
    Shot("atendimento-ocorrencias", lambda d: d.sofia, lambda d: "/supervisao/ocorrencias"),
    Shot(
        "atendimento-ocorrencias-todas-por-gravidade",
        lambda d: d.sofia,
        lambda d: "/supervisao/ocorrencias?situacao=todas&ordem=-gravidade",
        widths=("desktop",),
    ),
    Shot(
        "atendimento-ocorrencia-emergencia",
        lambda d: d.sofia,
        lambda d: f"/supervisao/ocorrencias/{d.incidents['carlos']}",
    ),
    Shot("atendimento-satisfacao", lambda d: d.sofia, lambda d: "/supervisao/satisfacao"),
    Shot(
        "atendimento-satisfacao-acompanhamentos",
        lambda d: d.sofia,
        lambda d: "/supervisao/satisfacao",
        _scroll_to("Acompanhamento de detratores"),
        widths=("desktop",),
    ),
    Shot("atendimento-dashboard", lambda d: d.sofia, lambda d: "/supervisao/dashboard"),
    Shot(
        "atendimento-dashboard-parede",
        lambda d: d.sofia,
        lambda d: "/supervisao/dashboard/tv",
        widths=("tv",),
    ),
    Shot("atendimento-painel-sla", lambda d: d.sofia, lambda d: "/supervisao/sla"),
    Shot(
        "atendimento-painel-sla-relatorios",
        lambda d: d.sofia,
        lambda d: "/supervisao/sla?por=dia&grupo=nivel",
        _scroll_to("Relatórios"),
    ),
    Shot("atendimento-atalhos", lambda d: d.ana, lambda d: "/conversas", _shortcuts, widths=("desktop",)),
    Shot("atendimento-alterar-senha", lambda d: d.ana, lambda d: "/conta/senha"),
    Shot("atendimento-acesso-negado", lambda d: d.bruno, lambda d: f"/conversas/{d.conversation('rosa')}"),
    Shot("atendimento-pagina-nao-encontrada", lambda d: d.ana, lambda d: "/pagina-que-nao-existe"),
    # The supervisor's and the administrator's screens.
    Shot("atendimento-equipe", lambda d: d.admin, lambda d: "/equipe"),
    Shot("atendimento-equipe-supervisora", lambda d: d.sofia, lambda d: "/equipe", widths=("desktop",)),
    Shot(
        "atendimento-equipe-novo-atendente",
        lambda d: d.admin,
        lambda d: "/equipe",
        _click("button", "Novo atendente"),
        widths=("desktop",),
    ),
    Shot(
        "atendimento-configuracoes-modelo",
        lambda d: d.sofia,
        lambda d: "/configuracoes/modelos",
        _click("link", "Boas-vindas", exact=True),
    ),
    Shot("atendimento-configuracoes-horario", lambda d: d.sofia, lambda d: "/configuracoes/horario"),
    Shot("atendimento-configuracoes-sla", lambda d: d.sofia, lambda d: "/configuracoes/sla"),
    Shot(
        "atendimento-configuracoes-escalonamento",
        lambda d: d.sofia,
        lambda d: "/configuracoes/escalonamento?tipo=keyword",
    ),
    Shot(
        "atendimento-configuracoes-escalonamento-excluir",
        lambda d: d.sofia,
        lambda d: "/configuracoes/escalonamento",
        _click("button", "Excluir Ameaça de reclamação formal"),
        widths=("desktop",),
    ),
    Shot("atendimento-configuracoes-triagem", lambda d: d.sofia, lambda d: "/configuracoes/triagem"),
    Shot(
        "atendimento-configuracoes-triagem-nova-versao",
        lambda d: d.sofia,
        lambda d: "/configuracoes/triagem/qualificacao_lead/nova-versao",
    ),
    Shot("atendimento-configuracoes-etiquetas", lambda d: d.sofia, lambda d: "/configuracoes/etiquetas"),
    Shot(
        "atendimento-configuracoes-etiqueta-excluir",
        lambda d: d.sofia,
        lambda d: "/configuracoes/etiquetas",
        _click("button", "Excluir Novo cliente"),
        widths=("desktop",),
    ),
    Shot(
        "atendimento-configuracoes-motivos-de-perda",
        lambda d: d.sofia,
        lambda d: "/configuracoes/motivos-de-perda",
    ),
    Shot(
        "atendimento-configuracoes-motivo-recusado",
        lambda d: d.sofia,
        lambda d: "/configuracoes/motivos-de-perda",
        _refused_reason,
        widths=("desktop",),
    ),
    Shot("atendimento-configuracoes-retencao", lambda d: d.sofia, lambda d: "/configuracoes/retencao"),
    Shot(
        "atendimento-configuracoes-retencao-execucoes",
        lambda d: d.sofia,
        lambda d: "/configuracoes/retencao",
        _retention_run,
    ),
    Shot("atendimento-auditoria", lambda d: d.sofia, lambda d: "/auditoria"),
    Shot(
        "atendimento-privacidade-titular",
        lambda d: d.admin,
        lambda d: f"/privacidade?titular={FAMILIES['jorge'][1]}",
    ),
    # The hub's operations console.
    Shot("console-entrar", lambda d: None, lambda d: "/entrar"),
    Shot("console-painel", lambda d: d.operator, lambda d: "/painel"),
    Shot("console-painel-graficos", lambda d: d.operator, lambda d: "/painel", _to_top("movimento")),
    Shot("console-painel-dia", lambda d: d.operator, lambda d: "/painel?periodo=dia", _to_top("movimento")),
    Shot("console-eventos", lambda d: d.operator, lambda d: "/eventos"),
    Shot(
        "console-eventos-por-telefone",
        lambda d: d.operator,
        lambda d: f"/eventos?contato={FAMILIES['rosa'][1]}",
    ),
    Shot("console-evento", lambda d: d.operator, lambda d: f"/eventos/{d.hub['whatsapp_event']}"),
    Shot("console-evento-com-falha", lambda d: d.operator, lambda d: f"/eventos/{d.hub['failed_event']}"),
    Shot(
        "console-evento-payload-e-mapeamentos",
        lambda d: d.operator,
        lambda d: f"/eventos/{d.hub['failed_event']}",
        _scroll_to("Payload original"),
    ),
    Shot(
        "console-evento-reprocessar",
        lambda d: d.operator,
        lambda d: f"/eventos/{d.hub['failed_event']}",
        _click("button", "Reprocessar a partir de uma etapa…"),
        widths=("desktop",),
    ),
    Shot("console-dlq", lambda d: d.operator, lambda d: "/dlq"),
    Shot("console-dlq-item", lambda d: d.operator, lambda d: f"/dlq/{d.hub['dlq_item']}"),
    Shot("console-dlq-reenviar-em-lote", lambda d: d.operator, lambda d: "/dlq", _bulk_dialog),
    Shot("console-sincronizacoes", lambda d: d.operator, lambda d: "/sincronizacoes"),
    Shot("console-mapeamentos", lambda d: d.operator, lambda d: "/mapeamentos"),
    Shot(
        "console-mapeamento-teste",
        lambda d: d.operator,
        lambda d: "/mapeamentos/lead.created/zapi",
        _mapping_test,
    ),
    Shot("console-mapeamento-novo", lambda d: d.operator, lambda d: "/mapeamentos", _new_mapping),
    Shot("console-endpoints", lambda d: d.operator, lambda d: "/endpoints"),
    Shot("console-endpoint-editar", lambda d: d.operator, lambda d: "/endpoints", _edit_endpoint),
    Shot("console-endpoint-entregas", lambda d: d.operator, lambda d: "/endpoints", _open_endpoint),
    Shot("console-entrega", lambda d: d.operator, lambda d: "/endpoints", _open_delivery),
    Shot("console-chaves", lambda d: d.operator, lambda d: "/chaves", _new_key),
    Shot("console-alertas", lambda d: d.operator, lambda d: "/alertas"),
    Shot("console-status", lambda d: None, lambda d: "/status"),
    Shot("console-alterar-senha", lambda d: d.operator, lambda d: "/conta/senha"),
    Shot("console-pagina-nao-encontrada", lambda d: d.operator, lambda d: "/pagina-que-nao-existe"),
]


def take(platform: Platform, day: Day, out: Path, only: str | None) -> list[Path]:
    written: list[Path] = []
    sessions: dict[tuple[str, str], Any] = {}  # one login per person and app (its storage state reused)
    with chromium() as browser:
        for shot in SHOTS:
            if only and not any(part in shot.name for part in only.split(",")):
                continue
            account = shot.who(day)
            base_url = platform.hub_url if shot.app == "console" else platform.atendimento_url
            key = (shot.app, account.email) if account is not None else None
            for width in shot.widths:
                if account is not None and key is not None and key not in sessions:
                    ctx = new_context(browser, base_url)
                    ctx.set_default_timeout(PAGE_TIMEOUT_MS)
                    log_in(ctx.new_page(), account.email, account.password)
                    sessions[key] = ctx.storage_state()
                    ctx.close()
                state = sessions.get(key) if key is not None else None
                ctx = new_context(browser, base_url, viewport=WIDTHS[width], storage_state=state)
                ctx.set_default_timeout(PAGE_TIMEOUT_MS)
                page = ctx.new_page()
                page.goto(shot.path(day))
                if page.locator("body[data-live]").count():  # live pages: wait until connected
                    page.get_by_text("Ao vivo", exact=True).wait_for(timeout=10_000)
                if page.locator(
                    "[aria-busy=true][hx-trigger=load]"
                ).count():  # a region loading after the page
                    page.locator("[aria-busy=true][hx-trigger=load]").first.wait_for(state="detached")
                if shot.act is not None:
                    shot.act(page, width)
                target = out / f"{shot.name}-{width}.png"
                page.screenshot(path=str(target), animations="disabled")
                written.append(target)
                print(f"  {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
                ctx.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "telas", help="where the PNGs go")
    parser.add_argument(
        "--only", help="only the shots whose name contains this (or one of these, comma-separated)"
    )
    parser.add_argument("--keep", action="store_true", help="leave the platform running until Enter")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="carinho-telas-") as tmp:
        platform = Platform(Path(tmp) / "data", clock_at=business_morning())
        print(f"starting `carinho up` (log: {platform.log_path}) ...")
        try:
            platform.start()
        except PlatformError as exc:
            print(exc, file=sys.stderr)
            return 1
        try:
            print(f"atendimento at {platform.atendimento_url}; a realistic morning ...")
            day = realistic_morning(platform)
            print("screenshots:")
            written = take(platform, day, args.out, args.only)
            crashes = platform.unhandled_errors()
            if crashes:
                print("the platform answered 500:\n" + "\n\n".join(crashes), file=sys.stderr)
            if args.keep:
                print(f"atendimento logins (e-mail, senha): {platform.admin.email} {platform.admin.password}")
                for person in (day.ana, day.bruno, day.sofia, day.paula):
                    print(f"  {person.email}  {person.password}")
                console = platform.console_admin
                print(f"hub console ({platform.hub_url}): {console.email} {console.password}")
                input(f"platform running at {platform.atendimento_url}; Enter stops it ")
        finally:
            platform.stop()
    print(f"{len(written)} screenshots in {time.monotonic() - started:.0f}s")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
