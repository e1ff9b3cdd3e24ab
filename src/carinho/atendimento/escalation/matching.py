"""Text matching of the keyword, asks-supervisor and triage rules: accents, case and punctuation
never matter, and a phrase matches whole words only ("dor" does not match "vendor")."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

_NON_WORD = re.compile(r"[^0-9a-z]+")

# Someone asking for a person in charge: a verb of talking or handing over, at most a few filler
# words, then a role ("quero falar com o supervisor", "me passa pro gerente", "chama o responsável").
# A role word alone is not enough: "uma cuidadora responsável" asks for nobody.
_VERB = (
    r"(?:falar|fala|falo|conversar|chamar|chama|chame|passar|passa|passe|transferir|transfere|transfira|"
    r"ligar|liga|cade)"
)
_FILLER = r"(?:(?:o|a|um|uma|seu|sua|algum|alguma|alguem|com|pro|pra|para|ao|me|ai|ja|agora|urgente)\s+){0,4}"
_ROLE = (
    r"(?:supervisor|supervisora|supervisao|gerente|gerencia|responsavel|chefe|superior|coordenador|"
    r"coordenadora|coordenacao|dono|diretor|diretora|diretoria)"
)
_ASKS_SUPERVISOR = re.compile(rf"\b{_VERB}\s+{_FILLER}{_ROLE}\b")


def normalise(text: str) -> str:
    """Lower case, no accents, words separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", stripped).strip()


def matched_phrase(text: str, phrases: Iterable[str]) -> str | None:
    """The first phrase found in the text as whole words, or None."""
    padded = f" {normalise(text)} "
    for phrase in phrases:
        wanted = normalise(phrase)
        if wanted and f" {wanted} " in padded:
            return phrase
    return None


def asks_for_supervisor(text: str, extra_phrases: Iterable[str] = ()) -> str | None:
    """What shows the customer asks for a supervisor ("quero falar com o gerente"), or None."""
    phrase = matched_phrase(text, extra_phrases)
    if phrase is not None:
        return phrase
    found = _ASKS_SUPERVISOR.search(normalise(text))
    return found.group(0) if found else None


def answer_matches(value: Any, wanted: Iterable[str]) -> bool:
    """A triage answer (text, number, yes/no, list of choices) against the values a rule lists."""
    targets = {normalise(str(w)) for w in wanted}
    if isinstance(value, list):
        return any(answer_matches(item, targets) for item in value)
    if isinstance(value, bool):
        names = {"sim", "true"} if value else {"nao", "false"}
        return bool(names & targets)
    if value is None:
        return False
    return normalise(str(value)) in targets
