"""Every state machine refuses every (state, action) pair that its table does not list."""

from __future__ import annotations

from enum import StrEnum
from itertools import product
from typing import Any

import pytest

from workflow.domain.errors import Refused
from workflow.domain.states import Machine
from workflow.flows import FLOWS


def enums_of(machine: Machine[Any, Any]) -> tuple[type[StrEnum], type[StrEnum]]:
    """The state and action enums of a machine, read off its table's keys."""
    state, action = next(iter(machine.table))
    return type(state), type(action)


# Every flow declares its state tables; none is listed here by hand.
MACHINES: list[tuple[Machine[Any, Any], type[StrEnum], type[StrEnum]]] = [
    (machine, *enums_of(machine)) for flow in FLOWS for machine in flow.machines
]
MISSING = [
    pytest.param(machine, state, action, id=f"{machine.noun}-{state.value}-{action.value}")
    for machine, states, actions in MACHINES
    for state, action in product(states, actions)
    if (state, action) not in machine.table
]
LISTED = [
    pytest.param(machine, state, action, target, id=f"{machine.noun}-{state}-{action}")
    for machine, _, _ in MACHINES
    for (state, action), target in machine.table.items()
]


@pytest.mark.parametrize(("machine", "state", "action"), MISSING)
def test_a_pair_missing_from_the_table_is_refused_in_words(
    machine: Machine[Any, Any], state: StrEnum, action: StrEnum
) -> None:
    with pytest.raises(Refused) as refused:
        machine.next(state, action)
    assert machine.noun in refused.value.reason
    assert state.value.replace("_", " ") in refused.value.reason


@pytest.mark.parametrize(("machine", "state", "action", "target"), LISTED)
def test_a_listed_pair_goes_where_the_table_says(
    machine: Machine[Any, Any], state: StrEnum, action: StrEnum, target: StrEnum
) -> None:
    assert machine.next(state, action) is target


def test_every_table_is_non_trivial() -> None:
    assert len(MISSING) > 50
    assert all(len(m.table) >= 3 for m, _, _ in MACHINES)
