"""Insight for PMs and sponsors: the words that show what waits, the digest and the export.

The reads behind them (pending, digest figures, export rows) are in `reads`; the export's
files in `exports`.
"""

from __future__ import annotations

from workflow.domain.permissions import Act
from workflow.flows.flow import Flow, Word
from workflow.flows.insight.exports import formats_asked
from workflow.presentation.presses import Show, ShowWhat

FLOW = Flow(
    "insight",
    words=(
        Word(
            "pending",
            "pending",
            "what waits on whom, and for how long",
            Act.PENDING,
            lambda rest, here: Show(ShowWhat.PENDING, here.project_id),
        ),
        Word(
            "digest",
            "digest",
            "the weekly PM digest, now",
            Act.DIGEST,
            lambda rest, here: Show(ShowWhat.DIGEST, here.project_id),
        ),
        Word(
            "export",
            "export [csv|json]",
            "feedback, decisions and the audit trail as CSV and JSON",
            Act.EXPORT,
            lambda rest, here: Show(ShowWhat.EXPORT, here.project_id, formats=formats_asked(rest)),
        ),
    ),
)
