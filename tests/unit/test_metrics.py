"""What the core reports lands in the right Prometheus series: scheduler lag, send outcomes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.metrics import Metrics, send_failure
from scheduler.jobs import Ticker
from tests.fakes import FakeUnitOfWork, FixedClock
from tests.unit.conftest import World, setup_project
from workflow.domain.people import Platform
from workflow.ports import Receipt
from workflow.telemetry import refusal_kind


async def test_the_scheduler_reports_how_late_it_worked_each_due_project(world: World) -> None:
    await setup_project(world)  # due at once: at world.now
    metrics = Metrics()
    clock = FixedClock(world.now + timedelta(seconds=45))
    ticker = Ticker(world.bus, lambda: FakeUnitOfWork(world.store), clock, telemetry=metrics)
    assert await ticker.tick() == 1
    next_due = world.store.due[world.project_id]
    assert next_due is not None
    clock.at = next_due + timedelta(minutes=2)
    assert await ticker.tick() == 1
    clock.at += timedelta(seconds=10)
    assert await ticker.tick() == 0  # nothing due: nothing observed
    sample = metrics.registry.get_sample_value
    assert sample("clientloop_scheduler_lag_seconds_count") == 2
    assert sample("clientloop_scheduler_lag_seconds_sum") == 45 + 120
    assert sample("clientloop_scheduler_lag_seconds_bucket", {"le": "60.0"}) == 1


@pytest.mark.parametrize(
    ("receipt", "reason"),
    [
        (Receipt(error="ratelimited", retry_after=3.0), "rate_limited"),
        (Receipt(error="channel_not_found", permanent=True), "permanent"),
        (Receipt(error="slack http 500: server error"), "transient"),
    ],
)
def test_a_failed_send_is_counted_by_platform_and_reason(receipt: Receipt, reason: str) -> None:
    metrics = Metrics()
    metrics.delivered(Platform.TEAMS, receipt)
    metrics.delivered(Platform.TEAMS, Receipt(message_id="1"))
    assert send_failure(receipt) == reason
    sample = metrics.registry.get_sample_value
    assert sample("clientloop_send_failures_total", {"platform": "teams", "reason": reason}) == 1
    assert sample("clientloop_sends_total", {"platform": "teams"}) == 1
    assert sample("clientloop_sends_total", {"platform": "slack"}) == 0


def test_each_failure_the_dispatcher_meets_has_its_refusal_kind() -> None:
    from workflow.domain.errors import Conflict, NotFound, Refused, Unavailable
    from workflow.presentation.forms import FieldErrors

    kinds = [
        refusal_kind(e)
        for e in (Refused("no"), NotFound("gone"), Conflict(), Unavailable(), FieldErrors({}))
    ]
    assert kinds == ["not_allowed", "not_found", "conflict", "unavailable", "bad_input"]
