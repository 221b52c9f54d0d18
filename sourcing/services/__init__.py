"""Writes of the sourcing app. Import the functions from here.

Sourcing decides and reserves; it never writes orders (see ``routing``)."""

from .profiles import profile_current, profile_draft_from, profile_publish
from .routing import (
    CapacityTaken,
    PlannedWork,
    SourcingLine,
    SourcingPlan,
    SourcingRequest,
    location_failure_record,
    profile_rules,
    sourcing_plan_reserve,
)

__all__ = [
    "CapacityTaken",
    "PlannedWork",
    "SourcingLine",
    "SourcingPlan",
    "SourcingRequest",
    "location_failure_record",
    "profile_current",
    "profile_draft_from",
    "profile_publish",
    "profile_rules",
    "sourcing_plan_reserve",
]
