"""The topic catalogue: every topic the system uses, with its partitions, key and retention."""

from __future__ import annotations

from dataclasses import dataclass

from topics.schemas import CHANNELS

DAY_MS = 24 * 3600 * 1000


@dataclass(frozen=True, kw_only=True)
class TopicSpec:
    """One topic: what it holds, how it is keyed and how long it keeps records."""

    name: str
    description: str
    key: str
    retention_ms: int
    cleanup_policy: str = "delete"
    partitions: int | None = None  # None: the HOTLINE_TOPIC_PARTITIONS setting

    def configs(self) -> dict[str, str]:
        """Topic-level configs for the admin client."""
        return {"retention.ms": str(self.retention_ms), "cleanup.policy": self.cleanup_policy}


def intake_topic(channel: str) -> str:
    """Name of a channel's intake topic."""
    return f"intake.{channel}"


_INTAKE_DESCRIPTIONS = {
    "phone": "12345 call-centre records: agent-typed transcript, caller number, call and agent id",
    "web": "web portal forms",
    "app": "city app submissions (JSON with device and optional photos)",
    "wechat": "WeChat official account and mini program messages",
    "mailbox": "mayor's mailbox e-mails (raw MIME, base64)",
    "inquiry": "online inquiry board posts (网络问政)",
    "grid": "grid workers' reports (grid code, coordinates, category hint, photos)",
}

TOPICS: dict[str, TopicSpec] = {
    spec.name: spec
    for spec in (
        *(
            TopicSpec(
                name=intake_topic(channel),
                description=_INTAKE_DESCRIPTIONS[channel],
                key="channel source id",
                retention_ms=14 * DAY_MS,
            )
            for channel in CHANNELS
        ),
        TopicSpec(
            name="tickets.normalized",
            description="cleaned Tickets with personal data split from the text",
            key="ticket_id",
            retention_ms=30 * DAY_MS,
        ),
        TopicSpec(
            name="tickets.routed",
            description="Tickets with their routing decision (department, method, top-3)",
            key="ticket_id",
            retention_ms=365 * DAY_MS,
            cleanup_policy="compact,delete",
        ),
        TopicSpec(
            name="tickets.events",
            description="lifecycle events: sign, contact, reply, return, reassign, callback, ...",
            key="ticket_id",
            retention_ms=365 * DAY_MS,
        ),
        TopicSpec(
            name="tickets.deadletter",
            description="records that could not be processed, with the original bytes and reason",
            key="original key",
            retention_ms=90 * DAY_MS,
            partitions=1,
        ),
        TopicSpec(
            name="sla.alerts",
            description="SLA warnings, breaches and escalations",
            key="ticket_id",
            retention_ms=90 * DAY_MS,
        ),
    )
}

#: The SLA tracker's Faust table (router/app.py); its changelog topic is named after it.
TRACKER_TABLE = "ticket-lifecycle"


def app_topics(app_id: str) -> list[TopicSpec]:
    """The worker app's own topics, which Faust would otherwise create with its defaults:
    the tracker table's changelog (compacted only: an open ticket's state must never age
    out; co-partitioned with tickets.routed) and Faust's leader-assignor topic."""
    return [
        TopicSpec(
            name=f"{app_id}-{TRACKER_TABLE}-changelog",
            description="the SLA tracker's table: lifecycle state and clocks per ticket",
            key="ticket_id",
            retention_ms=-1,
            cleanup_policy="compact",
        ),
        TopicSpec(
            name=f"{app_id}-__assignor-__leader",
            description="Faust's leader election",
            key="none",
            retention_ms=7 * DAY_MS,
            partitions=1,
        ),
    ]


INTAKE_TOPICS: dict[str, str] = {channel: intake_topic(channel) for channel in CHANNELS}
NORMALIZED = "tickets.normalized"
ROUTED = "tickets.routed"
DEADLETTER = "tickets.deadletter"
