"""Chinese that reads as Chinese: no English word left in a Chinese message.

Codes a client must type (a field name, a header) are allowed inside 「」 only; acronyms
in ALLOWED and numbers with units ("12F", "500 字") are fine."""

from __future__ import annotations

import ast
import enum
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import coordinator
from coordinator.auth.models import Role
from coordinator.labels import ACTIONS, LABELS, either, label, render
from coordinator.platform.i18n import Text
from coordinator.platform.problems import Problem
from coordinator.shifts.models import SignupStatus
from coordinator.shifts.rules import wrong_state
from coordinator.visits import service
from coordinator.visits.models import NeedStatus, Visit, VisitStatus
from coordinator.visits.needs import service as needs

ROOT = Path(coordinator.__file__).parent
CJK = re.compile(r"[\u3400-\u9fff]")
WORD = re.compile(r"[A-Za-z]{2,}")
ALLOWED = {"JSON", "UUID", "ISO", "YYYY", "MM", "DD", "HH"}  # acronyms and date formats


def english_words(zh: str) -> list[str]:
    """The English words of a Chinese text, codes in 「」 and placeholders left out."""
    bare = re.sub(r"「[^」]*」|\{[^{}]*\}", " ", zh)
    return [w for w in WORD.findall(bare) if w not in ALLOWED]


def test_the_check_itself_finds_english():
    assert english_words("走访当前状态为 proposed") == ["proposed"]
    assert english_words("此操作需要coordinator角色") == ["coordinator"]
    assert english_words("应为「a」或「b」") == []
    assert english_words("应为 JSON 对象，12F，最多 500 字") == []


def _modules() -> list[str]:
    return [
        m.name
        for m in pkgutil.walk_packages([str(ROOT)], prefix="coordinator.")
        if not m.name.startswith("coordinator.docs")
    ]


def _enums() -> list[type[enum.StrEnum]]:
    for name in _modules():
        importlib.import_module(name)
    found: list[type[enum.StrEnum]] = []
    stack = list(enum.StrEnum.__subclasses__())
    while stack:
        kind = stack.pop()
        stack.extend(kind.__subclasses__())
        if kind.__module__.startswith("coordinator."):
            found.append(kind)
    return found


def test_every_enum_value_has_a_chinese_and_an_english_label():
    enums = _enums()
    assert Role in enums and VisitStatus in enums and len(enums) >= 15
    for kind in enums:
        assert kind in LABELS, f"{kind.__name__} has no labels"
        assert set(LABELS[kind]) == {m.value for m in kind}, kind.__name__
        for member in kind:
            text = label(member)
            assert CJK.search(text.zh) and not english_words(text.zh), (member, text)
            assert text.en and not CJK.search(text.en), (member, text)
    for name, text in ACTIONS.items():
        assert CJK.search(text.zh) and not english_words(text.zh), name
    assert render("waitlisted", "zh", SignupStatus) == "候补中"
    assert render(VisitStatus.proposed, "en") == "awaiting an answer"
    assert either([label(Role.viewer), label(Role.admin)]) == Text(
        "查看员或管理员", "viewer or admin"
    )


def _chinese_literals() -> list[tuple[str, int, str]]:
    """Every string literal in the code that is a Chinese text (its first word is Chinese),
    docstrings left out."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] == "docs" or relative.name in (
            "demo.py",
            "demo_words.py",
            "settings.py",
        ):
            continue
        tree = ast.parse(path.read_text())
        docstrings = {
            id(n.body[0].value)
            for n in ast.walk(tree)
            if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and n.body
            and isinstance(n.body[0], ast.Expr)
        }
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            if id(node) in docstrings:
                continue
            bare = re.sub(r"\{[^{}]*\}", "", node.value)
            first = re.search(r"[A-Za-z\u3400-\u9fff]", bare)
            if first and CJK.match(first.group()):
                found.append((str(relative), node.lineno, node.value))
    return found


def test_no_chinese_message_in_the_code_carries_an_english_word():
    literals = _chinese_literals()
    assert len(literals) > 200  # the scan sees the code
    left = [(p, n, v) for p, n, v in literals if english_words(v)]
    assert left == [], "\n".join(f"{p}:{n}: {v}" for p, n, v in left)


def _problem_classes() -> list[type[Problem]]:
    _enums()  # every module imported
    found, stack = [], [Problem]
    while stack:
        kind = stack.pop()
        found.append(kind)
        stack.extend(kind.__subclasses__())
    return found


def _assert_chinese(problem: Problem) -> None:
    body = problem.body("zh")
    texts = [body["title"], body["detail"], *(e["message"] for e in body.get("errors", []))]
    for text in texts:
        assert CJK.search(text) and not english_words(text), (type(problem).__name__, text)


def test_every_problem_title_is_chinese():
    for kind in _problem_classes():
        assert CJK.search(kind.title.zh) and not english_words(kind.title.zh), kind


@pytest.mark.parametrize("status", list(VisitStatus))
def test_every_refused_visit_change_names_state_and_action_in_chinese(status):
    actions = {a for moves in service.TRANSITIONS.values() for a in moves}
    refused = 0
    for action in sorted(actions - set(service.TRANSITIONS[status])):
        with pytest.raises(service.VisitStateConflict) as caught:
            service.ensure_transition(Visit(status=status), action)
        _assert_chinese(caught.value)
        assert label(status).zh in caught.value.detail.zh
        assert ACTIONS[action].zh in caught.value.detail.zh
        refused += 1
    assert refused == len(actions) - len(service.TRANSITIONS[status])


@pytest.mark.parametrize("status", list(NeedStatus))
def test_every_refused_need_change_names_state_and_action_in_chinese(status):
    actions = {a for moves in needs.NEED_TRANSITIONS.values() for a in moves}
    for action in sorted(actions - set(needs.NEED_TRANSITIONS[status])):
        with pytest.raises(needs.NeedStateConflict) as caught:
            needs._ensure(status, action)
        _assert_chinese(caught.value)
        assert label(status).zh in caught.value.detail.zh


def test_every_signup_state_refusal_is_chinese():
    for status in SignupStatus:
        problem = wrong_state(status.value)
        _assert_chinese(problem)
        assert problem.detail.zh.endswith(label(status).zh)
        assert problem.extra["current"] == status.value  # the code stays a code
    _assert_chinese(wrong_state("not_offered"))  # a swap taken that was never offered


async def test_a_403_names_the_role_needed_in_chinese(api):
    refused = await api.request("POST", "/api/v1/areas", role=Role.viewer, json={"name": "x"})
    assert refused.status == 403
    body = await refused.json()
    assert body["detail"] == "此操作需要协调员角色"
    english = await api.request(
        "POST",
        "/api/v1/areas",
        role=Role.viewer,
        json={"name": "x"},
        headers={"Accept-Language": "en"},
    )
    assert (await english.json())["detail"] == "This needs the coordinator role"


def test_chinese_mail_templates_carry_no_english_word():
    templates = sorted((ROOT / "notifications" / "templates" / "email").glob("*.zh.*"))
    assert templates
    for path in templates:
        text = re.sub(r"\{%.*?%\}|\{\{.*?\}\}|<[^>]*>", " ", path.read_text(), flags=re.S)
        text = re.sub(r"^Subject:", "", text)  # the mail header, not shown as text
        assert english_words(text) == [], path.name
