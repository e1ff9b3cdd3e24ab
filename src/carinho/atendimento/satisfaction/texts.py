"""What the customer reads on WhatsApp (pt-BR)."""

from __future__ import annotations

from carinho.atendimento.satisfaction.models import SurveySource
from carinho.kit.names import first_name

QUESTION = (
    "De 0 a 10, quanto você recomendaria a Carinho com Você a um amigo ou familiar? "
    "Responda com um número. Se quiser, deixe um comentário."
)


def _hello(name: str | None) -> str:
    first = first_name(name)
    return f"Olá, {first}!" if first else "Olá!"


def survey(name: str | None, source: str, link: str) -> str:
    about = (
        "Queremos saber como foi o serviço da Carinho com Você."
        if source == SurveySource.service.value
        else "Queremos saber como foi o seu atendimento."
    )
    return f"{_hello(name)} {about}\n\n{QUESTION}\n\nSe preferir, responda por aqui: {link}"


def reminder(name: str | None, link: str) -> str:
    return (
        f"{_hello(name)} Sua opinião é muito importante para nós. {QUESTION}\n\n"
        f"Se preferir, responda por aqui: {link}"
    )


def thanks(score: int, with_comment: bool) -> str:
    if with_comment:
        return (
            "Muito obrigado pela sua nota e pelo comentário! Sua opinião nos ajuda a cuidar cada vez melhor."
        )
    if score <= 6:
        return (
            "Obrigado pela sua nota. Sentimos muito que a experiência não tenha sido boa. "
            "Se quiser, conte em uma mensagem o que aconteceu: um supervisor vai entrar em contato."
        )
    return "Muito obrigado pela sua nota! Se quiser, conte em uma mensagem o que motivou a sua avaliação."


COMMENT_THANKS = "Recebemos o seu comentário. Obrigado! Se precisar de algo, é só mandar uma mensagem."
