"""Who must approve a change request under the project's policy (rule, quorum, order)."""

from __future__ import annotations

from dataclasses import dataclass

from workflow.domain.errors import Refused
from workflow.domain.projects import ApprovalOrder, Project


@dataclass
class Approvers:
    """The required approvers of a change request under its project's policy."""

    customers: list[int]
    sponsors: list[int]
    needed: int
    order: ApprovalOrder

    @classmethod
    def of(cls, project: Project) -> Approvers:
        sponsors = project.sponsors if project.has_external_customer else []
        return cls(
            project.customers(), sponsors, project.needed_customer_approvals, project.approval_order
        )

    @property
    def everyone(self) -> list[int]:
        return list(dict.fromkeys([*self.customers, *self.sponsors]))


def require_approver(person_id: int, approvers: Approvers) -> None:
    if person_id not in approvers.everyone:
        raise Refused(
            "This change request is not waiting on you: only its required approvers "
            "(the customers, and the sponsor when a customer is external) decide on it."
        )
