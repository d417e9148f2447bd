"""Identifiers with rules of their own: credit codes, phone numbers, email addresses."""

from __future__ import annotations

import re

from pydantic_core import PydanticCustomError

# GB 32100-2015: 18 characters from this alphabet (no I, O, S, V, Z); the last is a check character.
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUES = {ch: i for i, ch in enumerate(CREDIT_ALPHABET)}


def credit_check_char(first17: str) -> str:
    """The check character for the first 17 characters of a credit code."""
    total = sum(_VALUES[ch] * w for ch, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """Why a credit code is invalid (English), or None if it is valid."""
    if len(code) != 18:
        return "must be 18 characters"
    bad = sorted({ch for ch in code if ch not in _VALUES})
    if bad:
        return "contains characters not allowed in a credit code: " + "".join(bad)
    if not code[2:8].isdigit():
        return "characters 3 to 8 must be an administrative division code (digits)"
    if credit_check_char(code[:17]) != code[17]:
        return "the check character does not match"
    return None


_CREDIT_ZH = {
    "must be 18 characters": "统一社会信用代码应为 18 位",
    "the check character does not match": "统一社会信用代码校验位不正确",
    "characters 3 to 8 must be an administrative division code (digits)": (
        "第 3–8 位应为行政区划码（数字）"
    ),
}


def valid_credit_code(value: str) -> str:
    code = value.strip().upper()
    reason = credit_code_problem(code)
    if reason:
        zh = (
            _CREDIT_ZH.get(reason)
            or "统一社会信用代码含有不允许的字符：" + reason.rsplit(": ", 1)[-1]
        )
        raise PydanticCustomError(
            "credit_code", "invalid credit code: {reason}", {"reason": reason, "zh": zh}
        )
    return code


_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_PHONE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?|\d{7,8})$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def _digits(value: str) -> str:
    cleaned = re.sub(r"[\s()]", "", value)
    for prefix in ("+86", "0086"):
        if cleaned.startswith(prefix):
            cleaned = cleaned[len(prefix) :].lstrip("-")
    return cleaned


def valid_mobile(value: str) -> str:
    """A mainland mobile number, normalised to 11 digits (+86 and spaces dropped)."""
    number = _digits(value).replace("-", "")
    if not _MOBILE.match(number):
        raise PydanticCustomError(
            "mobile",
            "must be a mainland China mobile number (11 digits starting with 1)",
            {"zh": "应为中国大陆手机号码（以 1 开头的 11 位数字）"},
        )
    return number


def valid_phone(value: str) -> str:
    """A mainland mobile or landline number (e.g. 021-62581234)."""
    number = _digits(value)
    if not _PHONE.match(number):
        raise PydanticCustomError(
            "phone",
            "must be a mainland China mobile or landline number",
            {"zh": "应为中国大陆手机或固定电话号码"},
        )
    return number


def valid_email(value: str) -> str:
    address = value.strip()
    if len(address) > 254 or not _EMAIL.match(address):
        raise PydanticCustomError("email", "must be an email address", {"zh": "应为电子邮件地址"})
    return address.lower() if address.isascii() else address
