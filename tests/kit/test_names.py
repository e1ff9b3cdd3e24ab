"""The first name we greet someone by: one helper (kit/names.py) for the hub's mappings and
atendimento's messages; Brazilian forms of address before the name are skipped."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from carinho.atendimento.satisfaction import texts
from carinho.atendimento.templates import service as templates
from carinho.integracoes.mappings.engine import evaluate
from carinho.kit import names
from carinho.kit.names import first_name, is_honorific


@pytest.mark.parametrize(
    ("full", "expected"),
    [
        ("Maria da Conceição Souza", "Maria"),
        ("Dona Rosa", "Rosa"),
        ("dona Rosa Maria", "Rosa"),
        ("DONA ROSA", "ROSA"),
        ("Sr. João Pereira", "João"),
        ("sr joão", "joão"),
        ("Sra. Ana", "Ana"),
        ("Srª Ana", "Ana"),
        ("Srta Bia", "Bia"),
        ("Dra. Ana", "Ana"),
        ("Dr.João", "João"),
        ("Prof. Carlos", "Carlos"),
        ("Profa Lúcia", "Lúcia"),
        ("Profª Lúcia", "Lúcia"),
        ("D. Maria", "Maria"),
        ("Dª Maria", "Maria"),
        ("Seu Zé", "Zé"),
        ("Senhora Aparecida", "Aparecida"),
        ("Irmã Dulce", "Dulce"),
        ("Dona Sra. Rosa", "Rosa"),
        ("  Francisca  ", "Francisca"),
        ("Dona", "Dona"),
        ("D Maria", "D"),  # a bare D may be an initial
        ("Donato Silva", "Donato"),
        ("Seurat", "Seurat"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_first_name_skips_honorifics(full: str | None, expected: str | None) -> None:
    assert first_name(full) == expected


# Every form of address as people type it: any case, with or without the abbreviation's dot.
BASES = sorted(names.HONORIFICS)


@st.composite
def honorifics(draw: st.DrawFn) -> str:
    base = draw(st.sampled_from([*BASES, "d"]))
    cased = "".join(ch.upper() if draw(st.booleans()) else ch for ch in base)
    ending = draw(st.sampled_from(["", ".", "ª", "º."])) if base != "d" else draw(st.sampled_from([".", "ª"]))
    return cased + ending


def _plain(word: str) -> bool:
    return not is_honorific(word) and not any(ch in ".ºª" for ch in word)


WORDS = st.text(
    st.characters(categories=("Lu", "Ll"), exclude_characters="ºª"), min_size=1, max_size=12
).filter(_plain)
SPACE = st.sampled_from([" ", "  ", "\t", "\n", " \u00a0"])


@given(honorifics(), st.lists(honorifics(), max_size=2), WORDS, st.lists(WORDS, max_size=3), SPACE)
def test_any_honorifics_before_a_name_are_skipped(
    title: str, more: list[str], name: str, rest: list[str], space: str
) -> None:
    full = space.join([title, *more, name, *rest])
    assert first_name(full) == name


@given(honorifics(), WORDS)
def test_an_honorific_glued_to_the_name_by_its_dot_is_skipped(title: str, name: str) -> None:
    glued = title if title[-1] in ".ºª" else title + "."
    assume(not is_honorific(glued + name))  # "Prof.A" reads as "Profa", "D.ona" as "Dona"
    assert first_name(f"{glued}{name} Souza") == name


@given(st.text(max_size=40))
def test_the_first_name_comes_from_the_name_and_is_stable(full: str) -> None:
    found = first_name(full)
    if not full.split():
        assert found is None
        return
    assert found is not None and found in full
    assert not is_honorific(found) or all(is_honorific(word) for word in full.split())
    assert first_name(found) == found


@given(st.lists(st.one_of(honorifics(), WORDS), min_size=1, max_size=4).map(" ".join))
def test_the_hub_mappings_and_atendimento_greet_by_the_same_first_name(full: str) -> None:
    expected = first_name(full)
    assert evaluate("first_name(name)", {"name": full}) == expected
    greeting = texts.survey(full, "conversation", "https://carinho.test/s/x").split("\n", 1)[0]
    assert greeting.startswith(f"Olá, {expected}! ")
    assert templates.first_name is first_name  # `primeiro_nome` of every template


def test_the_survey_greets_dona_rosa_as_rosa() -> None:
    assert texts.survey("Dona Rosa", "conversation", "https://carinho.test/s/x").startswith("Olá, Rosa! ")
    assert texts.reminder("Sr. João Pereira", "https://carinho.test/s/x").startswith("Olá, João! ")
    assert texts.survey(None, "service", "https://carinho.test/s/x").startswith("Olá! ")
