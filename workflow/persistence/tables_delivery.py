"""Tables outside the domain model: the audit chain, inbound event ids, the outbox, card copies,
the processes running against the database."""

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from workflow.domain.audit import SHA256
from workflow.domain.people import Platform
from workflow.persistence.columns import EnumText, metadata
from workflow.persistence.tables import EXTERNAL_ID, HASH, id_col, text_col, time_col

audit_entries = Table(
    "audit_entries",
    metadata,
    id_col(),
    Column("seq", Integer, nullable=False, unique=True),
    time_col("at"),
    text_col("actor"),
    Column("action", String(50), nullable=False),
    Column("subject_kind", String(30), nullable=False),
    Column("subject_id", Integer),
    # No foreign key: the trail outlives whatever it talks about.
    Column("project_id", Integer, index=True),
    Column("version", Integer),
    Column("shown_hash", HASH, nullable=False),
    text_col("comment"),
    text_col("details"),
    Column("prev_hash", HASH, nullable=False),
    Column("hash", HASH, nullable=False),
    # How `hash` seals the entry ("sha256", "hmac-v1"): rows older than the column are sha256.
    Column("scheme", String(10), nullable=False, server_default=SHA256),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", HASH, nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)

inbound_events = Table(
    "inbound_events",
    metadata,
    id_col(),
    Column("key", String(255), nullable=False, unique=True),
    time_col("received_at"),
)

outbox = Table(
    "outbox",
    metadata,
    id_col(),
    time_col("created_at"),
    # Plain ids, no foreign keys: a delivery record must not lock or block the items it names.
    Column("project_id", Integer, index=True),
    Column("recipient_person_id", Integer),
    Column("recipient_project_id", Integer),
    Column("card_key", String(100)),
    Column("op", String(10), nullable=False),
    Column("view", JSON, nullable=False),
    Column(
        "state", String(20), nullable=False, index=True, default="pending", server_default="pending"
    ),
    Column("attempts", Integer, nullable=False, default=0, server_default=text("0")),
    time_col("available_at"),
    time_col("lease_until", nullable=True),
    time_col("sent_at", nullable=True),
    Column("platform_message_id", EXTERNAL_ID),
    Column("conversation_id", EXTERNAL_ID),
    Column("last_error", Text),
)

card_copies = Table(
    "card_copies",
    metadata,
    id_col(),
    Column("card_key", String(100), nullable=False, index=True),
    Column("platform", EnumText(Platform, 10), nullable=False),
    Column("workspace_id", EXTERNAL_ID, nullable=False),
    Column("conversation_id", EXTERNAL_ID, nullable=False),
    Column("message_id", EXTERNAL_ID, nullable=False),
    Column("person_id", Integer),
    time_col("created_at"),
    UniqueConstraint("conversation_id", "message_id"),
)

# Every clientloop process's heartbeat (`clientloop status`): who runs, where, and which sends.
processes = Table(
    "processes",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("role", String(40), nullable=False),
    time_col("started_at"),
    time_col("seen_at"),
    Column("sending", Boolean, nullable=False, server_default=text("false")),
)
