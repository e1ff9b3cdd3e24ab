"""Errors as a person sees them: a pt-BR page (or, for htmx requests, a toast), never JSON or a trace.
A missing or expired session sends the browser to the login page, saying why. One renderer per app
(`install_error_handlers(app, html=...)` in kit/web calls it for requests that want HTML)."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from carinho.kit.web import HtmlErrorRenderer

from .pages import Pages

HEADINGS = {
    400: "Pedido inválido",
    401: "Entre para continuar",
    403: "Acesso negado",
    404: "Página não encontrada",
    405: "Ação não permitida",
    409: "Conflito",
    413: "Conteúdo grande demais",
    422: "Dados inválidos",
    429: "Muitas tentativas",
    500: "Erro interno",
    503: "Serviço indisponível",
}
MESSAGES = {
    403: "Você não tem permissão para ver esta página.",
    404: "O endereço não existe ou o item foi removido.",
    405: "Esta ação não pode ser feita por este caminho.",
    422: "Alguns campos não foram preenchidos corretamente.",
}
# htmx does not swap error answers: carinho.js shows this header (percent-encoded) as a toast.
MESSAGE_HEADER = "X-Carinho-Mensagem"


def html_error_renderer(pages: Pages, *, login_url: str, session_cookie: str) -> HtmlErrorRenderer:
    async def render(request: Request, status: int, message: str) -> Response:
        is_htmx = request.headers.get("hx-request") == "true"
        if status == 401:
            url = login_redirect(request, login_url, expired=session_cookie in request.cookies)
            if is_htmx:
                return Response(status_code=200, headers={"HX-Redirect": url})
            response = RedirectResponse(url, status_code=303)
            response.delete_cookie(session_cookie)
            return response
        text = readable(status, message, for_people=getattr(request.state, "error_message_for_people", False))
        if is_htmx:
            return Response(status_code=status, headers={MESSAGE_HEADER: quote(text)})
        heading = HEADINGS.get(status, "Algo deu errado")
        return pages.render(
            request,
            "ui/error.html",
            status_code=status,
            status=status,
            heading=heading,
            message=without_heading(text, heading),
            # Support needs the request's id for what went wrong on our side, not for a refusal.
            request_id=getattr(request.state, "request_id", None) if status >= 500 else None,
            login_url=login_url,
        )

    return render


def login_redirect(request: Request, login_url: str, *, expired: bool) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.headers.get("hx-request") == "true":
        target = request.headers.get("hx-current-url", target)
    params = {"proxima": target}
    if expired:
        params["expirada"] = "1"
    return f"{login_url}?{urlencode(params)}"


def without_heading(text: str, heading: str) -> str:
    """'Acesso negado: esta conversa é de outro atendente.' under the heading 'Acesso negado' reads
    'Esta conversa é de outro atendente.' (a toast keeps the whole sentence)."""
    prefix = f"{heading}:"
    if text.lower().startswith(prefix.lower()) and text[len(prefix) :].strip():
        rest = text[len(prefix) :].strip()
        return rest[0].upper() + rest[1:]
    return text


def readable(status: int, message: str, *, for_people: bool = False) -> str:
    """Our services speak pt-BR (a `CarinhoError`'s message is `for_people`, with or without accents);
    framework messages are English: those get the page's words."""
    if message and (for_people or not message.isascii()):
        return message
    if status >= 500:
        return "Tente novamente em instantes. Se o problema continuar, informe o código abaixo."
    return MESSAGES.get(status, "Não foi possível concluir o pedido.")
