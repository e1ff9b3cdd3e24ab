"""Reading an NPS score (0–10) out of a customer's WhatsApp reply.

Pure functions, table-tested in tests/atendimento/satisfaction/test_parsing.py. The reply only
counts when the score is clearly the point of the message: it opens the message (after a greeting or
"nota"/"dou"), it is not part of a longer number (a phone, a year, "15"), a time ("10h", "8:30") or a
quantity ("2 cuidadoras", "3 dias"). Whatever follows the score is the comment. Decimals ("8,5") are
rounded down: a customer between 8 and 9 is not counted as a promoter.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

MAX_COMMENT = 5000

WORDS = {
    "zero": 0,
    "um": 1,
    "uma": 1,
    "dois": 2,
    "duas": 2,
    "tres": 3,
    "quatro": 4,
    "cinco": 5,
    "seis": 6,
    "sete": 7,
    "oito": 8,
    "nove": 9,
    "dez": 10,
}

# Words right after a bare number that make it a quantity, a date or a range, not a score.
QUANTITY_WORDS = {
    "h", "hs", "hr", "hrs", "hora", "horas", "min", "minuto", "minutos", "dia", "dias", "semana",
    "semanas", "mes", "meses", "ano", "anos", "vez", "vezes", "pessoa", "pessoas", "cuidador",
    "cuidadora", "cuidadores", "cuidadoras", "plantao", "plantoes", "real", "reais", "de", "da", "do",
    "as", "ou", "a", "ate", "por", "x", "pm", "am", "noites", "noite", "filhos", "idosos", "idoso",
    "estrela", "estrelas",
}  # fmt: skip

_KEYCAP = re.compile("([0-9])\ufe0f?\u20e3")
_COURTESY = (
    r"(?:(?:oi|ola|ok|okay|sim|claro|com certeza|certeza|obrigad[oa]s?|obg|valeu|bom dia|boa tarde|"
    r"boa noite|acho que|eu acho|diria|eu diria|minha resposta|resposta)[\s,.!:;\-]*)*"
)
_LEAD = (
    r"(?:(?:minha\s+)?nota\s*(?:e\s+|eh\s+)?[:=\-]?\s*"
    r"|(?:eu\s+)?(?:dou|daria|darei|dou\s+nota|daria\s+nota)\s+)"
)
_NUMBER = r"(?P<num>10|[0-9])(?:[.,](?P<dec>[0-9]{1,2}))?(?![0-9])"
_WORD = r"(?P<word>" + "|".join(sorted(WORDS, key=len, reverse=True)) + r")(?!\w)"
_OUT_OF = r"(?:\s*(?:/|de|em)\s*10(?![0-9]))?"
_ANSWER = re.compile(
    r"^[^\w\-+]*" + _COURTESY + r"(?P<lead>" + _LEAD + r")?(?:" + _NUMBER + "|" + _WORD + ")" + _OUT_OF
)
_SEPARATORS = " \t\r\n-–—,.:;!?)(*_~\"'"


@dataclass(frozen=True)
class ParsedAnswer:
    score: int
    comment: str | None


def _fold(char: str) -> str:
    """One lower-case, accent-free character for each input character (positions stay aligned)."""
    lower = char.lower()
    if len(lower) != 1:
        return char
    base = unicodedata.normalize("NFD", lower)[0]
    return base


def clean_comment(text: str | None) -> str | None:
    """The comment as stored: trimmed, bounded, None when it says nothing (only emojis/punctuation)."""
    if text is None:
        return None
    # NUL is refused by PostgreSQL text columns (and never meant anything in a comment).
    value = text.replace("\x00", "").strip()[:MAX_COMMENT].strip()
    if not any(c.isalnum() for c in value):
        return None
    return value


def parse_answer(text: str | None) -> ParsedAnswer | None:
    """The score (0–10) and the comment of a reply, or None when the reply is not an answer."""
    if not text or not text.strip():
        return None
    original = _KEYCAP.sub(r"\1", text.replace("\U0001f51f", "10")).strip()
    folded = "".join(_fold(c) for c in original)
    match = _ANSWER.match(folded)
    if match is None:
        return None
    rest_folded = folded[match.end() :]
    if rest_folded[:1].isalnum():
        return None  # "10h", "1º", "10x": the digit belongs to something else
    if match.group("word"):
        score = WORDS[match.group("word")]
        # A bare number word followed by more words is usually a quantity ("um minuto", "duas horas").
        if not match.group("lead") and rest_folded[:1].isspace() and rest_folded.strip()[:1].isalnum():
            return None
    else:
        value = Decimal(f"{match.group('num')}.{match.group('dec') or '0'}")
        if value > 10:
            return None
        score = int(value)  # rounded down
    after = rest_folded.lstrip(_SEPARATORS)
    if after[:1].isdigit():
        return None  # "11 98765-4321", "8:30", "1 2 3"
    next_word = re.match(r"[\w$]+", after)
    if (
        next_word
        and next_word.group(0) in QUANTITY_WORDS
        and rest_folded.lstrip()[:1] not in tuple("-–—,.!:;")
    ):
        return None
    comment = original[match.end() :].lstrip(_SEPARATORS)
    return ParsedAnswer(score, clean_comment(comment))
