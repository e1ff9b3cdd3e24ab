"""Template variables: `{{nome_contato}}` style placeholders, pt-BR names."""

from __future__ import annotations

import re
from collections.abc import Mapping

VARIABLES: dict[str, str] = {
    "nome_contato": "Nome do contato (ou 'cliente' se desconhecido)",
    "primeiro_nome": "Primeiro nome do contato",
    "nome_atendente": "Nome do atendente responsável",
    "proxima_abertura": "Próximo horário de atendimento (ex.: segunda-feira, 01/12 às 08:00)",
    "empresa": "Nome da empresa",
    "protocolo": "Número da conversa (protocolo)",
}

CATEGORIES: dict[str, str] = {
    "boas_vindas": "Boas-vindas",
    "fora_do_horario": "Fora do horário",
    "fila": "Fila de espera",
    "follow_up": "Acompanhamento",
    "encerramento": "Encerramento",
    "proposta": "Proposta e contrato",
    "geral": "Geral",
}

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


def placeholders(body: str) -> set[str]:
    return set(_PLACEHOLDER.findall(body))


def unknown_placeholders(body: str) -> list[str]:
    return sorted(placeholders(body) - set(VARIABLES))


def render(body: str, values: Mapping[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), "")), body)
