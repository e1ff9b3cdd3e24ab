"""People's names as Brazilians write them in a chat or a form.

`first_name` is the one helper for "the name we greet someone by": the hub's mappings (the JMESPath
`first_name` function) and atendimento's templates and automatic messages all call it, so "Dona Rosa"
is "Rosa" in every message either system sends.
"""

from __future__ import annotations

import re
import unicodedata

# Forms of address that come before a name ("Dona Rosa" is greeted as "Rosa", not "Dona"), compared
# without case, accents, the abbreviation's dot or the ordinal indicator ("Sra.", "SRA", "Srª", "sra").
HONORIFICS = frozenset(
    {
        "dona",
        "dom",
        "seu",
        "senhor",
        "senhora",
        "senhorita",
        "sr",
        "sra",
        "srta",
        "dr",
        "dra",
        "doutor",
        "doutora",
        "prof",
        "profa",
        "professor",
        "professora",
        "pe",
        "padre",
        "pastor",
        "pastora",
        "frei",
        "irma",
        "irmao",
        "madre",
        "eng",
        "enga",
    }
)
_MARKS = frozenset(".ºª")
# "D." (Dona, Dom) only with its dot or ordinal: a bare "D" may be an initial.
_ABBREVIATED_ONLY = frozenset({"d"})
# An honorific glued to the name by its dot: "Dr.João", "Sra.Ana".
_GLUED = re.compile(r"^([^\W\d_]{1,10})[.ºª]+(\w.*)$")


def _bare(word: str) -> str:
    """The word without case, accents, dots and ordinal indicators: "Srª." → "sr", "Irmã" → "irma"."""
    text = unicodedata.normalize("NFKD", "".join(ch for ch in word.casefold() if ch not in _MARKS))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def is_honorific(word: str) -> bool:
    bare = _bare(word)
    if bare in HONORIFICS:
        return True
    return bare in _ABBREVIATED_ONLY and any(ch in _MARKS for ch in word)


def first_name(full_name: str | None) -> str | None:
    """The first word of the name that is not a form of address ("Dona Rosa" → "Rosa", "Sr. João
    Pereira" → "João", "Dr.Ana" → "Ana"); the whole first word when nothing else is left ("Dona" →
    "Dona"); None for an empty name."""
    words = (full_name or "").split()
    for word in words:
        if is_honorific(word):
            continue
        glued = _GLUED.match(word)
        if glued is not None and is_honorific(glued.group(1) + "."):
            return glued.group(2)
        return word
    return words[0] if words else None
