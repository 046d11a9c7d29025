"""Create the catalogue's topics, idempotently, with kafka-python's admin client."""

from __future__ import annotations

import logging

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from router.exceptions import ServiceError
from topics.catalogue import TOPICS, app_topics

log = logging.getLogger(__name__)


def ensure_topics(
    bootstrap_servers: str,
    *,
    partitions: int,
    app_id: str = "hotline-router",
    replication_factor: int = 1,
) -> list[str]:
    """Create every catalogue topic, and the worker app ``app_id``'s own topics, that does
    not exist yet; returns the names created."""
    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="hotline-admin")
    except KafkaError as exc:
        raise ServiceError(f"cannot reach the broker at {bootstrap_servers}: {exc}") from exc
    try:
        existing = set(admin.list_topics())
        missing = [
            NewTopic(
                name=spec.name,
                num_partitions=spec.partitions or partitions,
                replication_factor=replication_factor,
                topic_configs=spec.configs(),
            )
            for spec in (*TOPICS.values(), *app_topics(app_id))
            if spec.name not in existing
        ]
        created = []
        for topic in missing:  # one by one: a racing worker may create some of them first
            try:
                admin.create_topics([topic])
                created.append(topic.name)
            except TopicAlreadyExistsError:
                pass
        if created:
            log.info("created topics: %s", ", ".join(created))
        return created
    finally:
        admin.close()
