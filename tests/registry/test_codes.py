"""Credit codes, mobile numbers and email addresses, checked without a database."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic_core import PydanticCustomError

from coordinator.registry.codes import (
    CREDIT_ALPHABET,
    credit_check_char,
    credit_code_problem,
    valid_credit_code,
    valid_email,
    valid_mobile,
    valid_phone,
)

alphabet_char = st.sampled_from(CREDIT_ALPHABET)
digit = st.sampled_from("0123456789")


@st.composite
def first17(draw: st.DrawFn) -> str:
    """17 characters a real code could start with: division code (3–8) in digits."""
    head = draw(st.text(alphabet_char, min_size=2, max_size=2))
    division = draw(st.text(digit, min_size=6, max_size=6))
    tail = draw(st.text(alphabet_char, min_size=9, max_size=9))
    return head + division + tail


@given(first17())
def test_code_with_its_computed_check_char_is_valid(start):
    code = start + credit_check_char(start)
    assert credit_code_problem(code) is None
    assert valid_credit_code(code.lower()) == code


@given(first17(), st.integers(min_value=0, max_value=17), st.data())
def test_changing_any_one_character_makes_the_code_invalid(start, position, data):
    code = start + credit_check_char(start)
    replacement = data.draw(alphabet_char.filter(lambda ch: ch != code[position]))
    mutated = code[:position] + replacement + code[position + 1 :]
    assert credit_code_problem(mutated) is not None
    with pytest.raises(PydanticCustomError):
        valid_credit_code(mutated)


def test_the_example_code_of_the_standard_is_valid():
    # Weighted sum of the first 17 is 1640; 1640 mod 31 = 28 and 31 - 28 = 3, the character "3".
    assert credit_check_char("91350100M000100Y4") == "3"
    assert credit_code_problem("91350100M000100Y43") is None
    assert credit_code_problem("91350100M000100Y44") == "the check character does not match"


@pytest.mark.parametrize(
    ("code", "reason", "zh"),
    [
        ("91310000MA1FL000", "must be 18 characters", "统一社会信用代码应为 18 位"),
        ("91310000MA1FL0000NN", "must be 18 characters", "统一社会信用代码应为 18 位"),
        (
            "91310000MA1FL0000O",
            "contains characters not allowed in a credit code: O",
            "统一社会信用代码含有不允许的字符：O",
        ),
        (
            "91310000MA1FL0000中",
            "contains characters not allowed in a credit code: 中",
            "统一社会信用代码含有不允许的字符：中",
        ),
        (
            "913A0000MA1FL00001",
            "characters 3 to 8 must be an administrative division code (digits)",
            "第 3–8 位应为行政区划码（数字）",
        ),
        (
            "91310000MA1FL00002",
            "the check character does not match",
            "统一社会信用代码校验位不正确",
        ),
        ("91310000MA1FL0000", "must be 18 characters", "统一社会信用代码应为 18 位"),
    ],
)
def test_invalid_codes_say_why_in_both_languages(code, reason, zh):
    with pytest.raises(PydanticCustomError) as caught:
        valid_credit_code(code)
    assert caught.value.context == {"reason": reason, "zh": zh}
    assert caught.value.message() == f"invalid credit code: {reason}"


@pytest.mark.parametrize(
    ("given_number", "stored"),
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("0086-13812345678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("19912345678", "19912345678"),
    ],
)
def test_mobile_numbers_are_normalised(given_number, stored):
    assert valid_mobile(given_number) == stored


@pytest.mark.parametrize(
    "number", ["12812345678", "1381234567", "138123456789", "021-62581234", "abcdefghijk", ""]
)
def test_invalid_mobile_numbers_are_refused(number):
    with pytest.raises(PydanticCustomError):
        valid_mobile(number)


@pytest.mark.parametrize("number", ["021-62581234", "02162581234", "62581234", "13812345678"])
def test_landlines_and_mobiles_are_phones(number):
    assert valid_phone(number) == number


def test_email_is_lowercased_and_checked():
    assert valid_email(" Wang.Li@Example.COM ") == "wang.li@example.com"
    for bad in ["wang", "wang@", "@example.com", "wang li@example.com", "wang@example"]:
        with pytest.raises(PydanticCustomError):
            valid_email(bad)
