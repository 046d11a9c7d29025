"""The topic catalogue and its idempotent creation on a real broker."""

from __future__ import annotations

import pytest
from kafka import KafkaAdminClient

from topics.admin import ensure_topics
from topics.catalogue import DEADLETTER, INTAKE_TOPICS, TOPICS
from topics.schemas import CHANNELS

EXPECTED = {
    "intake.phone",
    "intake.web",
    "intake.app",
    "intake.wechat",
    "intake.mailbox",
    "intake.inquiry",
    "intake.grid",
    "tickets.normalized",
    "tickets.routed",
    "tickets.events",
    "tickets.deadletter",
    "sla.alerts",
}


def test_catalogue_names_every_topic_with_key_and_retention():
    assert set(TOPICS) == EXPECTED
    assert set(INTAKE_TOPICS) == set(CHANNELS)
    for spec in TOPICS.values():
        assert spec.key and spec.description
        assert spec.retention_ms > 0
        assert spec.configs()["cleanup.policy"] in {"delete", "compact", "compact,delete"}
    assert TOPICS[DEADLETTER].partitions == 1  # one offset sequence: an id per dead letter


@pytest.mark.integration
def test_ensure_topics_is_idempotent(services):
    bootstrap = services.state.bootstrap_servers
    ensure_topics(bootstrap, partitions=2)
    assert ensure_topics(bootstrap, partitions=2) == []
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        assert set(admin.list_topics()) >= EXPECTED
    finally:
        admin.close()
