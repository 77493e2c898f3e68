"""Validators for identifiers and formats our users' data must pass."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: 18 characters from this alphabet (no I, O, S, V, Z).
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_character(first17: str) -> str:
    """The check character of a unified social credit code, from its first 17."""
    total = sum(CREDIT_CODE_ALPHABET.index(ch) * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def is_valid_credit_code(code: str) -> bool:
    if len(code) != 18 or any(ch not in CREDIT_CODE_ALPHABET for ch in code):
        return False
    if not code[2:8].isdigit():
        return False
    return credit_code_check_character(code[:17]) == code[17]


def validate_credit_code(value: str) -> None:
    if not value:
        return
    code = value.strip().upper()
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，现为%(n)s位。"), code="credit_code_length", params={"n": len(code)}
        )
    bad = sorted({ch for ch in code if ch not in CREDIT_CODE_ALPHABET})
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符：%(chars)s（不使用I、O、S、V、Z）。"),
            code="credit_code_characters",
            params={"chars": "".join(bad)},
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            _("统一社会信用代码第3至8位应为登记管理机关的行政区划代码（6位数字）。"), code="credit_code_division"
        )
    if credit_code_check_character(code[:17]) != code[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确，请核对。"), code="credit_code_checksum")


MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def normalize_mobile(value: str) -> str:
    """Strip +86, spaces and dashes from a mainland mobile number."""
    digits = re.sub(r"[\s\-()（）]", "", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits


def validate_mobile(value: str) -> None:
    if value and not MOBILE_RE.match(normalize_mobile(value)):
        raise ValidationError(_("请输入11位中国大陆手机号码。"), code="invalid_mobile")


def validate_contact_phone(value: str) -> None:
    """A mobile number or a landline with area code (010-64211234)."""
    if not value:
        return
    compact = re.sub(r"[\s()（）]", "", value)
    if MOBILE_RE.match(normalize_mobile(value)) or LANDLINE_RE.match(compact):
        return
    raise ValidationError(
        _("请输入手机号码或带区号的固定电话，例如 13812345678 或 010-64211234。"), code="invalid_phone"
    )


def mask_mobile(value: str) -> str:
    """138****1234: wherever the full number is not needed."""
    digits = normalize_mobile(value)
    if MOBILE_RE.match(digits):
        return f"{digits[:3]}****{digits[7:]}"
    if len(value) > 4:
        return "*" * (len(value) - 4) + value[-4:]
    return "*" * len(value)


# Bank account numbers (账号): 8 to 32 digits. Corporate accounts carry no check digit
# (bank cards' Luhn digit does not apply to them), so the number is checked for its
# form only and never corrected: a wrong digit must come back from the bank, not be guessed.
ACCOUNT_NUMBER_PATTERN = r"^[0-9]{8,32}$"
_ACCOUNT_NUMBER_RE = re.compile(ACCOUNT_NUMBER_PATTERN)


def normalize_account_number(value: str) -> str:
    """The digits of an account number as typed or pasted (spaces and dashes dropped)."""
    return re.sub(r"[\s\-]", "", value or "")


def validate_account_number(value: str) -> None:
    if not _ACCOUNT_NUMBER_RE.match(normalize_account_number(value)):
        raise ValidationError(
            _("账号应为8至32位数字（可带空格），请按开户许可证或银行回单核对。"), code="invalid_account"
        )


def mask_account_number(value: str) -> str:
    """6222 **** **** 1234: the first and last four digits, whatever the length (the
    masked form does not tell the length either)."""
    digits = normalize_account_number(value)
    if len(digits) < 8:
        return "*" * len(digits)
    return f"{digits[:4]} **** **** {digits[-4:]}"
