"""The 70 % rule: when a forming group may be established.

A group may be established when it is still ``forming``, its area holds at least one household,
at least 70 % of those households have signed up, and it has a contact person. The share is
decided with exact integer arithmetic: ``signed / total >= 7 / 10`` is the same as
``10 * signed >= 7 * total``. The float ``share`` in :class:`Eligibility` is for display only.

Also here: the kinds and statuses of a group and the allowed status transitions.
"""

from __future__ import annotations

from datetime import date
from typing import Final, Literal, get_args

import msgspec

from grannsamverkan import messages
from grannsamverkan.domain import glossary
from grannsamverkan.domain.lifecycle import PRE_ACTIVE, STATUS_WORDS, TRANSITIONS
from grannsamverkan.errors import Conflict, FieldError, InvalidInput

__all__ = [
    "ALLOWED_TRANSITIONS",
    "GROUP_KINDS",
    "GROUP_STATUSES",
    "REASONS",
    "THRESHOLD",
    "THRESHOLD_DENOMINATOR",
    "THRESHOLD_NUMERATOR",
    "Eligibility",
    "GroupKind",
    "GroupStatus",
    "Reason",
    "active_shortfalls",
    "check_dissolution",
    "check_new_group",
    "check_transition",
    "ensure_eligible",
    "evaluate",
    "meets_threshold",
    "required_signups",
]

GroupKind = Literal["grannsamverkan", "byavakt"]
GroupStatus = Literal["forming", "proposed", "reviewed", "approved", "active", "lapsed", "dissolved"]
# A group is registered as forming, or as active when it existed before the registry.
NewGroupStatus = Literal["forming", "active"]
Reason = Literal["not_forming", "no_households", "below_threshold", "no_contact_person"]

GROUP_KINDS: Final[tuple[GroupKind, ...]] = get_args(GroupKind)
GROUP_STATUSES: Final[tuple[GroupStatus, ...]] = get_args(GroupStatus)
#: The order in which reasons are listed, always.
REASONS: Final[tuple[Reason, ...]] = get_args(Reason)

#: The status changes of domain/lifecycle.py's state machine (staged approval, lapse, dissolve).
ALLOWED_TRANSITIONS: Final[frozenset[tuple[GroupStatus, GroupStatus]]] = frozenset(
    (current, to) for (_, current), to in TRANSITIONS.items()
)

THRESHOLD_NUMERATOR: Final = 7
THRESHOLD_DENOMINATOR: Final = 10
#: For display in the API; never used for the decision.
THRESHOLD: Final = 0.7


class Eligibility(msgspec.Struct, frozen=True, kw_only=True):
    """The answer of ``GET /api/v1/groups/{id}/eligibility``."""

    group_id: int
    households_total: int
    households_signed_up: int
    share: float
    threshold: float
    required_signups: int
    missing_signups: int
    has_contact_person: bool
    eligible: bool
    reasons: list[Reason]


def required_signups(total: int) -> int:
    """The least whole number ``n`` with ``n >= 0.7 * total``: 7 of 10, 8 of 11, 1 of 1, 0 of 0."""
    if total < 0:
        raise InvalidInput("eligibility.negative_total", [FieldError.of("households_total", "eligibility.not_negative")])
    # least n with 10 n >= 7 total, i.e. ceil(7 total / 10)
    return (THRESHOLD_NUMERATOR * total + THRESHOLD_DENOMINATOR - 1) // THRESHOLD_DENOMINATOR


def meets_threshold(signed_up: int, total: int) -> bool:
    """``signed_up / total >= 7/10`` exactly. False when there are no households."""
    return total > 0 and THRESHOLD_DENOMINATOR * signed_up >= THRESHOLD_NUMERATOR * total


