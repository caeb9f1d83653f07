"""The sender's lanes: rows that share a card or a recipient stay in order, one lane."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workflow.delivery.sender import lanes


@dataclass(frozen=True)
class Row:
    id: int
    recipient_person_id: int | None = None
    recipient_project_id: int | None = None
    card_key: str | None = None
    project_id: int | None = 1
    op: str = "post"
    view: Any = None
    attempts: int = 0


def ids(found: list[list[Any]]) -> list[list[int]]:
    return [[row.id for row in lane] for lane in found]


def test_direct_messages_to_different_people_go_side_by_side() -> None:
    assert ids(lanes([Row(1, 10), Row(2, 11), Row(3, 12)])) == [[1], [2], [3]]


def test_a_card_update_stays_behind_its_post_and_one_persons_messages_keep_their_order() -> None:
    rows = [Row(1, 10, card_key="cr:1"), Row(2, 11), Row(3, card_key="cr:1", op="update"),
            Row(4, 10)]  # fmt: skip
    assert ids(lanes(rows)) == [[1, 3, 4], [2]]


def test_a_row_that_ties_two_lanes_joins_them_in_id_order() -> None:
    rows = [Row(1, 10), Row(2, 11, card_key="k"), Row(3, 10, card_key="k"), Row(4, None, 5)]
    assert ids(lanes(rows)) == [[1, 2, 3], [4]]
