"""Brazilian phone numbers, normalised to E.164 digits without '+': 55 + DDD + number."""

from __future__ import annotations

import re

_NON_DIGITS = re.compile(r"\D+")


def normalize_br_phone(value: str | int | None) -> str | None:
    """'(11) 91234-5678', '+55 11 91234 5678', '11912345678@c.us' → '5511912345678'.

    Returns None when the value cannot be a Brazilian phone number. Numbers from other countries
    (not starting with 55 and not 10/11 digits) are kept as their digits.
    """
    if value is None:
        return None
    text = str(value).split("@", 1)[0]
    digits = _NON_DIGITS.sub("", text)
    if digits.startswith("00"):
        digits = digits[2:]
    if len(digits) in (10, 11) and not digits.startswith("55"):
        digits = "55" + digits
    elif len(digits) in (11, 12) and digits.startswith("0"):
        digits = "55" + digits.lstrip("0")
    if digits.startswith("55") and len(digits) not in (12, 13):
        return None
    if not 10 <= len(digits) <= 15:
        return None
    return digits
