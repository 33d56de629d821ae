"""The route table: every controller of the API, in one list."""

from __future__ import annotations

from grannsamverkan.api.burglaries import BurglaryController, PriorityAreaController
from grannsamverkan.api.goals import GoalController, MeetingController, ReportController
from grannsamverkan.api.lifecycle import LIFECYCLE_CONTROLLERS
from grannsamverkan.api.open311 import Open311Controller
from grannsamverkan.api.places import PlaceController
from grannsamverkan.api.promises import PROMISE_CONTROLLERS
from grannsamverkan.api.registry import AreaController, GroupController, HouseholdController
from grannsamverkan.api.system import AuditController, KommunController

CONTROLLERS: list[type] = [
    KommunController,
    AuditController,
    GoalController,
    MeetingController,
    ReportController,
    AreaController,
    HouseholdController,
    GroupController,
    *LIFECYCLE_CONTROLLERS,
    BurglaryController,
    PriorityAreaController,
    *PROMISE_CONTROLLERS,
    PlaceController,
    Open311Controller,
]
