"""ORCID iDs: parse what people paste, check the check digit, store one canonical form.

An ORCID iD is 16 characters in four groups of four, the last one a check character
computed with ISO 7064 MOD 11-2 over the first 15 digits ("X" stands for 10).
https://support.orcid.org/hc/en-us/articles/360006897674
"""

import re

from django.core.exceptions import ValidationError

# What people paste: the bare iD, with or without hyphens, or its orcid.org address.
_PASTED = re.compile(
    r"^(?:(?:https?://)?(?:www\.)?orcid\.org/)?"
    r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])/?$",
    re.IGNORECASE,
)
CANONICAL = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")


def orcid_check_character(base_digits: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character of the first 15 digits."""
    total = 0
    for digit in base_digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def orcid_normalize(value: str) -> str:
    """Return the bare 0000-0000-0000-000X form of a pasted ORCID iD, or raise ValidationError."""
    text = (value or "").strip()
    match = _PASTED.match(text)
    if not match:
        raise ValidationError(
            "An ORCID iD has 16 characters in four groups, such as 0000-0002-1825-0097 "
            "(or https://orcid.org/0000-0002-1825-0097).",
            code="orcid_format",
        )
    digits = "".join(match.groups()).upper()
    expected = orcid_check_character(digits[:15])
    if digits[15] != expected:
        raise ValidationError(
            "This ORCID iD's last character does not match its check digit: "
            "please copy it again from your ORCID record.",
            code="orcid_checksum",
        )
    return f"{digits[0:4]}-{digits[4:8]}-{digits[8:12]}-{digits[12:16]}"


def validate_orcid(value: str) -> None:
    """Accept only the canonical stored form with a correct check character."""
    if not value:
        return
    if not CANONICAL.match(value) or orcid_normalize(value) != value:
        raise ValidationError(
            "Enter the ORCID iD as 0000-0000-0000-000X with a valid check digit.",
            code="orcid_invalid",
        )
