"""The GB 32100-2015 check of unified social credit codes on real and constructed codes."""

import pytest

from core.validators import credit_code_check_character, is_valid_credit_code

# Published codes (creditchina.gov.cn, the Shanghai credit portal, company
# registrations), among them codes with letters in the body and as check character.
REAL_VALID = [
    "91110000600037341L",
    "91110000710926094P",  # 中国石油化工股份有限公司
    "9144030071526726XG",  # 腾讯科技（深圳）有限公司
    "914403001922038216",  # 华为技术有限公司
    "91310000631696382C",  # 宝山钢铁股份有限公司
    "91310115MA1K3BTP2B",
    "121200004013590816",  # a public institution (1 机构编制, 2 事业单位)
    "92340602MA2PBMEM24",  # an individual business (9 工商, 2 个体工商户)
]


@pytest.mark.parametrize("code", REAL_VALID)
def test_published_codes_are_valid(code):
    assert is_valid_credit_code(code)


@pytest.mark.parametrize(
    "code",
    [
        "91110000600037341N",  # a published code with the wrong check character
        "9144030071526726XH",
        "91350211M00013FA1N",  # an early pilot code that does not follow the standard
        "91110000100000589B",  # check character should be computed, not guessed
        "9111000060003IOZSV",  # I, O, Z, S, V are not in the alphabet
        "9111000060003734",  # too short
        "911100006000373411L",  # too long
        "91A10000600037341L",  # positions 3–8 are a GB/T 2260 division code (digits)
    ],
)
def test_wrong_codes_are_invalid(code):
    assert not is_valid_credit_code(code)


@pytest.mark.parametrize(
    "first17",
    [
        "Y1110101MA0000001",  # Y 其他登记管理部门, 1
        "N2110101MA0000002",  # N 农业农村部门
        "A1100000MB0000003",  # A 中央军委改革和编制办公室
    ],
)
def test_letters_in_positions_one_and_two_are_allowed(first17):
    """GB 32100-2015 lets the registering authority and the kind be letters (which
    python-stdnum's cn.uscc refuses). No published code of that kind could be
    verified here, so these are built with the standard's own check character."""
    code = first17 + credit_code_check_character(first17)
    assert is_valid_credit_code(code)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert not is_valid_credit_code(wrong)


def test_check_character_follows_the_standard_weights():
    # Σ CᵢWᵢ for 91110000600037341 computed by hand with Wᵢ = 3^(i−1) mod 31.
    weights = [pow(3, i, 31) for i in range(17)]
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    total = sum(alphabet.index(c) * w for c, w in zip("91110000600037341", weights, strict=True))
    assert alphabet[(31 - total % 31) % 31] == "L" == credit_code_check_character("91110000600037341")


def test_company_form_names_the_field_on_a_wrong_code(world):
    from django.core.exceptions import ValidationError

    from propertymgmt.services import save_company

    with pytest.raises(ValidationError) as error:
        save_company(user=world.official, data={"name": "甲物业", "credit_code": "91110000600037341N"})
    assert "credit_code" in error.value.message_dict
    assert "校验位" in error.value.message_dict["credit_code"][0]
