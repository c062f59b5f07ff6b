import pytest
from django.core.exceptions import ValidationError

from users.orcid import orcid_check_character, orcid_normalize, validate_orcid


@pytest.mark.parametrize(
    ("pasted", "stored"),
    [
        ("0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("0000-0001-5109-3700", "0000-0001-5109-3700"),
        ("0000-0002-1694-233X", "0000-0002-1694-233X"),
        ("0000-0002-1694-233x", "0000-0002-1694-233X"),
        ("https://orcid.org/0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("http://orcid.org/0000-0001-5109-3700/", "0000-0001-5109-3700"),
        ("orcid.org/0000-0002-1694-233X", "0000-0002-1694-233X"),
        ("  0000000218250097 ", "0000-0002-1825-0097"),
    ],
)
def test_valid_orcid_ids_are_stored_bare(pasted, stored):
    assert orcid_normalize(pasted) == stored


@pytest.mark.parametrize(
    "pasted", ["0000-0002-1825-0098", "0000-0002-1694-2330", "0000-0001-5109-370X"]
)
def test_a_wrong_check_digit_is_named(pasted):
    with pytest.raises(ValidationError) as error:
        orcid_normalize(pasted)
    assert error.value.code == "orcid_checksum"
    assert "check digit" in error.value.messages[0]


@pytest.mark.parametrize(
    "pasted",
    [
        "0000-0002-1825",
        "https://example.org/0000-0002-1825-0097",
        "0000-0002-1825-00977",
        "X000-0002-1825-0097",
    ],
)
def test_a_malformed_orcid_id_is_named(pasted):
    with pytest.raises(ValidationError) as error:
        orcid_normalize(pasted)
    assert error.value.code == "orcid_format"


def test_check_character_ten_is_x():
    assert orcid_check_character("000000021694233") == "X"


def test_model_validator_accepts_only_the_stored_form():
    validate_orcid("")
    validate_orcid("0000-0002-1825-0097")
    with pytest.raises(ValidationError):
        validate_orcid("https://orcid.org/0000-0002-1825-0097")
    with pytest.raises(ValidationError):
        validate_orcid("0000-0002-1825-0098")
