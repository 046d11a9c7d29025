"""Create the topics of a production cluster before the workers start (the compose `topics`
service runs this once; it is idempotent).

The broker has topic auto-creation off and the worker's Faust app does not declare topics,
so ``ensure_topics`` creates the catalogue's topics and the app's own (the SLA tracker
table's compacted changelog and Faust's leader topic; see ``topics.catalogue.app_topics``).
"""

from __future__ import annotations

import logging
import os

from topics.admin import ensure_topics


def main() -> None:
    """Create every missing topic; print what was created."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    created = ensure_topics(
        os.environ["KAFKA_BOOTSTRAP_SERVERS"],
        partitions=int(os.environ.get("HOTLINE_TOPIC_PARTITIONS", "4")),
        app_id=os.environ.get("HOTLINE_APP_ID", "hotline-router"),
    )
    print("created topics:", ", ".join(created) or "none")


if __name__ == "__main__":
    main()
