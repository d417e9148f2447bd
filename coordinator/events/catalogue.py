"""Every event type Fumin raises: facts in the past tense."""

from __future__ import annotations

REGISTRY_ENTITIES = (
    "area",
    "building",
    "company",
    "contact",
    "party_branch",
    "person",
    "team",
)

EVENT_TYPES: dict[str, str] = {
    **{
        f"{entity}.{verb}": f"a {entity.replace('_', ' ')} was {verb}"
        for entity in REGISTRY_ENTITIES
        for verb in ("created", "updated", "deleted")
    },
    "team.member_added": "a person joined a team",
    "team.member_removed": "a person left a team",
    "department.created": "a department was created",
    "department.updated": "a department changed (its lead too)",
    "department.deleted": "a department was deleted",
    "department.member_added": "a person joined a department",
    "department.member_removed": "a person left a department",
    "visit.proposed": "a visit time was proposed to a company contact",
    "visit.confirmed": "the contact confirmed a visit",
    "visit.declined": "the contact declined a visit",
    "visit.reschedule_requested": "the contact asked for another time",
    "visit.rescheduled": "a visit was moved",
    "visit.cancelled": "a visit was cancelled",
    "visit.completed": "a visit took place",
    "visit.no_show": "a visit did not take place",
    "dwelling.state_changed": "a dwelling's state changed",
    "dwelling.conflict_flagged": "a result about a dwelling changed meanwhile was kept for review",
    "round.started": "a block leader started a round of their block",
    "round.completed": "a block leader ended a round of their block",
    "round.overdue": "a block went unwalked too long: its leader, then the area's lead, told",
    "block_leader_link.issued": "a block leader's personal link was issued (mailed to them)",
    "survey_campaign.created": "a survey campaign was created",
    "survey_campaign.updated": "a survey campaign changed (its areas or period)",
    "survey_campaign.deleted": "a survey campaign was deleted",
    "survey.result_recorded": "a block leader's result at a dwelling's door was recorded",
    "survey.revisit_escalated": "nobody was home at a dwelling a third time: the area lead is told",
    "need.raised": "a company raised a need",
    "need.assigned": "a need was assigned",
    "need.resolved": "a need was resolved",
    "need.closed": "a need was closed",
    "need.reopened": "a resolved or closed need was opened again",
    "company.liaison_assigned": "a company's designated liaison was assigned or changed",
    "visit.reminder_due": "a confirmed visit is coming up: remind the contact and liaison",
    "visit.escalated": "a proposal went unanswered: the contact reminded, or leads alerted",
    "shift.created": "a shift was created",
    "shift.updated": "a shift changed",
    "shift.cancelled": "a shift was cancelled",
    "shift.filled": "a shift reached its maximum",
    "shift.understaffed": "a shift is below its minimum close to its start",
    "signup.created": "a person signed up for a shift",
    "signup.cancelled": "a signup was cancelled",
    "signup.promoted": "a waitlisted person got a place",
    "signup.checked_in": "a person checked in",
    "signup.no_show": "a person did not come",
    "signup.checked_out": "a person finished their duty",
    "signup.swapped": "a person took over another's place on a shift",
    "shift.reminder_due": "a shift is coming up: remind the person signed up",
    "case.created": "a case was filed",
    "case.accepted": "a case was accepted (受理)",
    "case.assigned": "a department was given a task on a case",
    "task.accepted": "a department accepted its task on a case",
    "task.done": "a department finished its task on a case",
    "task.returned": "a co-handling department handed its task back",
    "task.dropped": "a department's task on a case was dropped",
    "task.noted": "a progress note (with photos) was added to a department's task",
    "handler_link.issued": "a field handler's personal link was issued (mailed to them)",
    "case.escalated": "a case's task is overdue: its department lead or coordinators alerted",
    "case.resolved": "a case was resolved (办结): the reporter is asked to confirm",
    "case.closed": "a case was closed: confirmed by its reporter, unanswered, or by a coordinator",
    "case.reopened": "a resolved or closed case was opened again",
    "case.rejected": "a case was not accepted",
    "case.merged": "a case was merged into another (its master)",
    "case.reminder_due": "a case's task is coming due: remind its assignee",
    "work_calendar.changed": "work calendar days changed: deadlines in working time may move",
}

# Fields of event data that carry a capability (a link that acts for its holder): they go
# to signed webhooks (an SMS gateway texts the link) but never into the readable event feed.
PRIVATE_FIELDS = frozenset({"link"})
