"""The one table `make bench` prints, and the same figures as JSON (bench/results.json)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bench.fanout import FanoutFigures
from bench.live import BARE, CARD_UPDATES, FLOOR, LiveResults
from bench.paths import PathFigures
from bench.scale import ReadFigure

BARE_OF = {"/loop help": "bare command", "/loop pending": "bare command",
           "Approve click": "bare click"}  # fmt: skip


@dataclass(frozen=True)
class Row:
    section: str
    measure: str
    clientloop: float | str | None
    bare: float | str | None = None

    @property
    def ratio(self) -> float | None:
        c, b = self.clientloop, self.bare
        if isinstance(c, float | int) and isinstance(b, float | int) and b:
            return float(c) / float(b)
        return None


def path_rows(live: LiveResults) -> Iterator[Row]:
    """Each target's paths beside bare Bolt's: "clientloop (SQLite)", then "clientloop
    (PostgreSQL)" when it ran, then the floor's Approve click on each database."""
    bare_found = {p.path: p for p in live.paths if p.target == BARE}
    targets = list(dict.fromkeys(p.target for p in live.paths if p.target != BARE))
    for target in targets:
        found = {p.path: p for p in live.paths if p.target == target}
        for name, bare_name in BARE_OF.items():
            p, b = found.get(name), bare_found.get(bare_name)
            if p is None:
                continue
            bare = (
                b if b is not None else PathFigures("", "", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            )
            s = f"requests, {target} ({p.sent} sent)"
            yield Row(s, f"{name}: acks/s", p.acks_per_s, bare.acks_per_s)
            yield Row(s, f"{name}: good replies/s", p.good_per_s, bare.good_per_s)
            yield Row(s, f"{name}: 'Something went wrong'", float(p.sorry), float(bare.sorry))
            yield Row(s, f"{name}: unanswered (acked, no reply)", float(p.unanswered),
                      float(bare.unanswered))  # fmt: skip
            yield Row(s, f"{name}: not acked (HTTP error/timeout)", float(p.errors),
                      float(bare.errors))  # fmt: skip
            yield Row(s, f"{name}: ack p50 ms", p.ack_p50_ms, bare.ack_p50_ms)
            yield Row(s, f"{name}: ack p99 ms", p.ack_p99_ms, bare.ack_p99_ms)
            yield Row(s, f"{name}: reply p50 ms", p.reply_p50_ms, bare.reply_p50_ms)
            yield Row(s, f"{name}: reply p99 ms", p.reply_p99_ms, bare.reply_p99_ms)


def process_rows(live: LiveResults) -> Iterator[Row]:
    b = live.processes.get(BARE)
    for target, c in live.processes.items():
        if target == BARE or b is None:
            continue
        s = f"process, {target}"
        yield Row(s, "start to /readyz 200 (s)", c.ready_seconds, b.ready_seconds)
        yield Row(s, "RSS idle after start (MiB)", c.rss_idle_mib, b.rss_idle_mib)
        yield Row(s, "RSS after the load (MiB)", c.rss_after_mib, b.rss_after_mib)


def read_rows(reads: list[ReadFigure]) -> Iterator[Row]:
    for r in reads:
        shown: float | str = r.seconds * 1e3 if r.seconds is not None else r.note
        yield Row(f"reads, {r.projects:,} projects", f"{r.read} (ms)", shown)


def fanout_rows(f: FanoutFigures) -> Iterator[Row]:
    s = f"fan-out, {f.customers} check-ins (limits enforced)"
    yield Row(s, "PM's answer (s; Slack wants 3)", f.answer_seconds)
    yield Row(s, "first message (s)", f.first_seconds)
    yield Row(s, "all delivered (s)", f.all_seconds)
    yield Row(s, "floor the limits allow (s)", f.floor_seconds)
    yield Row(s, "all delivered ÷ floor", f.ratio)
    yield Row(s, "customers without one (lost)", float(f.lost))
    yield Row(s, "customers with two or more (doubled)", float(f.doubled))
    yield Row(s, "posts answered 429", float(f.refused))


def fmt(value: float | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def table(rows: list[Row]) -> str:
    head = ["section", "measure", "target", "bare Bolt", "target ÷ bare"]
    lines = [head, ["---"] * 5]
    for r in rows:
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else ""
        lines.append([r.section, r.measure, fmt(r.clientloop), fmt(r.bare), ratio])
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def floor_line(live: LiveResults) -> str:
    """clientloop's Approve click good replies/s over the floor's, database by database."""
    good = {p.target: p.good_per_s for p in live.paths if p.path == "Approve click"}
    parts = [f"{db} {good[f'clientloop ({db})'] / good[f'{FLOOR} ({db})']:.2f}"
             for db in ("SQLite", "PostgreSQL")
             if good.get(f"clientloop ({db})") and good.get(f"{FLOOR} ({db})")]  # fmt: skip
    return "Approve click good replies/s, clientloop ÷ floor (bare Bolt + decision writes): " + (
        ", ".join(parts) or "not measured"
    )


def footer(live: LiveResults, seeded: dict[int, float], total: float, machine: str) -> str:
    cpu = max((p.generator_cpu for p in live.paths), default=0.0)
    errors = "; ".join(f"{n} x {line}" for line, n in live.log_errors.items()) or "none"
    sizes = ", ".join(f"{n:,}: {s:.0f} s" for n, s in seeded.items())
    return "\n".join([
        f"Machine: {machine}. `make bench` took {total:.0f} s.",
        f"Load: {live.paths[0].seconds if live.paths else 0:.0f} s or its request count per "
        "path, 16 keep-alive connections, one Python asyncio process (raw HTTP/1.1); it used "
        f"at most {cpu:.0%} of a core, so it was not the bottleneck.",
        "Good reply: an answer in the acknowledgement, or a response_url post (or ephemeral), "
        "for that very request, without \"Something went wrong\"; its rate is over the run plus "
        "the time the last reply took; reply p50/p99 run from sending the request; "
        f"unanswered: acked, and no reply {live.settle_seconds:.0f} s after the load stopped.",
        f"Seeding the live project (/loop new, then /loop change x {live.changes}) took "
        f"{live.seed_seconds:.0f} s; {live.clicks_available} distinct Approve clicks ready.",
        f"Seeding: {len(live.seed_failures)} change-request submissions failed"
        + (f" (first: {live.seed_failures[0]})" if live.seed_failures else "") + ".",
        f"Reads: seeded by bulk INSERT ({sizes}); per call timeout and skips as noted.",
        floor_line(live),
        *(f"Approve clicks, {target}: {line}." for target, line in CARD_UPDATES.items()),
        f"clientloop server log ERROR lines: {errors}",
        *live.skipped,
    ])  # fmt: skip
