import pytest

from carinho.integracoes.flows.steps.feedback_replies import parse_answer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9", (9, None)),
        ("10 Foi ótimo!", (10, "Foi ótimo!")),
        ("nota 8 - gostei muito", (8, "gostei muito")),
        ("  7/10, chegou atrasada", (7, "chegou atrasada")),
        ("0", (0, None)),
        ("Nota: 6", (6, None)),
    ],
)
def test_a_rating_reply_is_read(text: str, expected: tuple[int, str | None]) -> None:
    assert parse_answer(text) == expected


@pytest.mark.parametrize("text", ["", None, "obrigada!", "11 estrelas", "100", "às 9 horas amanhã", "-3"])
def test_other_messages_are_not_answers(text: str | None) -> None:
    assert parse_answer(text) is None
