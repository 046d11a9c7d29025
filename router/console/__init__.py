"""The agents' web console: pages, JSON API and Open311 endpoints over Redis and Kafka."""
