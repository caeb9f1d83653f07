"""The sender's lanes: rows that may go out side by side, each lane in order."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from workflow.delivery.queue import Queued


def lanes(rows: Sequence[Queued]) -> list[list[Queued]]:
    """The rows (in id order) in lanes that may go out side by side: rows sharing a card key
    or a recipient share a lane, in order (a card's update after its post; one person's
    messages as they were written)."""
    found: list[list[Queued]] = []
    lane_of: dict[Hashable, int] = {}
    for row in rows:
        keys = [
            (kind, value)
            for kind, value in (
                ("card", row.card_key),
                ("person", row.recipient_person_id),
                ("project", row.recipient_project_id),
            )
            if value is not None
        ]
        joined = sorted({lane_of[key] for key in keys if key in lane_of})
        if not joined:
            joined = [len(found)]
            found.append([])
        into = joined[0]
        for other in joined[1:]:  # this row ties two lanes together: one lane, in id order
            found[into] = sorted(found[into] + found[other], key=lambda r: r.id)
            found[other] = []
            lane_of.update({key: into for key, lane in lane_of.items() if lane == other})
        found[into].append(row)
        lane_of.update({key: into for key in keys})
    return [lane for lane in found if lane]
