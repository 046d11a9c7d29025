"""Create the topics of a production cluster before the workers start (the compose `topics`
service runs this once; it is idempotent).

The catalogue's topics come from ``topics.admin.ensure_topics``. The broker has topic
auto-creation off, and the worker's Faust app does not declare topics, so Faust's own
topics are created here too: the SLA tracker table's changelog (compacted, as many
partitions as tickets.routed, which it is co-partitioned with) and the leader-assignor topic.
"""

from __future__ import annotations

import logging
import os

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from topics.admin import ensure_topics

#: The name of the tracker's table in router/app.py (its changelog topic derives from it).
TABLE_NAME = "ticket-lifecycle"


def faust_topics(app_id: str) -> dict[str, tuple[int | None, dict[str, str]]]:
    """Faust's internal topics of the app ``app_id``: name → (partitions, or None for
    HOTLINE_TOPIC_PARTITIONS; topic configs)."""
    return {
        f"{app_id}-{TABLE_NAME}-changelog": (None, {"cleanup.policy": "compact"}),
        f"{app_id}-__assignor-__leader": (1, {}),
    }


def main() -> None:
    """Create every missing topic; print what was created."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    bootstrap = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    partitions = int(os.environ.get("HOTLINE_TOPIC_PARTITIONS", "4"))
    app_id = os.environ.get("HOTLINE_APP_ID", "hotline-router")
    created = ensure_topics(bootstrap, partitions=partitions)
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="hotline-init")
    try:
        existing = set(admin.list_topics())
        for name, (count, configs) in faust_topics(app_id).items():
            if name in existing:
                continue
            topic = NewTopic(
                name=name,
                num_partitions=count or partitions,
                replication_factor=1,
                topic_configs=configs,
            )
            try:
                admin.create_topics([topic])
                created.append(name)
            except TopicAlreadyExistsError:
                pass
    finally:
        admin.close()
    print("created topics:", ", ".join(created) or "none")


if __name__ == "__main__":
    main()
