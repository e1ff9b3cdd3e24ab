"""NPS answers as customers really type them on WhatsApp, and replies that are not answers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carinho.atendimento.satisfaction.parsing import ParsedAnswer, parse_answer

ANSWERS: list[tuple[str, int, str | None]] = [
    ("10", 10, None),
    ("0", 0, None),
    ("nota 9", 9, None),
    ("NOTA 7", 7, None),
    ("9 - muito bom", 9, "muito bom"),
    ("Nota: 8!", 8, None),
    ("dou 7", 7, None),
    ("Eu dou nota 10", 10, None),
    ("eu daria 6 porque demoraram", 6, "porque demoraram"),
    ("Minha nota é 9", 9, None),
    ("10/10", 10, None),
    ("10 de 10", 10, None),
    ("nota 9 de 10, gostei", 9, "gostei"),
    ("dez", 10, None),
    ("Dez!!! 👏👏", 10, None),
    ("nove", 9, None),
    ("zero", 0, None),
    ("nota dez, excelente", 10, "excelente"),
    ("😀 10", 10, None),
    ("10 ⭐⭐⭐", 10, None),
    ("1️⃣0️⃣", 10, None),
    ("8️⃣", 8, None),
    ("🔟", 10, None),
    ("nota 10 pra vcs", 10, "pra vcs"),
    ("9 adorei o cuidado com a minha mãe", 9, "adorei o cuidado com a minha mãe"),
    ("10 adorei!!", 10, "adorei!!"),
    ("Nota 3. A cuidadora chegou atrasada", 3, "A cuidadora chegou atrasada"),
    ("7\n\nfaltou agilidade no retorno", 7, "faltou agilidade no retorno"),
    ("Obrigada! Nota 10", 10, None),
    ("Valeu, 10!", 10, None),
    ("Bom dia! 9", 9, None),
    ("Com certeza 10", 10, None),
    ("  5  ", 5, None),
    # Decimals are rounded down: "between 8 and 9" is not a promoter.
    ("8,5", 8, None),
    ("9.5", 9, None),
    ("10,0", 10, None),
]

NOT_ANSWERS = [
    None,
    "",
    "   ",
    "Olá, preciso de uma cuidadora",
    "Oi, quero saber o preço",
    "Bom dia",
    "ok",
    "👍",
    "15",
    "11",
    "100",
    "2024",
    "-1",
    "10,5",
    "11 98765-4321",
    "98765-4321",
    "(11) 98765-4321",
    "10h",
    "8:30",
    "às 10",
    "10x",
    "1º lugar",
    "2 cuidadoras, por favor",
    "3 dias por semana",
    "1 ou 2",
    "5 estrelas",
    "duas horas",
    "um minuto por favor",
    "uma dúvida",
    "novembro",
    "nota mil",
    "Preciso remarcar para o dia 10",
]


@pytest.mark.parametrize(("text", "score", "comment"), ANSWERS)
def test_real_world_answers_are_read(text: str, score: int, comment: str | None) -> None:
    assert parse_answer(text) == ParsedAnswer(score, comment)


@pytest.mark.parametrize("text", NOT_ANSWERS)
def test_replies_that_are_not_a_score_are_not_answers(text: str | None) -> None:
    assert parse_answer(text) is None


@given(st.integers(min_value=0, max_value=10), st.text(max_size=40))
def test_a_score_then_a_separated_comment_always_reads_the_score(score: int, tail: str) -> None:
    parsed = parse_answer(f"{score} - {tail}")
    if parsed is not None:  # a tail starting with a digit ("9 - 10 foi bom") is refused
        assert parsed.score == score


@given(st.text(max_size=60))
def test_any_text_parses_to_nothing_or_a_score_in_range(text: str) -> None:
    parsed = parse_answer(text)
    assert parsed is None or 0 <= parsed.score <= 10