def evaluate(
    group_id: int,
    status: GroupStatus,
    households_total: int,
    households_signed_up: int,
    has_contact_person: bool,
) -> Eligibility:
    """Decide whether the group may be established now, and why not.

    ``reasons`` lists every failing condition in the fixed order of :data:`REASONS`. A group whose
    area holds no households gets ``no_households`` and not also ``below_threshold``.
    Raises :class:`InvalidInput` for an unknown status, negative counts, or more sign-ups than
    households (the database makes that impossible; it would mean a bug upstream).
    """
    errors: list[FieldError] = []
    if status not in GROUP_STATUSES:
        errors.append(FieldError.of("status", "group.status_unknown", status=repr(status)))
    if households_total < 0:
        errors.append(FieldError.of("households_total", "eligibility.not_negative"))
    if households_signed_up < 0:
        errors.append(FieldError.of("households_signed_up", "eligibility.not_negative"))
    elif households_signed_up > households_total >= 0:
        errors.append(
            FieldError.of("households_signed_up", "eligibility.more_signups", signed_up=households_signed_up, total=households_total)
        )
    if errors:
        raise InvalidInput("eligibility.cannot_evaluate", errors)

    required = required_signups(households_total)
    reasons: list[Reason] = []
    if status not in PRE_ACTIVE:  # forming, or on its way through the staged approval
        reasons.append("not_forming")
    if households_total == 0:
        reasons.append("no_households")
    elif not meets_threshold(households_signed_up, households_total):
        reasons.append("below_threshold")
    if not has_contact_person:
        reasons.append("no_contact_person")

    return Eligibility(
        group_id=group_id,
        households_total=households_total,
        households_signed_up=households_signed_up,
        share=households_signed_up / households_total if households_total else 0.0,
        threshold=THRESHOLD,
        required_signups=required,
        missing_signups=max(0, required - households_signed_up),
        has_contact_person=has_contact_person,
        eligible=not reasons,
        reasons=reasons,
    )


def ensure_eligible(eligibility: Eligibility) -> None:
    """Raise :class:`Conflict` (with ``reasons`` and the counts in ``extra``) unless eligible."""
    if eligibility.eligible:
        return
    raise Conflict(
        "eligibility.not_eligible",
        group_id=eligibility.group_id,
        reasons="; ".join(messages.text(f"eligibility.reason.{r}") for r in eligibility.reasons),
        extra={
            "reasons": list(eligibility.reasons),
            "households_total": eligibility.households_total,
            "households_signed_up": eligibility.households_signed_up,
            "required_signups": eligibility.required_signups,
            "missing_signups": eligibility.missing_signups,
        },
    )


def check_new_group(status: str, established_on: date | None, today: date) -> bool:
    """May a group be registered with this status and date? Answers whether it is an existing group
    (one that was active before the registry); :class:`InvalidInput` naming the field otherwise."""
    if status not in ("forming", "active"):
        raise InvalidInput.at("status", "group.new_status")
    existing = status == "active"
    if existing and (established_on is None or established_on > today):
        raise InvalidInput.at("established_on", "group.existing_needs_date")
    if not existing and established_on is not None:
        raise InvalidInput.at("established_on", "group.established_on_set")
    return existing


def check_dissolution(established_on: date | None, dissolved_on: date) -> None:
    """A group cannot be dissolved before the day it was established."""
    if established_on and dissolved_on < established_on:
        raise InvalidInput.at("dissolved_on", "group.dissolved_before_established", established_on=established_on)


def check_transition(current: GroupStatus, target: GroupStatus) -> None:
    """Raise :class:`Conflict` unless ``current → target`` is an allowed status change.

    Staying in the same status is not a transition and is refused too (establishing an active
    group twice is a conflict, not a no-op).
    """
    for field, value in (("status", current), ("target", target)):
        if value not in GROUP_STATUSES:
            raise InvalidInput(
                "group.status_unknown",
                [FieldError.of(field, "group.status_one_of", statuses=messages.choices(glossary.GROUP_STATUSES, GROUP_STATUSES))],
                status=repr(value),
            )
    if (current, target) not in ALLOWED_TRANSITIONS:
        raise Conflict(
            "group.transition",
            current=STATUS_WORDS.get(current, current),
            target=STATUS_WORDS.get(target, target),
            extra={"current_status": current, "requested_status": target},
        )


def active_shortfalls(
    households_total: int, households_signed_up: int, has_contact_person: bool, *, registered_as_existing: bool
) -> list[Reason]:
    """Why an active group no longer meets the rule it was established under (empty when it does).

    A group registered as existing before the registry was not established by the registry's
    sign-ups, so its share is not held against it; every active group needs a contact person.
    """
    reasons: list[Reason] = []
    if not registered_as_existing and not meets_threshold(households_signed_up, households_total):
        reasons.append("below_threshold")
    if not has_contact_person:
        reasons.append("no_contact_person")
    return reasons
