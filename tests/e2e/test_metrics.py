"""GET /metrics after a scripted Slack flow: every counter moved by exactly what the flow did."""

from __future__ import annotations

import re

import httpx
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from tests.e2e.fake_slack import FakeSlack
from tests.e2e.slack_world import ALICE, CUSTOMER_TEAM, Slack, change_request, set_up_project

STRANGER = "UEVE"  # in the workspace, in no project
EVENTS = {"route": "/slack/events", "method": "POST"}
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(http: httpx.AsyncClient) -> tuple[Samples, list[Sample]]:
    response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    samples = [s for f in text_string_to_metric_families(response.text) for s in f.samples]
    return {(s.name, frozenset(s.labels.items())): s.value for s in samples}, samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, frozenset(labels.items()))]


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum over every series of `name` whose labels include `labels`."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= ls)


async def test_a_scripted_flow_moves_each_counter_by_exactly_what_it_did(
    world: Slack, fake_slack: FakeSlack, http: httpx.AsyncClient
) -> None:
    fake_slack.add_user(STRANGER, real_name="Eve")
    before, _ = await scrape(http)
    assert total(before, "clientloop_http_requests_total", **EVENTS) == 0

    await set_up_project(world)  # /loop new, the form: 2 requests
    await change_request(world)  # /loop change, the form: 2 requests
    # Slack answers the next card update with a 429; the sender tries it again (at once).
    fake_slack.fail("chat.update", status=429, headers={"Retry-After": "0"})
    await world.press(ALICE, ALICE, "approve", "Dark mode", user_team=CUSTOMER_TEAM)
    await world.press(STRANGER, "C0001", "approve", "Dark mode")  # refused, changes nothing
    assert "not waiting on you" in world.last_private()

    after, _ = await scrape(http)
    ok = {**EVENTS, "status": "2xx"}
    assert value(after, "clientloop_http_requests_total", **ok) == 6
    assert total(after, "clientloop_http_requests_total", **EVENTS) == 6
    assert value(after, "clientloop_http_request_duration_seconds_count", **EVENTS) == 6
    # The first scrape was counted once it had answered: it is in the second.
    metrics = {"route": "/metrics", "method": "GET", "status": "2xx"}
    assert value(after, "clientloop_http_requests_total", **metrics) == 1

    refusals = {k: value(after, "clientloop_refusals_total", kind=k) for k in KINDS}
    assert refusals == {**dict.fromkeys(KINDS, 0.0), "not_allowed": 1.0}

    # Every post and update Slack received was counted once: taken, or refused with a 429.
    calls = len(fake_slack.calls_of("chat.postMessage")) + len(fake_slack.calls_of("chat.update"))
    failed = {
        reason: value(after, "clientloop_send_failures_total", platform="slack", reason=reason)
        for reason in ("rate_limited", "permanent", "transient")
    }
    assert failed == {"rate_limited": 1.0, "permanent": 0.0, "transient": 0.0}
    sent = value(after, "clientloop_sends_total", platform="slack")
    assert sent == calls - 1 and sent >= 8  # the project card, 3 welcomes, 4 change copies...
    assert value(after, "clientloop_sends_total", platform="teams") == 0

    assert value(after, "clientloop_outbox_pending_messages") == 0
    assert value(after, "clientloop_outbox_oldest_pending_age_seconds") == 0
    assert total(after, "clientloop_database_errors_total") == 0
    assert value(after, "clientloop_scheduler_lag_seconds_count") == 0  # no scheduler here


KINDS = ("not_allowed", "not_found", "bad_input", "conflict", "unavailable")
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
BASE_UNITS = ("seconds", "bytes", "messages", "processes", "total", "info")


async def test_every_metric_name_follows_the_prometheus_naming_rules(
    world: Slack, http: httpx.AsyncClient
) -> None:
    await world.loop("UPM", "help")  # at least one request in the histograms
    response = await http.get("/metrics")
    families = list(text_string_to_metric_families(response.text))
    ours = [f for f in families if f.name.startswith("clientloop_")]
    assert len(ours) == 10
    for family in families:
        assert NAME.match(family.name), family.name
        assert family.documentation, f"{family.name} has no help text"
        # The standard process, platform and GC collectors carry their own prefixes.
        assert family.name.startswith(("clientloop_", "process_", "python_")), family.name
    for family in ours:
        assert not family.name.endswith("_total") or family.type == "counter", family.name
        if family.type == "counter":
            names = {s.name for s in family.samples}
            assert names == {f"{family.name}_total"}, names
        if family.type in ("histogram", "gauge"):
            assert family.name.endswith(BASE_UNITS), f"{family.name}: say the unit"
        assert not re.search(r"_(ms|milliseconds|minutes|hours|kb|mb)(_|$)", family.name)
        for sample in family.samples:
            assert all(NAME.match(label) for label in sample.labels), sample
