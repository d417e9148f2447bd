"""Run the README's shell examples and check what their comments say they answer.

Every ```sh (or ```bash) block runs, in the README's order, in one bash process, so the
variables a block sets carry over to the next ones; ```console blocks are shown, not run
(commands like `make run`), and must not hold a curl example. Every curl call is recorded
(status, headers, body). A comment line right after a command that begins with a status
(`# 201 …`) or a body (`# {…}`) is a promise about the last call: its status, a
`Location: /prefix…` it names, and every `"key": value` pair it shows whose value is
written out in full (no `…`), found anywhere in the JSON answer. A call no comment speaks
of must answer 2xx, and each curl command written runs exactly once.

Against a running Fumin:
    PORT=8080 python -m tests.docs.readme README.md     (from the folder holding var/)
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RUN = {"sh", "bash"}
FENCE = re.compile(r"^(\s*)```(\S*)\s*$")
PROMISE = re.compile(r"^\s*#\s*(\d{3}\b|\{)")
COMMENT = re.compile(r"^\s*#")
STATUS = re.compile(r"^#\s*(\d{3})\b")
LOCATION = re.compile(r"Location:\s*(\S+)")
CALL = re.compile(r"^[^#\n]*?(?<![\w-])curl\s", re.MULTILINE)  # a command, not a comment
PAIR = re.compile(r'"([^"\\]+)":\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false|null)')

PRELUDE = r"""
set -euo pipefail
echo 0 > "$README_CALLS/count"
: > "$README_CALLS/promises"
curl() {
  local n=$(( $(cat "$README_CALLS/count") + 1 ))
  echo "$n" > "$README_CALLS/count"
  printf '%s\n' "$*" > "$README_CALLS/$n.args"
  command curl -D "$README_CALLS/$n.headers" -w '%{stderr}%{http_code}' "$@" \
    2> "$README_CALLS/$n.status" | tee "$README_CALLS/$n.body"
}
__promise() { echo "$1 $(cat "$README_CALLS/count")" >> "$README_CALLS/promises"; }
"""


@dataclass
class Block:
    info: str
    line: int  # of the first line inside the fence, 1-based
    lines: list[str]

    @property
    def runs(self) -> bool:
        return self.info in RUN

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def blocks(markdown: str) -> list[Block]:
    found: list[Block] = []
    current: Block | None = None
    indent = ""
    for number, line in enumerate(markdown.splitlines(), start=1):
        fence = FENCE.match(line)
        if current is None:
            if fence:
                indent = fence.group(1)
                current = Block(info=fence.group(2), line=number + 1, lines=[])
        elif fence and fence.group(2) == "":
            found.append(current)
            current = None
        else:
            current.lines.append(line[len(indent) :] if line.startswith(indent) else line)
    assert current is None, f"a code block opened on line {current.line - 1} never closes"
    return found


@dataclass
class Promise:
    line: int
    text: str
    call: int = 0


def script(found: list[Block]) -> tuple[str, dict[int, Promise]]:
    """The bash script running every block, and the promises its comments make by line."""
    out = [PRELUDE]
    promises: dict[int, Promise] = {}
    for block in found:
        if not block.runs:
            continue
        out.append(f"# README line {block.line}")
        open_promise: Promise | None = None
        for offset, line in enumerate(block.lines):
            number = block.line + offset
            if open_promise and COMMENT.match(line):
                open_promise.text += " " + line.strip().lstrip("#").strip()
                out.append(line)
                continue
            open_promise = None
            if PROMISE.match(line):
                open_promise = promises[number] = Promise(number, line.strip())
                out.append(f"__promise {number}")
            else:
                out.append(line)
    return "\n".join(out) + "\n", promises


@dataclass
class Call:
    number: int
    args: str
    status: int
    headers: dict[str, str]
    body: str
    promised: bool = field(default=False)

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


def load_calls(folder: Path) -> list[Call]:
    calls = []
    for n in range(1, int((folder / "count").read_text()) + 1):
        raw = (folder / f"{n}.headers").read_text(errors="replace")
        last = re.split(r"\r?\n\r?\n(?=HTTP/)", raw.strip())[-1]
        headers = {}
        for line in last.splitlines()[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        status = (folder / f"{n}.status").read_text()[-3:]
        calls.append(
            Call(
                number=n,
                args=(folder / f"{n}.args").read_text().strip(),
                status=int(status) if status.isdigit() else 0,
                headers=headers,
                body=(folder / f"{n}.body").read_text(errors="replace"),
            )
        )
    return calls


def _pairs(value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        out = list(value.items())
        for item in value.values():
            out += _pairs(item)
        return out
    if isinstance(value, list):
        return [pair for item in value for pair in _pairs(item)]
    return []


def broken(promise: Promise, call: Call) -> list[str]:
    """What the answer does not keep of what the comment says."""
    wrong = []
    status = STATUS.match(promise.text)
    if status and int(status.group(1)) != call.status:
        wrong.append(f"status {call.status}, not {status.group(1)}")
    elif not status and not 200 <= call.status < 300:
        wrong.append(f"status {call.status}")
    location = LOCATION.search(promise.text)
    if location:
        prefix = location.group(1).rstrip(",").split("…")[0]
        if prefix not in call.headers.get("location", ""):
            wrong.append(f"Location {call.headers.get('location')!r} lacks {prefix!r}")
    body = call.json()
    answered = _pairs(body)
    for key, raw in PAIR.findall(promise.text):
        if "…" in raw:
            continue
        value = json.loads(raw)
        if (key, value) not in answered:
            wrong.append(f"no {key}: {raw} in the answer")
    return wrong


def check(promises: dict[int, Promise], folder: Path) -> list[str]:
    """Every broken promise, and every call answering other than 2xx unannounced."""
    calls = load_calls(folder)
    problems = []
    for line in (folder / "promises").read_text().split("\n"):
        if not line:
            continue
        number, index = (int(part) for part in line.split())
        promise = promises[number]
        if index == 0:
            problems.append(f"line {number}: {promise.text!r} follows no curl call")
            continue
        call = calls[index - 1]
        call.promised = True
        for wrong in broken(promise, call):
            problems.append(f"line {number}: {wrong}\n    {call.args}\n    {call.body[:500]}")
    for call in calls:
        if not call.promised and not 200 <= call.status < 300:
            problems.append(f"status {call.status}: {call.args}\n    {call.body[:500]}")
    return problems


def run(readme: Path, env: dict[str, str], cwd: Path, timeout: float = 120) -> list[str]:
    """Run the README's blocks; what went wrong (empty when it runs as written)."""
    found = blocks(readme.read_text())
    problems = [
        f"line {block.line}: a curl example in a ```{block.info} block, which does not run"
        for block in found
        if not block.runs and "curl " in block.text
    ]
    text, promises = script(found)
    with tempfile.TemporaryDirectory(prefix="readme-calls-") as calls:
        done = subprocess.run(
            ["bash", "-c", text],
            env={**env, "README_CALLS": calls},
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode:
            problems.append(f"bash exited {done.returncode}: {done.stderr[-2000:]}")
        problems += check(promises, Path(calls))
        written = sum(len(CALL.findall(block.text)) for block in found if block.runs)
        made = int((Path(calls) / "count").read_text() or 0)
        if made != written:
            problems.append(f"{written} curl commands in the README, {made} calls made")
    return problems


if __name__ == "__main__":
    import os

    problems = run(
        Path(sys.argv[1] if len(sys.argv) > 1 else "README.md"), dict(os.environ), Path.cwd()
    )
    print("\n".join(problems) or "the README runs as written")
    sys.exit(1 if problems else 0)
