"""The worker's Prometheus metrics (names per DESIGN.md: base units, ``_total`` on counters).

Labels hold only low-cardinality values (channel, department code, method, reason, rule):
never a ticket id, a phone number or any other personal data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info

if TYPE_CHECKING:
    from classifiers.model import DepartmentModel

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
CONFIDENCE_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0)
#: The clocks whose durations are histograms (``hotline_time_to_<clock>_seconds``).
TIMED_CLOCKS: tuple[str, ...] = ("sign", "contact", "resolve")
#: Fallback buckets (seconds) when no SLA policy gives them: 30 min … 15 working days.
DEFAULT_CLOCK_BUCKETS = (1800.0, 7200.0, 25200.0, 50400.0, 86400.0, 252000.0, 378000.0)


class Metrics:
    """All routing metrics, registered in one registry."""

    def __init__(
        self,
        *,
        registry: CollectorRegistry,
        clock_buckets: Mapping[str, tuple[float, ...]] | None = None,
    ) -> None:
        """``clock_buckets``: histogram buckets per timed clock, at the SLA policy's limits."""
        self.registry = registry
        self.received = Counter(
            "hotline_tickets_received_total",
            "Intake records received, by channel (bad ones included).",
            ["channel"],
            registry=registry,
        )
        self.routed = Counter(
            "hotline_tickets_routed_total",
            "Tickets put in a department's queue, by department and method.",
            ["department", "method"],
            registry=registry,
        )
        self.triaged = Counter(
            "hotline_tickets_triaged_total",
            "Tickets put in the triage queue for a dispatcher, by reason.",
            ["reason"],
            registry=registry,
        )
        self.deadlettered = Counter(
            "hotline_tickets_deadlettered_total",
            "Records sent to tickets.deadletter, by reason code.",
            ["reason"],
            registry=registry,
        )
        self.duplicates = Counter(
            "hotline_tickets_duplicate_total",
            "Redelivered or re-sent tickets that were already queued, by channel.",
            ["channel"],
            registry=registry,
        )
        self.urgent = Counter(
            "hotline_tickets_urgent_total",
            "Tickets an urgent-keyword rule marked urgent, by rule.",
            ["rule"],
            registry=registry,
        )
        self.latency = Histogram(
            "hotline_routing_latency_seconds",
            "From the intake record's broker timestamp to the ticket being queued.",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.confidence = Histogram(
            "hotline_classifier_confidence",
            "Probability of the classifier's best department, per ticket.",
            buckets=CONFIDENCE_BUCKETS,
            registry=registry,
        )
        self.model = Info(
            "hotline_model", "The classifier model the worker runs.", registry=registry
        )
        self.reloads = Counter(
            "hotline_model_reloads_total",
            "Switches to a newly promoted model version, by outcome (loaded, failed).",
            ["outcome"],
            registry=registry,
        )

        self.queue_depth = Gauge(
            "hotline_queue_depth",
            "Open tickets a department holds (TRIAGE: at the dispatchers' desk), from Redis.",
            ["department"],
            registry=registry,
        )
        # ------------------------------------------------------------ lifecycle and SLA
        self.open_tickets = Gauge(
            "hotline_tickets_open",
            "Tickets not yet closed or merged, by the department holding them (TRIAGE: "
            "waiting for a dispatcher); each worker reports the tickets of its partitions.",
            ["department"],
            registry=registry,
        )
        self.overdue_tickets = Gauge(
            "hotline_tickets_overdue",
            "Open tickets with a running clock past its deadline, by holding department.",
            ["department"],
            registry=registry,
        )
        self.lifecycle_events = Counter(
            "hotline_lifecycle_events_total",
            "Lifecycle events applied by the tracker, by event type.",
            ["type"],
            registry=registry,
        )
        self.sla_outcomes = Counter(
            "hotline_sla_outcomes_total",
            "SLA clock outcomes (met: stopped in time; warned: reached 80%; breached: reached "
            "100%), by department, channel and clock (sign, contact, resolve, callback).",
            ["department", "channel", "clock", "outcome"],
            registry=registry,
        )
        self.sla_alerts = Counter(
            "hotline_sla_alerts_total",
            "Alerts sent on sla.alerts, by department, level (warning, breach, escalation) "
            "and clock.",
            ["department", "level", "clock"],
            registry=registry,
        )
        self.callbacks = Counter(
            "hotline_callbacks_total",
            "Callbacks recorded, by the department that replied, channel, rating (satisfied, "
            "basically_satisfied, dissatisfied, unreachable) and whether the citizen says the "
            "problem is resolved (yes, no, unknown).",
            ["department", "channel", "rating", "resolved"],
            registry=registry,
        )
        self.replies = Counter(
            "hotline_tickets_replied_total",
            "Department replies (办结) recorded, by department and channel.",
            ["department", "channel"],
            registry=registry,
        )
        self.reopened = Counter(
            "hotline_tickets_reopened_total",
            "Tickets reopened (重办), by the department that had replied.",
            ["department"],
            registry=registry,
        )
        buckets = dict(clock_buckets or {})
        self.clock_durations = {
            clock: Histogram(
                f"hotline_time_to_{clock}_seconds",
                f"Clock time a ticket's {clock} clock ran before it stopped (office seconds for "
                "working-time clocks, pauses excluded), by department; buckets at the policy "
                "limits.",
                ["department"],
                buckets=sorted(buckets.get(clock, DEFAULT_CLOCK_BUCKETS)),
                registry=registry,
            )
            for clock in TIMED_CLOCKS
        }
        self.calendar_known_until = Gauge(
            "hotline_calendar_known_until_timestamp_seconds",
            "End of the last day the working calendar knows (chinese-calendar and the override "
            "file); a deadline after it cannot be computed.",
            registry=registry,
        )
        self.tracked = Gauge(
            "hotline_tracker_tickets",
            "Tickets in this worker's tracker table (its partitions), open or not.",
            registry=registry,
        )

    def start_at_zero(self, *, channels: Sequence[str], reasons: Sequence[str]) -> None:
        """Create the intake and dead-letter series at 0, so that the first dead letter of a
        reason already counts in the alert rules' ``increase()``. (The lifecycle series,
        about 9,000 label sets, are not: the exposition would take ~0.3 s a scrape here.)"""
        for channel in channels:
            self.received.labels(channel)
        for reason in reasons:
            self.deadlettered.labels(reason)

    def show_model(self, model: DepartmentModel) -> None:
        """Report ``model`` as the one the worker runs (``hotline_model_info``)."""
        self.model.info(
            {"version": model.version, "labels": str(len(model.labels)), "engine": "jieba+sklearn"}
        )
