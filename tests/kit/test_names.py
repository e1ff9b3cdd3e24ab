import pytest

from carinho.kit.names import first_name


@pytest.mark.parametrize(
    ("full", "expected"),
    [
        ("Maria da Conceição Souza", "Maria"),
        ("Dona Rosa", "Rosa"),
        ("dona Rosa Maria", "Rosa"),
        ("Sr. João Pereira", "João"),
        ("Dra. Ana", "Ana"),
        ("Seu Zé", "Zé"),
        ("  Francisca  ", "Francisca"),
        ("Dona", "Dona"),
        ("Donato Silva", "Donato"),
        ("", None),
        (None, None),
    ],
)
def test_first_name_skips_honorifics(full: str | None, expected: str | None) -> None:
    assert first_name(full) == expected
