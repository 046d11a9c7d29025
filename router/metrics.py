"""The worker's Prometheus metrics (names per DESIGN.md: base units, ``_total`` on counters).

Labels hold only low-cardinality values (channel, department code, method, reason, rule):
never a ticket id, a phone number or any other personal data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Histogram, Info

if TYPE_CHECKING:
    from classifiers.model import DepartmentModel

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
CONFIDENCE_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0)


class Metrics:
    """All routing metrics, registered in one registry."""

    def __init__(self, *, registry: CollectorRegistry) -> None:
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

    def show_model(self, model: DepartmentModel) -> None:
        """Report ``model`` as the one the worker runs (``hotline_model_info``)."""
        self.model.info(
            {"version": model.version, "labels": str(len(model.labels)), "engine": "jieba+sklearn"}
        )
