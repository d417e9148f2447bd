"""The state machines of a case and of its tasks (CASES.md), and their refusals: a 409
naming the current state and the states it may move to."""

from __future__ import annotations

from coordinator import labels
from coordinator.cases.models import Case, CaseStatus, CaseTask, TaskRole, TaskStatus
from coordinator.platform.i18n import Text
from coordinator.platform.problems import StateConflict

C = CaseStatus
T = TaskStatus
_MERGE = {"merge": C.merged}
CASE_TRANSITIONS: dict[CaseStatus, dict[str, CaseStatus]] = {
    C.new: {"accept": C.accepted, "reject": C.rejected, **_MERGE},
    C.accepted: {"start": C.in_progress, "resolve": C.resolved, **_MERGE},
    C.in_progress: {"resolve": C.resolved, **_MERGE},
    C.reopened: {"start": C.in_progress, "resolve": C.resolved, **_MERGE},
    C.resolved: {
        "satisfied": C.closed,
        "unsatisfied": C.reopened,
        "close": C.closed,
        "close_unanswered": C.closed,
        "reopen": C.reopened,
    },
    C.closed: {"reopen": C.reopened},
    C.rejected: {},
    C.merged: {},
}
# Where the departments work on their tasks (accept, finish, hand back).
WORKING = frozenset({C.accepted, C.in_progress, C.reopened})
# Where the lead may add, drop or send again a department's task.
STAFFING = frozenset({C.new, C.accepted, C.in_progress, C.reopened})

TASK_TRANSITIONS: dict[TaskStatus, dict[str, TaskStatus]] = {
    T.pending: {"accept_task": T.accepted, "hand_back": T.returned, "drop": T.dropped},
    T.accepted: {"done": T.done, "hand_back": T.returned, "drop": T.dropped},
    T.returned: {"resend": T.pending, "drop": T.dropped},
    T.done: {},
    T.dropped: {},
}
LIVE_TASK = frozenset({T.pending, T.accepted, T.returned, T.done})
OPEN_TASK = frozenset({T.pending, T.accepted})
# Not done, not dropped: a returned task blocks resolving until dropped or sent again.
UNFINISHED = frozenset({T.pending, T.accepted, T.returned})


class CaseStateConflict(StateConflict):
    title = Text("案件当前状态不允许此操作", "Not allowed in the case's current state")


class TaskStateConflict(StateConflict):
    title = Text("任务当前状态不允许此操作", "Not allowed in the task's current state")


def case_refusal(case: Case, action: str, detail: Text | None = None) -> CaseStateConflict:
    moves = CASE_TRANSITIONS[case.status]
    return CaseStateConflict(
        detail
        or Text("案件当前状态为{s}，不能{a}", "The case is {s}; it cannot {a}").format(
            s=labels.label(case.status), a=labels.action(action)
        ),
        current=case.status.value,
        allowed={target.value for name, target in moves.items() if name != "start"},
        extra={"allowed_actions": sorted(name for name in moves if name != "start")},
    )


def ensure_case(case: Case, action: str) -> CaseStatus:
    """The state `action` moves the case to, or a 409 naming where it is and may go."""
    target = CASE_TRANSITIONS[case.status].get(action)
    if target is None:
        raise case_refusal(case, action)
    return target


def ensure_case_in(case: Case, states: frozenset[CaseStatus], action: str) -> None:
    """A task action needs its case in one of `states` (the case's state is refused)."""
    if case.status not in states:
        raise case_refusal(
            case,
            action,
            Text(
                "案件当前状态为{s}，不能对其任务{a}", "The case is {s}; its tasks cannot {a}"
            ).format(s=labels.label(case.status), a=labels.action(action)),
        )


def task_moves(task: CaseTask) -> dict[str, TaskStatus]:
    """What can be done to the task now: the lead's is never handed back nor dropped."""
    moves = TASK_TRANSITIONS[task.status]
    if task.role == TaskRole.lead:
        return {k: v for k, v in moves.items() if k not in ("hand_back", "drop")}
    return moves


def ensure_task(task: CaseTask, action: str) -> TaskStatus:
    """The state `action` moves the task to, or a 409 naming where it is and may go."""
    moves = task_moves(task)
    target = moves.get(action)
    if target is not None:
        return target
    if task.role == TaskRole.lead and action in ("hand_back", "drop"):
        detail = Text(
            "牵头部门的任务不能{a}", "The lead department may not {a} its own task"
        ).format(a=labels.action(action))
    else:
        detail = Text("任务当前状态为{s}，不能{a}", "The task is {s}; it cannot {a}").format(
            s=labels.label(task.status), a=labels.action(action)
        )
    raise TaskStateConflict(
        detail,
        current=task.status.value,
        allowed={t.value for t in moves.values()},
        extra={"allowed_actions": sorted(moves), "task_id": str(task.id)},
    )
