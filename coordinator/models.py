"""Every model, imported so the metadata is complete (for Alembic and reference checks)."""

from coordinator.audit.models import AuditEntry
from coordinator.auth.models import ApiToken
from coordinator.calendars.models import FeedToken
from coordinator.campaigns.models import Campaign, CampaignLiaison, CampaignPlanItem
from coordinator.cases.categories.models import CaseCategory, CaseRoute, CaseRouteHelper
from coordinator.cases.clock.models import CaseStep
from coordinator.cases.models import Case, CaseNote, CasePhoto, CaseTask
from coordinator.cases.reports import models as case_report_indexes
from coordinator.departments.models import Department, DepartmentMember
from coordinator.events.models import OutboxEvent
from coordinator.housing.models import (
    AreaSurvey,
    Block,
    BlockPerson,
    BlockUnit,
    Compound,
    Dwelling,
    DwellingStateChange,
    HousingBuilding,
    StateColour,
)
from coordinator.housing.places.models import AreaCoordinator
from coordinator.housing.rounds.models import Round, RoundStep
from coordinator.housing.surveys.models import (
    SurveyCampaign,
    SurveyCampaignArea,
    SurveyResult,
    SurveyRevisit,
)
from coordinator.links.models import CapabilityLink, LinkUse
from coordinator.notifications.models import Delivery, WebhookSubscription
from coordinator.open311.models import Open311Item, Open311Key, Open311Request
from coordinator.people.models import Person, Team, TeamMember
from coordinator.photos.models import Photo
from coordinator.platform.db import Base
from coordinator.registry.models import (
    Area,
    Building,
    Company,
    Contact,
    PartyBranch,
    party_branch_buildings,
)
from coordinator.shifts.models import (
    ChecklistTick,
    HoursEntry,
    Post,
    Shift,
    ShiftReminder,
    ShiftSeries,
    Signup,
)
from coordinator.visits.models import Visit, VisitReminder
from coordinator.worktime.models import WorkCalendarDay

__all__ = [
    "ApiToken",
    "Area",
    "AreaCoordinator",
    "AreaSurvey",
    "AuditEntry",
    "Base",
    "Block",
    "BlockPerson",
    "BlockUnit",
    "Building",
    "Campaign",
    "CampaignLiaison",
    "CampaignPlanItem",
    "CapabilityLink",
    "Case",
    "CaseCategory",
    "CaseNote",
    "CasePhoto",
    "CaseRoute",
    "CaseRouteHelper",
    "CaseStep",
    "CaseTask",
    "ChecklistTick",
    "Company",
    "Compound",
    "Contact",
    "Delivery",
    "Department",
    "DepartmentMember",
    "Dwelling",
    "DwellingStateChange",
    "FeedToken",
    "HoursEntry",
    "HousingBuilding",
    "LinkUse",
    "Open311Item",
    "Open311Key",
    "Open311Request",
    "OutboxEvent",
    "PartyBranch",
    "Person",
    "Photo",
    "Post",
    "Round",
    "RoundStep",
    "Shift",
    "ShiftReminder",
    "ShiftSeries",
    "Signup",
    "StateColour",
    "SurveyCampaign",
    "SurveyCampaignArea",
    "SurveyResult",
    "SurveyRevisit",
    "Team",
    "TeamMember",
    "Visit",
    "VisitReminder",
    "WebhookSubscription",
    "WorkCalendarDay",
    "case_report_indexes",
    "party_branch_buildings",
]
