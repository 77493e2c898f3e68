import pytest
from django.core.exceptions import ValidationError

from core.validators import (
    credit_code_check_character,
    is_valid_credit_code,
    mask_mobile,
    normalize_mobile,
    validate_contact_phone,
    validate_credit_code,
    validate_mobile,
)

# Published codes of well-known companies.
REAL_CODES = [
    "914403001922038216",
    "91330100799655058B",
    "91440300708461136T",
    "91110000802100433B",
    "12100000400000624D",
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_credit_codes_pass(code):
    assert is_valid_credit_code(code)
    validate_credit_code(code)


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("914403001922038217", "校验位"),  # last character changed
        ("91440300192203821", "18位"),  # too short
        ("9144030019220382I6", "不允许的字符"),  # I is not in the alphabet
        ("91AB03001922038216", "行政区划代码"),  # positions 3-8 must be digits
    ],
)
def test_wrong_credit_codes_fail_with_a_reason(code, reason):
    assert not is_valid_credit_code(code)
    with pytest.raises(ValidationError, match=reason):
        validate_credit_code(code)


def test_letters_allowed_by_the_standard_in_positions_one_and_two():
    body = "N2110108MA01234567"[:17]
    code = body + credit_code_check_character(body)
    assert is_valid_credit_code(code)


def test_mobile_numbers():
    assert normalize_mobile("+86 138-1234-5678") == "13812345678"
    validate_mobile("138 1234 5678")
    with pytest.raises(ValidationError):
        validate_mobile("12812345678")
    assert mask_mobile("13812345678") == "138****5678"
    validate_contact_phone("010-64211234")
    with pytest.raises(ValidationError):
        validate_contact_phone("12345")
