"""What waits on whom, as SQL rows: the read-side queries behind `Views.waiting`.

A flow's `waiting` (`workflow.flows.waiting.Waits`) builds its domain objects and asks them;
pending only shows (kind, item, title, person waited on, since) rows, oldest first, cut at
60. For the aggregates listed in `QUERIES` this module answers that from one indexed
statement that returns only the rows shown. Each query states the same rule as the
domain's (a property test holds them equal: `tests/integration/test_waiting_rows.py`);
a flow whose rule is not here keeps the domain path.

Every row carries `rank`: the order of the person within the item, as the domain lists
them (participants in the order they joined), so ties in `since` fall as they did.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    String,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql import Select

from workflow.domain.change_versions import Verdict
from workflow.domain.changes import ChangeRequest, CRState
from workflow.domain.insight import PendingItem
from workflow.domain.projects import ApprovalOrder, ApprovalRule, CustomerKind, Role
from workflow.persistence import tables as t
from workflow.ports import Shown

COLUMNS = ("kind", "item_id", "project_id", "title", "waiting_on", "since", "rank")
# A sponsor who is not also a customer comes after the customers.
_LATER = literal(1 << 40, BigInteger)


def _change_request_turns() -> Select[Any]:
    """Open change requests: pending ones wait on each approver whose turn it is and who
    has not decided on the current version (`ChangeRequest.turn` under `Approvers.of` the
    project: a side that is done, enough customers or every sponsor, waits on nobody);
    paused ones wait on the PMs, since the first open question."""
    cr, pr = t.change_requests.c, t.projects.c
    version = t.change_request_versions.alias("cur")
    latest = t.change_request_versions.alias("latest")
    decision, question = t.change_request_decisions.alias("d"), t.change_request_questions.c
    customer, who = t.participants.alias("cust"), t.participants.alias("who")
    current = select(func.max(latest.c.number)).where(latest.c.change_request_id == cr.id)
    joined = t.change_requests.join(
        version,
        and_(version.c.change_request_id == cr.id, version.c.number == current.scalar_subquery()),
    ).join(t.projects, pr.id == cr.project_id)
    title = literal("CR-") + cast(cr.id, String) + literal(" ") + version.c.title

    def decided(person: Any, verdict: Verdict | None = None) -> Any:
        on = [
            decision.c.change_request_id == cr.id,
            decision.c.version == version.c.number,
            decision.c.approver_id == person,
        ]
        found = exists().where(*on, *([decision.c.verdict == verdict] if verdict else []))
        # Nested in a subquery over `customer`, it still belongs to the outer item.
        return found.correlate_except(decision)

    customers = select(func.count(customer.c.id)).where(
        customer.c.project_id == pr.id, customer.c.role == Role.CUSTOMER
    )
    count = customers.scalar_subquery()
    quorum = func.coalesce(pr.quorum, 1)
    needed = case(
        (pr.approval_rule == ApprovalRule.ANY, case((count < 1, count), else_=1)),
        (pr.approval_rule == ApprovalRule.QUORUM, case((quorum < count, quorum), else_=count)),
        else_=count,
    )
    approvals = customers.where(decided(customer.c.person_id, Verdict.APPROVE)).scalar_subquery()
    external = exists().where(
        customer.c.project_id == pr.id,
        customer.c.role == Role.CUSTOMER,
        customer.c.customer_kind == CustomerKind.EXTERNAL,
    )
    sponsor_waits = exists().where(
        customer.c.project_id == pr.id,
        customer.c.role == Role.SPONSOR,
        not_(decided(customer.c.person_id, Verdict.APPROVE)),
    )
    sponsors_first = and_(pr.approval_order == ApprovalOrder.SPONSOR_FIRST, external, sponsor_waits)
    customers_first = and_(pr.approval_order == ApprovalOrder.CUSTOMER_FIRST, approvals < needed)
    # A lower bound of the rows an item shows when nobody is singled out, cheap to work out:
    # unless the sponsor may come first, every customer who has not decided on this version
    # waits while the customers are not done (the people are counted once, everyone's
    # decisions taken off) - surely so under "every customer", or before anyone decided.
    decided_here = (
        select(func.count(decision.c.id))
        .where(decision.c.change_request_id == cr.id, decision.c.version == version.c.number)
        .scalar_subquery()
    )
    distinct_customers = select(func.count(func.distinct(customer.c.person_id))).where(
        customer.c.project_id == pr.id, customer.c.role == Role.CUSTOMER
    )
    surely_open = or_(pr.approval_rule == ApprovalRule.ALL, decided_here == 0)
    left = case((surely_open, distinct_customers.scalar_subquery() - decided_here), else_=0)
    opened = (
        select(
            cr.id.label("item_id"),
            cr.project_id.label("project_id"),
            version.c.number.label("number"),
            version.c.created_at.label("since"),
            pr.approval_order.label("approval_order"),
            left.label("left"),
        )
        .select_from(joined)
        .where(cr.state == CRState.PENDING, cr.project_id.in_(_PROJECTS))
        .offset(0)
        .subquery("opened")
    )
    everyone = bindparam("person", type_=Integer).is_(None)
    customers_wait = opened.c.approval_order != ApprovalOrder.SPONSOR_FIRST
    at_least = case((and_(everyone, customers_wait, opened.c.left > 0), opened.c.left), else_=0)
    # Only the first `:limit` rows are shown: an item whose earlier items surely make that
    # many is never looked at further (pending costs what it shows, not all that is open).
    before = func.sum(at_least).over(
        order_by=(opened.c.since, opened.c.project_id, opened.c.item_id), rows=(None, -1)
    )
    ranked = select(
        opened.c.item_id, opened.c.number, func.coalesce(before, 0).label("before")
    ).subquery("ranked")
    kept = select(ranked).where(ranked.c.before < bindparam("limit", type_=Integer)).subquery()
    # Whose turn it may be, worked out once per kept change request (OFFSET 0 keeps the
    # planner from folding it into the join with the people, which would work it out per
    # person); the joins by key put `cr`, `cur` and the project back under the expressions.
    again = (
        kept.join(t.change_requests, cr.id == kept.c.item_id)
        .join(version, and_(version.c.change_request_id == cr.id,
                            version.c.number == kept.c.number))
        .join(t.projects, pr.id == cr.project_id)
    )  # fmt: skip
    items = (
        select(
            cr.id.label("item_id"),
            cr.project_id.label("project_id"),
            title.label("title"),
            version.c.number.label("number"),
            version.c.created_at.label("since"),
            case((and_(approvals < needed, not_(sponsors_first)), 1), else_=0).label("customers"),
            case((and_(external, not_(customers_first)), 1), else_=0).label("sponsors"),
        )
        .select_from(again)
        .offset(0)
        .subquery("turn")
    )
    may_decide = or_(
        and_(who.c.role == Role.CUSTOMER, items.c.customers == 1),
        and_(who.c.role == Role.SPONSOR, items.c.sponsors == 1),
    )
    undecided = ~exists().where(
        decision.c.change_request_id == items.c.item_id,
        decision.c.version == items.c.number,
        decision.c.approver_id == who.c.person_id,
    )
    place = cast(who.c.id, BigInteger)
    rank = func.min(case((who.c.role == Role.CUSTOMER, place), else_=place + _LATER))
    pending = (
        select(
            literal("change_request").label("kind"),
            items.c.item_id,
            items.c.project_id,
            items.c.title,
            who.c.person_id.label("waiting_on"),
            items.c.since,
            rank.label("rank"),
        )
        .select_from(items.join(who, who.c.project_id == items.c.project_id))
        .where(may_decide, undecided)
        .group_by(*(items.c[k] for k in ("item_id", "project_id", "title", "since")))
        .group_by(who.c.person_id)
    )
    parts = [(pending, items.c.project_id)]
    first_open = (
        select(question.asked_at)
        .where(question.change_request_id == cr.id, question.answer.is_(None))
        .order_by(question.id)
        .limit(1)
        .scalar_subquery()
    )
    paused = (
        select(
            literal("change_request").label("kind"),
            cr.id.label("item_id"),
            cr.project_id.label("project_id"),
            title.label("title"),
            who.c.person_id.label("waiting_on"),
            first_open.label("since"),
            cast(who.c.id, BigInteger).label("rank"),
        )
        .select_from(joined.join(who, who.c.project_id == cr.project_id))
        .where(cr.state == CRState.PAUSED, who.c.role == Role.PM)
    )
    parts.append((paused, cr.project_id))
    return _filtered(parts, person=who.c.person_id)


_PROJECTS: Any = bindparam("projects", expanding=True)


def _filtered(parts: list[tuple[Select[Any], Any]], person: Any) -> Select[Any]:
    """The parts, each kept to the projects asked about (its project column) and to the
    person, when one is given (`:person` NULL means everyone)."""
    mine = or_(bindparam("person", type_=Integer).is_(None), person == bindparam("person"))
    kept = [part.where(project.in_(_PROJECTS), mine) for part, project in parts]
    rows = union_all(*kept).subquery("waiting")
    return select(*(rows.c[name] for name in COLUMNS))


# The aggregates whose waiting the read model answers in SQL, and their query.
QUERIES: dict[type, Callable[[], Select[Any]]] = {ChangeRequest: _change_request_turns}


@functools.cache
def waiting_query(aggregates: tuple[type, ...]) -> Select[Any]:
    """The rows of `aggregates`' queries (in that order: `flow` is the index), oldest first,
    cut at `:limit`."""
    parts = []
    for index, aggregate in enumerate(aggregates):
        rows = QUERIES[aggregate]().subquery(f"flow{index}")
        parts.append(select(*rows.c, literal(index).label("flow")))
    every = union_all(*parts).subquery("every") if len(parts) > 1 else parts[0].subquery("every")
    order = (every.c.since, every.c.project_id, every.c.flow, every.c.item_id, every.c.rank)
    return select(every).order_by(*order).limit(bindparam("limit", type_=Integer))


def shown(rows: Iterable[Any], flows: Sequence[int]) -> list[Shown]:
    """`waiting_query`'s rows, each with the place of its flow in the caller's question."""
    return [
        Shown(
            PendingItem(r.kind, r.item_id, r.project_id, r.title, r.waiting_on, r.since),
            flows[r.flow],
            r.rank,
        )
        for r in rows
    ]
