"""People's names as Brazilians write them in a chat or a form."""

from __future__ import annotations

# "Dona Rosa" is greeted as "Rosa", not "Dona".
HONORIFICS = frozenset(
    {
        "dona",
        "dono",
        "d.",
        "seu",
        "sr",
        "sr.",
        "sra",
        "sra.",
        "srta",
        "srta.",
        "dr",
        "dr.",
        "dra",
        "dra.",
        "prof",
        "prof.",
        "profa",
        "profa.",
    }
)


def first_name(full_name: str | None) -> str | None:
    """The first word of the name that is not an honorific (the honorific itself when nothing follows)."""
    words = (full_name or "").split()
    for word in words:
        if word.lower() not in HONORIFICS:
            return word
    return words[0] if words else None
