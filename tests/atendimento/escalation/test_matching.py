"""The text matching behind the keyword, asks-supervisor and triage rules (no database)."""

from __future__ import annotations

import pytest

from carinho.atendimento.escalation.matching import (
    answer_matches,
    asks_for_supervisor,
    matched_phrase,
    normalise,
)
from carinho.atendimento.escalation.seed import EMERGENCY_WORDS


def test_normalise_drops_accents_case_and_punctuation() -> None:
    assert normalise("  Emergência!!  AVC, já.") == "emergencia avc ja"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Minha mãe DESMAIOU agora", "desmaiou"),
        ("ela nao consegue respirar direito", "não consegue respirar"),
        ("Socorro!!!", "socorro"),
        ("meu pai sofreu uma queda no banheiro", "sofreu uma queda"),
        ("chamei o samu", "SAMU"),
        ("ela teve um avc ontem", "AVC"),
        ("a avaliação ficou para amanhã", None),  # "avc" is not a word inside "avaliação"
        ("a queda de preço foi boa", None),
        ("minha mãe caiu e não está respondendo", "caiu e não"),
        ("ela está deitada e não reage", "não reage"),
        ("a ligação caiu, pode me ligar de volta?", None),
        ("qual o valor da diária?", None),
    ],
)
def test_emergency_words(text: str, expected: str | None) -> None:
    assert matched_phrase(text, EMERGENCY_WORDS) == expected


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("Quero falar com o supervisor", True),
        ("quero falar com a supervisora!", True),
        ("Posso falar com seu superior?", True),
        ("me passa pro gerente", True),
        ("Chama o responsável, por favor", True),
        ("quero conversar com alguém responsável", True),
        ("Cadê a gerência dessa empresa?", True),
        ("me transfere para o coordenador", True),
        ("preciso de uma cuidadora responsável", False),
        ("o gerente do banco ligou", False),
        ("a dona Maria precisa de companhia", False),
        ("bom dia, tudo bem?", False),
    ],
)
def test_asks_for_supervisor(text: str, asks: bool) -> None:
    assert (asks_for_supervisor(text) is not None) is asks


def test_asks_for_supervisor_also_takes_the_rules_phrases() -> None:
    assert asks_for_supervisor("quero o dono da empresa", ["dono da empresa"]) == "dono da empresa"


@pytest.mark.parametrize(
    ("value", "wanted", "matches"),
    [
        (["Mobilidade reduzida", "Acamado"], ["acamado"], True),
        (["Mobilidade reduzida"], ["Acamado"], False),
        ("Pós-operatório", ["pos operatorio"], True),
        (True, ["Sim"], True),
        (False, ["sim"], False),
        (False, ["Não"], True),
        (95, ["95"], True),
        (None, ["sim"], False),
    ],
)
def test_answer_matches(value: object, wanted: list[str], matches: bool) -> None:
    assert answer_matches(value, wanted) is matches
